/**
 * npm run new-rule -- <id>: scaffolds a rule as ESLint's rule generator does. Writes rules/<id>.ts
 * (a runnable placeholder: instance detailed monitoring), test/rules/<id>.test.ts (compliant,
 * non-compliant and not-applicable cases through the rule tester) and handlers/<id>.ts, adds the
 * import to rules/index.ts and a row to README's rules table, then regenerates deploy/member-role.yml. Edit the rule and its test;
 * nothing else has to know about the rule.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(__dirname, "..");
const KEBAB_CASE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function fail(message: string): never {
  process.stderr.write(`new-rule: ${message}\n`);
  process.exit(1);
}

function camelCase(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Written whole or not at all, so a failed run leaves no half-written file. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

export function ruleModule(id: string): string {
  return `import { defineRule, type Evaluation, verdict } from "../lib/engine/rule";
import type { Instance } from "../lib/model/types";
import * as z from "../lib/zod";

const RULE_ID = "${id}";

// A placeholder made by \`npm run new-rule\`: it checks detailed monitoring. Replace judge(), the
// metadata and the test cases with the rule's own.
const parameters = z.strictObject({});

function judge(instance: Instance): Evaluation {
  const rule = (complianceType: Evaluation["complianceType"], annotation: string) =>
    verdict(RULE_ID, instance, complianceType, annotation);

  if (instance.state.toLowerCase() === "terminated") return rule("NOT_APPLICABLE", "Instance is terminated");
  const monitoring = instance.monitoringState ?? "not recorded";
  // Fail closed: an instance whose monitoring state is not recorded is not shown to be monitored.
  if (monitoring !== "enabled") return rule("NON_COMPLIANT", \`Detailed monitoring is \${monitoring}, not enabled\`);
  return rule("COMPLIANT", "Detailed monitoring is enabled");
}

export default defineRule({
  meta: {
    id: RULE_ID,
    description: "EC2 instances must have detailed (1-minute) CloudWatch monitoring enabled.",
    resourceTypes: ["AWS::EC2::Instance"],
    triggers: ["change", "periodic"],
    severity: "low",
    controls: [],
    requires: ["instance"],
    parameters,
    remediation: {
      summary: "Enable detailed monitoring with MonitorInstances (aws ec2 monitor-instances --instance-ids <id>).",
    },
    docs: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/manage-detailed-monitoring.html",
  },
  evaluate({ model }) {
    const evaluations: Evaluation[] = [];
    for (const instance of model.all("instance")) evaluations.push(judge(instance));
    return evaluations;
  },
});
`;
}

export function ruleTest(id: string): string {
  return `import rule from "../../rules/${id}";
import { TEST_ACCOUNT, testRule } from "../support/rule-tester";

/** One instance as DescribeInstances returns it, with the monitoring state under test. */
function instance(id: string, monitoring: "enabled" | "disabled" | undefined, state: "running" | "terminated" = "running") {
  return {
    InstanceId: id,
    InstanceType: "t3.micro",
    ImageId: "ami-0c1d2e3f4a5b6c7d8",
    LaunchTime: "2026-10-01T09:30:00.000Z",
    ...(monitoring ? { Monitoring: { State: monitoring } } : {}),
    NetworkInterfaces: [],
    SecurityGroups: [],
    State: state === "running" ? { Code: 16, Name: "running" } : { Code: 48, Name: "terminated" },
    SubnetId: "subnet-0a1b2c3d4e5f60718",
    VpcId: "vpc-0fedcba9876543210",
    Tags: [{ Key: "Name", Value: id }],
  };
}

const account = (...instances: ReturnType<typeof instance>[]) => ({
  responses: {
    DescribeInstances: { Reservations: [{ ReservationId: "r-0a1b2c3d4e5f60718", OwnerId: TEST_ACCOUNT, Instances: instances }] },
  },
});

testRule(rule, [
  {
    name: "enabled is COMPLIANT, disabled is NON_COMPLIANT",
    fixture: account(instance("i-0000000000000000a", "enabled"), instance("i-0000000000000000b", "disabled")),
    expected: [
      { resourceId: "i-0000000000000000a", complianceType: "COMPLIANT" },
      { resourceId: "i-0000000000000000b", complianceType: "NON_COMPLIANT", annotation: "disabled" },
    ],
  },
  {
    name: "a terminated instance is NOT_APPLICABLE",
    fixture: account(instance("i-0000000000000000a", "disabled", "terminated")),
    expected: [{ resourceId: "i-0000000000000000a", complianceType: "NOT_APPLICABLE" }],
  },
  {
    name: "an instance with no recorded monitoring state is NON_COMPLIANT (fail closed)",
    fixture: account(instance("i-0000000000000000a", undefined)),
    expected: [{ resourceId: "i-0000000000000000a", complianceType: "NON_COMPLIANT", annotation: "not recorded" }],
  },
]);
`;
}

export function ruleHandler(id: string): string {
  return `import { createRuleHandler } from "../lib/lambda/handler";
import rule from "../rules/${id}";

export const handler = createRuleHandler(rule);
`;
}

/** rules/index.ts with the new import (kept sorted) and the rule appended to RULES. */
export function withRuleRegistered(index: string, id: string): string {
  const name = camelCase(id);
  const lines = index.split("\n");
  const imports = lines.filter((line) => /^import \w+ from "\.\/[a-z0-9-]+";$/.test(line));
  if (imports.length === 0) fail("rules/index.ts has no rule imports to extend");
  const sorted = [...imports, `import ${name} from "./${id}";`].sort((a, b) => a.localeCompare(b));
  const first = lines.indexOf(imports[0] as string);
  const rest = lines.filter((line) => !imports.includes(line));
  rest.splice(first, 0, ...sorted);
  const text = rest.join("\n");
  const list = /(export const RULES: readonly AnyRule\[\] = \[\n(?: {2}\w+,\n)*)(\] as AnyRule\[\];)/;
  if (!list.test(text)) fail("rules/index.ts: RULES list not found in its usual shape");
  return text.replace(list, `$1  ${name},\n$2`);
}

const RULE_TABLE_HEADER = "| rule | reports on | fails when | matches AWS managed rule |\n|---|---|---|---|\n";

/** README.md with the rule's row at the end of the rules table (test/readme.test.ts wants one per rule). */
export function withReadmeRow(readme: string, id: string): string {
  const start = readme.indexOf(RULE_TABLE_HEADER);
  if (start < 0) fail("README.md: the rules table (| rule | reports on | fails when | ...) not found");
  let end = start + RULE_TABLE_HEADER.length;
  while (readme.startsWith("| `", end)) end = readme.indexOf("\n", end) + 1;
  const row = `| \`${id}\` | \`AWS::EC2::Instance\` | detailed monitoring is not enabled (placeholder: describe what the rule fails) | none |\n`;
  return readme.slice(0, end) + row + readme.slice(end);
}

function main(): void {
  const id = process.argv[2];
  if (!id || process.argv.length > 3) fail("usage: npm run new-rule -- <rule-id>   (kebab-case, e.g. instance-monitoring)");
  if (!KEBAB_CASE.test(id)) fail(`rule id "${id}" must be kebab-case: lower-case letters and digits joined by single hyphens`);
  const files = {
    rule: join(root, "rules", `${id}.ts`),
    test: join(root, "test", "rules", `${id}.test.ts`),
    handler: join(root, "handlers", `${id}.ts`),
  };
  const index = join(root, "rules", "index.ts");
  const indexText = readFileSync(index, "utf8");
  for (const path of Object.values(files)) if (existsSync(path)) fail(`${relative(root, path)} already exists: rule "${id}" is taken`);
  if (indexText.includes(`"./${id}"`)) fail(`rules/index.ts already imports "./${id}"`);

  const updatedIndex = withRuleRegistered(indexText, id);
  const readme = join(root, "README.md");
  const updatedReadme = withReadmeRow(readFileSync(readme, "utf8"), id);
  writeAtomically(files.rule, ruleModule(id));
  writeAtomically(files.test, ruleTest(id));
  writeAtomically(files.handler, ruleHandler(id));
  writeAtomically(index, updatedIndex);
  writeAtomically(readme, updatedReadme);
  for (const path of [...Object.values(files), index, readme]) process.stdout.write(`wrote ${relative(root, path)}\n`);
  // The member role's read permissions derive from every rule's requires.
  execFileSync(process.execPath, [join(root, "deploy", "write-member-role.js")], { cwd: root, stdio: "inherit" });
  process.stdout.write(`\nNext: edit rules/${id}.ts and test/rules/${id}.test.ts (and its README row), then npm test.\n`);
}

if (require.main === module) main();
