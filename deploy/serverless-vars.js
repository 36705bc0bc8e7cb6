// serverless.yml takes its functions and resources from here: `${file(./deploy/serverless-vars.js):functions}`.
// The stage's parameters file is deploy/params/<stage>.json, or the one named by --param="config=<path>".
const path = require("node:path");
const { loadGenerator, root } = require("./load");

const stacks = new Map();

function paramOf(options, key) {
  for (const item of options.param || []) {
    const separator = item.indexOf("=");
    if (item.slice(0, separator) === key) return item.slice(separator + 1);
  }
  return undefined;
}

function stackFor(options) {
  const stage = options.stage || "dev";
  const paramsFile = path.resolve(root, paramOf(options, "config") || path.join("deploy", "params", `${stage}.json`));
  const key = `${stage}\n${paramsFile}`;
  if (!stacks.has(key)) stacks.set(key, loadGenerator().generate({ stage, paramsFile, root }));
  return stacks.get(key);
}

module.exports = {
  functions: ({ options }) => stackFor(options).functions,
  resources: ({ options }) => stackFor(options).resources,
  logRetentionDays: ({ options }) => stackFor(options).logRetentionDays,
};
