// Loads GGUF files with llama.cpp (through node-llama-cpp, CPU only) and greedily generates five
// tokens from "Hello world": a check that files written by GgufWriter / SyntheticLlama are files
// llama.cpp accepts. Not part of the build (needs node and node-llama-cpp 3.x):
//
//   npm install node-llama-cpp@3.21.1            # in some scratch directory
//   NLC=/scratch/node_modules/node-llama-cpp/dist/index.js node test-models/llamacpp-load-check.mjs a.gguf b.gguf
//
// Synthetic models come from: java -cp java/core/target/classes dev.panllama.synthetic.SyntheticLlama OUT.gguf small Q4_0 VOCAB.gguf
const {getLlama} = await import(process.env.NLC ?? "node-llama-cpp");
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
let failed = 0;
for (const f of process.argv.slice(2)) {
  try {
    const model = await llama.loadModel({modelPath: f});
    const ctx = await model.createContext({contextSize: 64});
    const tokens = model.tokenize("Hello world", false);
    const out = [];
    for await (const t of ctx.getSequence().evaluate(tokens, {temperature: 0})) {
      out.push(t);
      if (out.length >= 5) break;
    }
    console.log(`OK   ${f}: prompt ${tokens.join(",")} -> greedy ${out.join(",")}`);
    await ctx.dispose();
    await model.dispose();
  } catch (e) {
    failed++;
    console.log(`FAIL ${f}: ${e}`);
  }
}
process.exit(failed ? 1 : 0);
