// Everything README, docs/rules/, handlers/ and deploy/member-role.yml say about each rule is
// written from RULES by `npm run generate` (scripts/derived.ts). This test fails, naming each
// stale file, where it first differs and the command that rewrites it, when one was edited by
// hand or a rule's metadata changed without regenerating.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "../rules";
import {
  derivedFiles,
  firstDifference,
  GENERATE_COMMAND,
  RULE_DOCS_FOLDER,
  ruleDoc,
  ruleDocPath,
  rulesTable,
  withReadmeSections,
} from "../scripts/derived";

const ROOT = join(__dirname, "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** Each derived file that is missing or differs, as one line saying what to run. */
function staleFiles(files: { path: string; text: string }[]): string[] {
  return files.flatMap((file) => {
    const path = join(ROOT, file.path);
    if (!existsSync(path)) return [`${file.path} is missing: run \`${GENERATE_COMMAND}\``];
    const current = readFileSync(path, "utf8");
    return current === file.text
      ? []
      : [`${file.path} is out of date (${firstDifference(current, file.text)}): run \`${GENERATE_COMMAND}\``];
  });
}

describe("files derived from the rules' metadata", () => {
  it("are all current (npm run generate rewrites them)", () => {
    expect(staleFiles(derivedFiles(readme))).toEqual([]);
  });

  it("docs/rules/ holds one page per rule and nothing else", () => {
    const pages = readdirSync(join(ROOT, RULE_DOCS_FOLDER)).map((name) => `${RULE_DOCS_FOLDER}/${name}`);
    expect(pages.sort()).toEqual(RULES.map((rule) => ruleDocPath(rule.meta.id)).sort());
  });

  it("a hand edit inside a generated README section is reported, with the command", () => {
    const edited = readme.replace(/\| `HttpTokens` is `optional` \|/, "| HttpTokens is not required |");
    expect(edited).not.toBe(readme);
    const [stale] = derivedFiles(edited).filter((file) => file.path === "README.md");
    expect(stale?.text).toBe(readme);
    expect(firstDifference(edited, stale?.text ?? "")).toMatch(/^line \d+: has ".*HttpTokens is not required/);
  });

  it("a metadata change shows in README's rules table and the rule's page", () => {
    const [first] = RULES;
    if (!first) throw new Error("no rules");
    const changed = { ...first, meta: { ...first.meta, failsWhen: "it is Tuesday" } };
    expect(rulesTable([changed])).toContain("| it is Tuesday |");
    expect(ruleDoc(changed)).toContain("| Fails when | it is Tuesday |");
    expect(withReadmeSections(readme, [changed, ...RULES.slice(1)])).not.toBe(readme);
  });

  it("README without a section's markers is an error naming them, never a silently skipped table", () => {
    const unmarked = readme.replace(/<!-- triggers-table:end -->/, "");
    expect(() => withReadmeSections(unmarked)).toThrow("<!-- triggers-table:end -->");
  });

  it("each rule's page says what its metadata says", () => {
    for (const rule of RULES) {
      const page = ruleDoc(rule);
      expect(page).toContain(`# ${rule.meta.id}\n\n${rule.meta.description}`);
      expect(page).toContain(rule.meta.failsWhen);
      expect(page).toContain(rule.meta.remediation.summary);
      expect(page).toContain(`| Severity | ${rule.meta.severity} |`);
      for (const type of rule.meta.resourceTypes) expect(page).toContain(`\`${type}\``);
      for (const control of rule.meta.controls) expect(page).toContain(`| ${control.control} |`);
      if (rule.meta.managedRule) expect(page).toContain(`[\`${rule.meta.managedRule}\`]`);
    }
  });
});
