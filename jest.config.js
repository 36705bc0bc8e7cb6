/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  transform: { "^.+\\.(t|j)s$": ["@swc/jest"] },
  // @middy ships ESM only; let the transformer compile it for CommonJS Jest.
  transformIgnorePatterns: ["/node_modules/(?!@middy/)"],
  setupFiles: ["<rootDir>/test/setup-env.js"],
  testTimeout: 30000,
};
