/**
 * Every file, and every README section, that says something about each rule, written from the
 * rules' metadata (RULES) alone: `npm run generate` writes them (scripts/generate.ts), and
 * test/generated.test.ts fails, naming the file and this command, when one is out of date.
 * A rule declares everything about itself here; nothing else has to be edited for it.
 */

import { ruleEvaluationStatements } from "../deploy/iam";
import { memberRoleTemplate, toYaml } from "../deploy/member-role";
import { FRAMEWORK_NAMES } from "../lib/engine/controls";
import { describeParameters } from "../lib/engine/parameter-docs";
import type { AnyRule, ControlMapping, FrameworkId } from "../lib/engine/rule";
import { REMEDIATIONS } from "../remediation";
import { automationFor, documentName } from "../remediation/ssm";
import { RULES } from "../rules";

export const GENERATE_COMMAND = "npm run generate";

export interface DerivedFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

/** The folder of the generated rule pages; a page there for no rule is stale. */
export const RULE_DOCS_FOLDER = "docs/rules";

export const ruleDocPath = (id: string): string => `${RULE_DOCS_FOLDER}/${id}.md`;
export const ruleHandlerPath = (id: string): string => `handlers/${id}.ts`;

const code = (text: string): string => `\`${text}\``;
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const row = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
const table = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  [row(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(row)].join("\n");

const managedRuleUri = (name: string): string => `https://docs.aws.amazon.com/config/latest/developerguide/${name}.html`;

/** The rule's Lambda entry: the same four lines for every rule. */
export function ruleHandler(id: string): string {
  return `import { createRuleHandler } from "../lib/lambda/handler";
import rule from "../rules/${id}";

export const handler = createRuleHandler(rule);
`;
}

/** What triggers the rule, in words: change notifications of its resource types, and/or the periodic sweep. */
function triggerWords(rule: AnyRule): { change: string; periodic: string } {
  const { triggers, resourceTypes } = rule.meta;
  return {
    change: triggers.includes("change") ? resourceTypes.map(code).join(", ") : "—",
    periodic: triggers.includes("periodic") ? "yes" : "—",
  };
}

/** "NIST: AC-3, AC-3(7), SC-7 and 7 enhancements": in catalogue order, a control with more than three enhancements summed up. */
function nistList(controls: readonly string[]): string {
  const parse = (id: string) => {
    const match = /^([A-Z]+)-(\d+)(?:\((\d+)\))?$/.exec(id);
    return { id, family: match?.[1] ?? id, number: Number(match?.[2] ?? 0), enhancement: Number(match?.[3] ?? 0) };
  };
  const sorted = controls
    .map(parse)
    .sort((a, b) => a.family.localeCompare(b.family) || a.number - b.number || a.enhancement - b.enhancement);
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const control of sorted) {
    const base = `${control.family}-${control.number}`;
    if (seen.has(base)) continue;
    seen.add(base);
    const group = sorted.filter((other) => `${other.family}-${other.number}` === base);
    const enhancements = group.filter((other) => other.enhancement > 0);
    if (enhancements.length > 3 && group.length > enhancements.length) parts.push(`${base} and ${enhancements.length} enhancements`);
    else parts.push(...group.map((other) => other.id));
  }
  return parts.join(", ");
}

function frameworkCell(controls: readonly ControlMapping[], framework: FrameworkId): string {
  const mine = controls.filter((control) => control.framework === framework);
  if (mine.length === 0) return "—";
  if (framework === "nist-800-53") return nistList(mine.map((control) => control.control));
  if (framework === "aws-fsbp") return mine.map((control) => control.control).join(", ");
  return mine.map((control) => `v${control.version} ${control.control}`).join(", ");
}

const ruleLink = (rule: AnyRule): string => `[${code(rule.meta.id)}](${ruleDocPath(rule.meta.id)})`;

/** README's rules table: what each rule reports on, when it fails, and the managed rule it matches. */
export function rulesTable(rules: readonly AnyRule[]): string {
  return table(
    ["rule", "reports on", "fails when", "matches AWS managed rule"],
    rules.map((rule) => [
      ruleLink(rule),
      rule.meta.resourceTypes.map(code).join(", "),
      rule.meta.failsWhen,
      rule.meta.managedRule ? code(rule.meta.managedRule) : "none",
    ]),
  );
}

/** README's trigger table, as the template wires each Config rule. */
export function triggersTable(rules: readonly AnyRule[]): string {
  return table(
    ["rule", "change-triggered by (normal and oversized notifications)", "periodic"],
    rules.map((rule) => {
      const words = triggerWords(rule);
      return [code(rule.meta.id), words.change, words.periodic];
    }),
  );
}

/** README's framework controls table: each rule's mappings, by framework. */
export function controlsTable(rules: readonly AnyRule[]): string {
  return table(
    ["rule", "AWS FSBP", "CIS AWS Foundations", "NIST SP 800-53 rev. 5", "PCI DSS"],
    rules.map((rule) => [
      rule.meta.managedRule ? `${code(rule.meta.id)} (${code(rule.meta.managedRule)})` : code(rule.meta.id),
      ...(["aws-fsbp", "cis-aws", "nist-800-53", "pci-dss"] as const).map((framework) => frameworkCell(rule.meta.controls, framework)),
    ]),
  );
}

/** The README sections written between `<!-- <name>:start … -->` and `<!-- <name>:end -->`. */
export const README_SECTIONS: Readonly<Record<string, (rules: readonly AnyRule[]) => string>> = {
  "rules-table": rulesTable,
  "triggers-table": triggersTable,
  "controls-table": controlsTable,
};

const startMarker = (name: string): string =>
  `<!-- ${name}:start (generated from the rules' metadata by \`${GENERATE_COMMAND}\`; edit the rules, not this) -->`;
const endMarker = (name: string): string => `<!-- ${name}:end -->`;

/** README with every generated section rewritten; a section whose markers are missing is an error naming them. */
export function withReadmeSections(readme: string, rules: readonly AnyRule[] = RULES): string {
  let text = readme;
  for (const [name, render] of Object.entries(README_SECTIONS)) {
    const start = text.indexOf(`<!-- ${name}:start`);
    const end = text.indexOf(endMarker(name));
    if (start < 0 || end < start)
      throw new Error(`README.md: the markers <!-- ${name}:start … --> and ${endMarker(name)} are missing or out of order`);
    text = `${text.slice(0, start)}${startMarker(name)}\n${render(rules)}\n${text.slice(end)}`;
  }
  return text;
}

function parametersSection(rule: AnyRule): string {
  const parameters = describeParameters(rule);
  if (parameters.length === 0) return "This rule takes no parameters.";
  const rows = parameters.map((parameter) => [
    code(parameter.name),
    parameter.allowed ? (parameter.type.startsWith("list of") ? "list" : "one of") : parameter.type,
    parameter.allowed ? parameter.allowed.map(code).join(", ") : "any",
    parameter.default === undefined ? "none (off)" : code(JSON.stringify(parameter.default)),
  ]);
  return [
    table(["parameter", "type", "allowed values", "default"], rows),
    "",
    `Give them offline with \`--params\` (\`{ "${rule.meta.id}": { … } }\`) and deployed with \`rules.${rule.meta.id}.parameters\` in \`deploy/params/<stage>.json\`; a value outside its domain is refused at every entry point.`,
  ].join("\n");
}

function controlsSection(rule: AnyRule): string {
  if (rule.meta.controls.length === 0) return "No framework maps this rule.";
  return table(
    ["framework", "version", "control", "title", "source"],
    rule.meta.controls.map((control) => [
      FRAMEWORK_NAMES[control.framework],
      control.version,
      control.control,
      control.title,
      `[AWS](${control.source})`,
    ]),
  );
}

function remediationSection(rule: AnyRule): string {
  const { id } = rule.meta;
  const lines = [rule.meta.remediation.summary, ""];
  const action = REMEDIATIONS.get(id);
  if (!action) {
    lines.push(`No remediation module: \`ec2-config-rules remediate --plan\` gives these steps to a person for each finding.`);
  } else {
    lines.push(
      `\`ec2-config-rules remediate --rule ${id}\` plans and applies the fix of \`remediation/${id}.ts\`${action.automatic ? "" : " (manual steps only: nothing is changed automatically)"}.`,
    );
  }
  const automation = automationFor(id);
  if (automation)
    lines.push(
      "",
      `Deployed, the fix is also the SSM Automation document \`${documentName(automation)}\` (manual unless \`remediation.${id}.mode\` says otherwise).`,
    );
  return lines.join("\n");
}

/** docs/rules/<id>.md: everything the rule's metadata says, as ESLint generates its rule pages. */
export function ruleDoc(rule: AnyRule): string {
  const { meta } = rule;
  const words = triggerWords(rule);
  const triggers = [
    ...(meta.triggers.includes("change") ? [`configuration changes of ${words.change}`] : []),
    ...(meta.triggers.includes("periodic") ? ["periodic (every `maximumExecutionFrequency`)"] : []),
  ].join("; ");
  const actions = ruleEvaluationStatements([rule])
    .flatMap((statement) => statement.Action)
    .sort();
  const reads = [...meta.requires, ...(meta.optional ?? []).map((kind) => `${kind} (optional)`)];
  const facts: [string, string][] = [
    ["Fails when", meta.failsWhen],
    ["Reports on", meta.resourceTypes.map(code).join(", ")],
    ["Triggers", triggers],
    ["Severity", meta.severity],
    ["Reads", reads.join(", ")],
    ["Reads and Config calls (IAM)", actions.map(code).join(", ")],
    [
      "AWS managed rule",
      meta.managedRule ? `[${code(meta.managedRule)}](${managedRuleUri(meta.managedRule)}): the defaults give its verdicts` : "none",
    ],
  ];
  if (meta.docs) facts.push(["AWS documentation", meta.docs]);
  return [
    `<!-- Generated from rules/${meta.id}.ts by \`${GENERATE_COMMAND}\`: edit the rule's metadata, not this file. -->`,
    `# ${meta.id}`,
    "",
    meta.description,
    "",
    table(["", meta.id], facts),
    "",
    "## Parameters",
    "",
    parametersSection(rule),
    "",
    "## Framework controls",
    "",
    controlsSection(rule),
    "",
    "## Remediation",
    "",
    remediationSection(rule),
    "",
    "## Source",
    "",
    `[\`rules/${meta.id}.ts\`](../../rules/${meta.id}.ts), tested by [\`test/rules/${meta.id}.test.ts\`](../../test/rules/${meta.id}.test.ts).`,
    "",
  ].join("\n");
}

export const memberRoleYaml = (): string => `${toYaml(memberRoleTemplate()).trimStart()}\n`;

export const RULE_IDS_PATH = "rules/ids.ts";

/**
 * The ids of every rule, for the code that must know them all but need not load them: a rule
 * function's exemption policy (a tag may name other rules) bundles this instead of every rule.
 */
export function ruleIdsModule(rules: readonly AnyRule[]): string {
  const ids = rules.map((rule) => `  ${JSON.stringify(rule.meta.id)},`).join("\n");
  return `// Generated by \`${GENERATE_COMMAND}\` from rules/index.ts: do not edit.\nexport const RULE_IDS: readonly string[] = [\n${ids}\n];\n`;
}

/** Every derived file, from the rules and the current README (whose hand-written parts are kept). */
export function derivedFiles(readme: string, rules: readonly AnyRule[] = RULES): DerivedFile[] {
  return [
    { path: "README.md", text: withReadmeSections(readme, rules) },
    ...rules.map((rule) => ({ path: ruleDocPath(rule.meta.id), text: ruleDoc(rule) })),
    ...rules.map((rule) => ({ path: ruleHandlerPath(rule.meta.id), text: ruleHandler(rule.meta.id) })),
    { path: "deploy/member-role.yml", text: memberRoleYaml() },
    { path: RULE_IDS_PATH, text: ruleIdsModule(rules) },
  ];
}

/** Where `actual` first departs from `expected`, as "line N", for a message that says what is stale. */
export function firstDifference(actual: string, expected: string): string {
  const a = actual.split("\n");
  const b = expected.split("\n");
  const line = a.findIndex((text, index) => text !== b[index]);
  const at = line < 0 ? Math.min(a.length, b.length) : line;
  return `line ${at + 1}: has ${JSON.stringify(a[at] ?? "(end of file)")}, expected ${JSON.stringify(b[at] ?? "(end of file)")}`;
}
