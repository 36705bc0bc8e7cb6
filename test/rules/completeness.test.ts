// Every rule brings everything it needs, as ESLint's checkRuleFiles checks its rules: a module
// named after its id, its test, complete metadata, and the files generated from it (its Lambda
// handler and its docs page). `npm run new-rule -- <id>` writes all of them; this test names what
// is missing when a rule was added another way, and the command that writes it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type AnyRule, parseRuleParameters } from "../../lib/engine/rule";
import { RESOURCE_KINDS } from "../../lib/model/kinds";
import { ruleHelpUri, SEVERITIES } from "../../lib/reports/model";
import { REMEDIATIONS } from "../../remediation";
import { RULES } from "../../rules";
import { RULE_IDS } from "../../rules/ids";
import { GENERATE_COMMAND, ruleDoc, ruleDocPath, ruleHandler, ruleHandlerPath } from "../../scripts/derived";

const ROOT = join(__dirname, "..", "..");
const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const idsOf = (folder: string, suffix: string) =>
  readdirSync(join(ROOT, folder))
    .filter((name) => name.endsWith(suffix))
    .map((name) => name.slice(0, -suffix.length));

describe.each(RULES.map((rule) => [rule.meta.id, rule] as [string, AnyRule]))("rule %s", (id, rule) => {
  it("is the default export of rules/<id>.ts", () => {
    expect(id).toMatch(KEBAB_CASE);
    expect(require(join(ROOT, "rules", id)).default).toBe(rule);
  });

  it("names its id RULE_ID, as every rule does", () => {
    const source = readFileSync(join(ROOT, "rules", `${id}.ts`), "utf8");
    expect(source).toContain(`const RULE_ID = "${id}";`);
    expect(source).toMatch(/^ {4}id: RULE_ID,$/m);
  });

  it("has its test, test/rules/<id>.test.ts, run through the rule tester", () => {
    const test = join(ROOT, "test", "rules", `${id}.test.ts`);
    expect({ test: existsSync(test) }).toEqual({ test: true });
    expect(readFileSync(test, "utf8")).toContain("testRule(rule");
  });

  /** The generated file as it should be, or a line saying it is missing or stale and what to run. */
  const generated = (path: string, expected: string): string => {
    const file = join(ROOT, path);
    if (!existsSync(file)) return `${path} is missing: run \`${GENERATE_COMMAND}\``;
    return readFileSync(file, "utf8") === expected ? "current" : `${path} is out of date: run \`${GENERATE_COMMAND}\``;
  };

  it("has its Lambda handler, handlers/<id>.ts, as generated for this rule", () => {
    expect(generated(ruleHandlerPath(id), ruleHandler(id))).toBe("current");
  });

  it("has its docs page, docs/rules/<id>.md, generated from its current metadata", () => {
    expect(generated(ruleDocPath(id), ruleDoc(rule))).toBe("current");
  });

  it("has complete metadata", () => {
    const { meta } = rule;
    expect(meta.description.length).toBeGreaterThan(20);
    expect(meta.failsWhen.length).toBeGreaterThan(5);
    expect(meta.resourceTypes.length).toBeGreaterThan(0);
    for (const type of meta.resourceTypes) expect(type).toMatch(/^AWS::\w*::\w+$/);
    expect(meta.triggers.length).toBeGreaterThan(0);
    for (const trigger of meta.triggers) expect(["change", "periodic"]).toContain(trigger);
    expect(SEVERITIES).toContain(meta.severity);
    expect(meta.requires.length).toBeGreaterThan(0);
    for (const kind of [...meta.requires, ...(meta.optional ?? [])]) expect(RESOURCE_KINDS).toContain(kind);
    expect(Array.isArray(meta.controls)).toBe(true);
    expect(meta.remediation.summary.length).toBeGreaterThan(10);
    // Every parameter has a default: the rule runs with none given.
    expect(() => parseRuleParameters(rule, undefined)).not.toThrow();
    // Reports and SARIF link each rule's documentation (meta.docs, else the managed rule's page).
    expect(ruleHelpUri(rule)).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });
});

describe("nothing outside RULES", () => {
  const ruleIds = RULES.map((rule) => rule.meta.id);

  it("ids are unique", () => {
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
  });

  it("every module in rules/ is registered in rules/index.ts", () => {
    // index.ts registers the rules; ids.ts is generated from it (npm run generate).
    expect(
      idsOf("rules", ".ts")
        .filter((id) => id !== "index" && id !== "ids")
        .sort(),
    ).toEqual([...ruleIds].sort());
  });

  it("rules/ids.ts lists the ids of RULES, in order", () => {
    expect(RULE_IDS).toEqual(ruleIds);
  });

  it("every handler but the scheduled report and the organization scan's steps serves a rule", () => {
    const notRules = new Set(["scheduled-report", "scan-plan", "scan-item", "scan-merge"]);
    expect(
      idsOf("handlers", ".ts")
        .filter((id) => !notRules.has(id))
        .sort(),
    ).toEqual([...ruleIds].sort());
  });

  it("every remediation module belongs to a rule (a rule without one plans manual steps from meta.remediation.summary)", () => {
    for (const ruleId of REMEDIATIONS.keys()) expect(ruleIds).toContain(ruleId);
  });
});
