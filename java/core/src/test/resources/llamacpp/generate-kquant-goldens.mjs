// llama.cpp logits for synthetic K-quant mix models (K-quant / Q5 engine parity).
//
// The models are written by panllama's SyntheticLlama (deterministic in their seed), not stored here:
//   java -cp java/core/target/classes dev.panllama.synthetic.SyntheticLlama /tmp/small-k-q4_k_m.gguf small-k Q4_K_M - 7
//   node generate-kquant-goldens.mjs /tmp/small-k-q4_k_m.gguf      (from this directory, after `npm ci`,
//                                                                   or with NODE_PATH at a node_modules)
//   ... SyntheticLlama /tmp/small-k-q5_k_m.gguf small-k Q5_K_M - 7
//   node generate-kquant-goldens.mjs /tmp/small-k-q5_k_m.gguf synthetic-small-k-q5_k_m "SyntheticLlama small-k Q5_K_M seed 7"
//   ... SyntheticLlama /tmp/small-192-q4_k_m.gguf small-192 Q4_K_M - 7   (Q5_0 / Q8_0 fallbacks, Q4_K / Q6_K ffn_down)
//   node generate-kquant-goldens.mjs /tmp/small-192-q4_k_m.gguf synthetic-small-192-q4_k_m "SyntheticLlama small-192 Q4_K_M seed 7"
// Tokens are fed one at a time (llama.cpp's decode path: ggml's vec_dot_q4_K_q8_K / q6_K) with
// controlledEvaluate; llama.cpp's softmax gives logit - max_logit = log(p / p_max) per vocab entry.
// The JSON records the file's sha256: the Java test regenerates the model and checks it first.
import {getLlama, LlamaLogLevel} from "node-llama-cpp";
import {createHash} from "node:crypto";
import {readFileSync, writeFileSync} from "node:fs";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";

const here = process.env.OUT_DIR ?? dirname(fileURLToPath(import.meta.url));
const modelPath = process.argv[2];
const name = process.argv[3] ?? "synthetic-small-k-q4_k_m";
const description = process.argv[4] ?? "SyntheticLlama small-k Q4_K_M seed 7";
const TOKENS = [1, 40, 77, 260, 5, 299, 123, 64, 88, 17, 250, 3];
const P_MIN = 1e-37;

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.warn, maxThreads: 2});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const nVocab = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
const context = await model.createContext({contextSize: 64, batchSize: 64, sequences: 1, threads: {ideal: 2, min: 2},
    flashAttention: false, failedCreationRemedy: false});
const sequence = context.getSequence();
const opts = {generateNext: {probabilities: true, token: true, options: {temperature: 0}}};
const positions = [];
for (const t of TOKENS) {
    const out = (await sequence.controlledEvaluate([[t, opts]]))[0];
    let pMax = 0;
    for (const p of out.next.probabilities.values()) if (p > pMax) pMax = p;
    const v = new Float32Array(nVocab).fill(NaN);
    for (const [id, p] of out.next.probabilities) if (p >= P_MIN) v[id] = Math.log(p / pMax);
    positions.push({token: t, greedy: out.next.token, logits_minus_max_f32le_b64: Buffer.from(v.buffer).toString("base64")});
}
const result = {
    generator: "generate-kquant-goldens.mjs (node-llama-cpp 3.21.1, CPU, flash attention off, one token per decode)",
    model: {description: description + ", made-up vocab", n_vocab: nVocab,
        sha256: createHash("sha256").update(readFileSync(modelPath)).digest("hex")},
    format: "logits_minus_max_f32le_b64 = base64 of n_vocab little-endian float32: logit[i] - max(logit); NaN where p < 1e-37",
    positions,
};
writeFileSync(join(here, name + ".logits.json"), JSON.stringify(result, null, 1) + "\n");
console.log("wrote", positions.length, "positions, vocab", nVocab);
