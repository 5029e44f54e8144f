// Regenerates the *.tsv goldens here: how llama.cpp itself (node-llama-cpp 3.21.1's bundled build)
// tokenizes a fixed set of strings with a model's vocabulary. From the repository root:
//
//   R=$PWD/java/core/src/test/resources/tokenizer; S=$PWD/../shared
//   cd "$(mktemp -d)" && npm install node-llama-cpp@3.21.1
//   node $R/make_goldens.mjs $R smollm2=$HOME/.cache/panllama/models/SmolLM2-135M-Instruct.Q4_1.gguf \
//        stories260K=$S/models/stories260K.gguf $(for v in $S/tokenizer/ggml-vocab-*.gguf; do
//        n=$(basename $v .gguf); echo ${n#ggml-vocab-}=$v; done)
//
// Pre-tokenizers without a vocabulary of their own run on the Llama 3 vocabulary with another
// tokenizer.ggml.pre (the pre-*.tsv files):
//   for p in qwen2 deepseek-v3 llama4 tekken default stablelm2 command-r dbrx megrez; do
//     python3 $R/with_pre_tokenizer.py $S/tokenizer/ggml-vocab-llama-bpe.gguf $p /tmp/llama-bpe-$p.gguf; done
//   node $R/make_goldens.mjs --inp=$S/tokenizer/ggml-vocab-llama-bpe.gguf.inp $R \
//        $(for p in qwen2 deepseek-v3 llama4 tekken default stablelm2 command-r dbrx megrez; do
//        echo pre-$p=/tmp/llama-bpe-$p.gguf; done)
//
// Each NAME.tsv: one case per line, tab-separated:
//   "encode" <parseSpecial 0|1> <base64 UTF-8 text> <ids, space-separated> <base64 detokenize(ids, false)> # <readable text>
//   "eog" <ids of every end-of-generation token>
//   "meta" bos=<id> eos=<id> eot=<id> addBos=<bool> addEos=<bool>
import {createRequire} from "node:module";
import {readFileSync, writeFileSync} from "node:fs";

const require = createRequire(process.cwd() + "/");
const {getLlama} = await import(require.resolve("node-llama-cpp"));

const args = process.argv.slice(2);
const inpFiles = args.filter((a) => a.startsWith("--inp=")).map((a) => a.slice("--inp=".length));
const [outDir, ...models] = args.filter((a) => !a.startsWith("--inp="));
if (!outDir || models.length === 0) {
    console.error("usage: node make_goldens.mjs [--inp=SUITE.inp] OUT_DIR NAME=MODEL.gguf...   (writes OUT_DIR/NAME.tsv)");
    process.exit(2);
}

const chat = "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    + "<|im_start|>user\nHi! What's 12*34?<|im_end|>\n<|im_start|>assistant\n408. Anything else?<|im_end|>\n";

// [text, parseSpecial]
const cases = [
    ["Hello world", false],
    [" Hello world", false],
    ["Hello, world! How are you doing today?", false],
    ["I've been 'told he's there, 'RE you sure? We'Ve a'lL I'M", false],
    ["The year 2024 had 366 days; π≈3.14159 and 1,000,000 > 999.", false],
    ["   leading and trailing spaces   ", false],
    ["tabs\tand\nnewlines\r\n\n\nend", false],
    ["Ünïcödé façade naïve coöperate Äpfel", false],
    ["Привет, мир! Как дела?", false],
    ["日本語のテキストと中文文本混合", false],
    ["🦙 llamas 🚀🔥 and 👨‍👩‍👧 family", false],
    ["def fib(n):\n    return n if n < 2 else fib(n-1) + fib(n-2)\n", false],
    ["https://example.com/path?query=1&x=y#frag", false],
    ["email: someone@example.org, phone +1-555-0100", false],
    ["ALL CAPS SHOUTING AND MiXeD cAsE", false],
    ["", false],
    [" ", false],
    ["\n", false],
    ["a  b   c    d", false],
    ["Ⅻ ½ ² ٣ numbers in other scripts", false],
    ["naïve café — “quotes” ‘single’ … ellipsis", false],
    ["Tab\tseparated\tvalues\t\t\tand   spaces\t \t", false],
    ["The quick brown fox jumps over the lazy dog. ".repeat(3), false],
    ["\u00a0non-breaking\u00a0space and\u2003em space", false],
    ["1234567890 12 345 6789", false],
    ["<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", true],
    ["<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", false],
    [chat, true],
    ["<|endoftext|>text after eos<|im_end|>", true],
    ["<|im_start|> spaced <|im_end|>", true],
    ["<|im_start|<|im_end|>>", true],
    ["<jupyter_code>print('hi')<jupyter_output>hi", true],
    ["<reponame>user/repo<file_sep>src/main.py", false],
    ["<s>Hello</s> <s> world</s>", true],
    ["<s>Hello</s>", false],
    ["<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", true],
    ["<|endoftext|>Hello<|endoftext|>", true],
    ["<|endoftext|>Hello", false],
    ["<unk> <pad> [PAD] <mask>", true],
];

// --inp: also the strings of a llama.cpp test suite file (cases separated by "\n__ggml_vocab_test__\n").
for (const f of inpFiles) {
    const parts = readFileSync(f, "utf8").split("\n__ggml_vocab_test__\n");
    if (parts[parts.length - 1] === "") parts.pop();
    for (const text of parts) cases.push([text, false]);
}

const llama = await getLlama({gpu: false, build: "never"});
const b64 = (s) => Buffer.from(s, "utf8").toString("base64");

for (const arg of models) {
    const eq = arg.indexOf("=");
    const [name, modelPath] = [arg.slice(0, eq), arg.slice(eq + 1)];
    const model = await llama.loadModel({modelPath, vocabOnly: true});
    const lines = [];
    for (const [text, special] of cases) {
        const ids = Array.from(model.tokenize(text, special));
        const back = model.detokenize(ids, false);
        lines.push(["encode", special ? 1 : 0, b64(text), ids.join(" "), b64(back)].join("\t") + "\t# " + JSON.stringify(text));
    }
    const vocabSize = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
    const eog = [];
    for (let id = 0; id < vocabSize; id++) if (model.isEogToken(id)) eog.push(id);
    lines.push(["eog", eog.join(" ")].join("\t"));
    lines.push(["meta", `bos=${model.tokens.bos ?? -1}`, `eos=${model.tokens.eos ?? -1}`, `eot=${model.tokens.eot ?? -1}`,
        `addBos=${model.tokens.shouldPrependBosToken}`, `addEos=${model.tokens.shouldAppendEosToken}`].join("\t"));
    writeFileSync(`${outDir}/${name}.tsv`, lines.join("\n") + "\n");
    console.log(`${name}: ${cases.length} cases`);
    await model.dispose();
}
