/**
 * npm run new-rule -- <id>: scaffolds a rule as ESLint's rule generator does. Writes rules/<id>.ts
 * (a runnable placeholder: instance detailed monitoring) and test/rules/<id>.test.ts (compliant,
 * non-compliant and not-applicable cases through the rule tester), adds the import to
 * rules/index.ts, then runs `npm run generate`, which writes what derives from the metadata:
 * handlers/<id>.ts, docs/rules/<id>.md, README's tables, deploy/member-role.yml and rules/ids.ts. Edit the rule
 * and its test (and run `npm run generate` after changing its metadata); nothing else has to know
 * about the rule.
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
    failsWhen: "detailed monitoring is not enabled (placeholder: say when the rule fails)",
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

function main(): void {
  const id = process.argv[2];
  if (!id || process.argv.length > 3) fail("usage: npm run new-rule -- <rule-id>   (kebab-case, e.g. instance-monitoring)");
  if (!KEBAB_CASE.test(id)) fail(`rule id "${id}" must be kebab-case: lower-case letters and digits joined by single hyphens`);
  const files = {
    rule: join(root, "rules", `${id}.ts`),
    test: join(root, "test", "rules", `${id}.test.ts`),
  };
  const taken = [...Object.values(files), join(root, "handlers", `${id}.ts`), join(root, "docs", "rules", `${id}.md`)];
  const index = join(root, "rules", "index.ts");
  const indexText = readFileSync(index, "utf8");
  for (const path of taken) if (existsSync(path)) fail(`${relative(root, path)} already exists: rule "${id}" is taken`);
  if (indexText.includes(`"./${id}"`)) fail(`rules/index.ts already imports "./${id}"`);

  const updatedIndex = withRuleRegistered(indexText, id);
  writeAtomically(files.rule, ruleModule(id));
  writeAtomically(files.test, ruleTest(id));
  writeAtomically(index, updatedIndex);
  for (const path of [...Object.values(files), index]) process.stdout.write(`wrote ${relative(root, path)}\n`);
  // Formatted and imports sorted as biome.json says, so the scaffold passes `biome check` as written.
  try {
    execFileSync(join(root, "node_modules", ".bin", "biome"), ["check", "--write", ...Object.values(files), index], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
  } catch {
    process.stderr.write("new-rule: biome check --write reported problems in the new files (above); fix them before npm test\n");
  }
  // A new process, so that the generator's RULES include the rule just registered.
  try {
    execFileSync("npm", ["run", "--silent", "generate"], { cwd: root, stdio: "inherit" });
  } catch {
    fail(`the rule's files are written, but \`npm run generate\` failed (its message is above); fix it and run it again`);
  }
  process.stdout.write(
    `\nNext: edit rules/${id}.ts and test/rules/${id}.test.ts, run \`npm run generate\` after changing the rule's metadata, then npm test.\n`,
  );
}

if (require.main === module) main();
