/**
 * The folder order (README, "Architecture"): data flows one way,
 *   foundation -> model -> sources -> engine -> rules -> AWS clients, collection, Config contract
 *   -> sinks -> entry points.
 * A module may import only what its row below allows (plus npm packages and Node's own modules);
 * anything else is reported as "not-in-allowed". Each exception is named, with its issue.
 */
const FOUNDATION = "lib/errors\\.ts$|lib/zod\\.ts$|lib/io/";
const CORE = `${FOUNDATION}|lib/model/|lib/sources/|lib/engine/|lib/exemptions/|rules/`;
const BELOW_SINKS = `${CORE}|lib/aws/|lib/collect/|lib/config/`;
const SINKS = "lib/alerts/|lib/securityhub/|lib/reports/|lib/record/|remediation/";

const layer = (from, to) => ({ from: { path: `^(${from})` }, to: { path: `^(${to})` } });

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "No module depends on itself through others.", from: {}, to: { circular: true } },
    { name: "not-to-unresolvable", severity: "error", from: {}, to: { couldNotResolve: true } },
  ],
  allowed: [
    { from: {}, to: { dependencyTypes: ["npm", "npm-dev", "npm-optional", "npm-peer", "core"] } },
    // Foundation: errors, the zod import, file reading and atomic writes.
    layer(FOUNDATION, FOUNDATION),
    // The normalized resource model knows nothing above it.
    layer("lib/model/", `${FOUNDATION}|lib/model/`),
    // Adapters into the model.
    layer("lib/sources/", `${FOUNDATION}|lib/model/|lib/sources/`),
    // The rule contract and runRules().
    layer("lib/engine/|lib/exemptions/", `${FOUNDATION}|lib/model/|lib/engine/|lib/exemptions/`),
    // Exception (issue 11): exemption files are validated against the rule ids of RULES.
    layer("lib/exemptions/", "rules/index\\.ts$"),
    // Rules are pure: the contract, the model and zod, nothing else.
    layer("rules/", "lib/engine/|lib/model/|lib/zod\\.ts$|rules/"),
    // SDK clients.
    layer("lib/aws/", `${FOUNDATION}|lib/aws/`),
    // Live collection, and the AWS Config rule contract (events, PutEvaluations, stored results).
    layer("lib/collect/", `${CORE}|lib/aws/|lib/collect/`),
    layer("lib/config/", `${CORE}|lib/aws/|lib/collect/|lib/config/`),
    // Sinks use everything below them and their own folder, not each other.
    layer("lib/alerts/", `${BELOW_SINKS}|lib/alerts/`),
    layer("lib/securityhub/", `${BELOW_SINKS}|lib/securityhub/`),
    layer("lib/reports/", `${BELOW_SINKS}|lib/reports/`),
    layer("lib/record/", `${BELOW_SINKS}|lib/record/`),
    layer("remediation/", `${BELOW_SINKS}|remediation/`),
    // Exceptions (issue 11), sink to sink:
    // the report's ASFF renderer reuses the Security Hub finding; the scheduled report publishes its bulletin itself;
    layer("lib/reports/", "lib/securityhub/finding\\.ts$|lib/alerts/bulletin\\.ts$|lib/alerts/publish\\.ts$"),
    // automatic remediation drives the alerts outbox (followUpRuleRun), and its report is an alert bulletin.
    layer("remediation/", "lib/alerts/"),
    // Entry points: the Lambda, the CLI (whose invoke runs the Lambda locally), handlers, deploy.
    // Nothing below imports them.
    layer("lib/lambda/", `${BELOW_SINKS}|${SINKS}|lib/lambda/`),
    layer("lib/cli/", `${BELOW_SINKS}|${SINKS}|lib/lambda/|lib/cli/`),
    // The organization scan's three steps (record, evaluate, merge and digest), run by handlers/scan-*.
    layer("lib/scan/", `${BELOW_SINKS}|${SINKS}|lib/scan/`),
    layer("handlers/", `${BELOW_SINKS}|${SINKS}|lib/lambda/|lib/scan/`),
    layer("deploy/", `${BELOW_SINKS}|${SINKS}|deploy/|lib/scan/keys\\.ts$|lib/scan/findings\\.ts$`),
  ],
  allowedSeverity: "error",
  options: {
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc reads the sources.
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
