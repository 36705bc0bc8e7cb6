// Loads deploy/generate.ts in plain Node (serverless.yml and the member-role writer are JS): one
// in-memory esbuild bundle of the project's own code, with node_modules required as they are.
const path = require("node:path");
const Module = require("node:module");
const { buildSync } = require("esbuild");

const root = path.resolve(__dirname, "..");
let loaded;

function loadGenerator() {
  if (loaded) return loaded;
  const result = buildSync({
    entryPoints: [path.join(__dirname, "generate.ts")],
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    write: false,
    logLevel: "error",
  });
  const filename = path.join(__dirname, "generate.bundle.js");
  const generated = new Module(filename, module);
  generated.filename = filename;
  generated.paths = Module._nodeModulePaths(__dirname);
  generated._compile(result.outputFiles[0].text, filename);
  loaded = generated.exports;
  return loaded;
}

module.exports = { loadGenerator, root };
