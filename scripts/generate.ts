/**
 * npm run generate: rewrites every file derived from the rules' metadata (scripts/derived.ts):
 * README's rules, trigger and controls tables, docs/rules/<id>.md, handlers/<id>.ts and
 * deploy/member-role.yml and rules/ids.ts. Files already current are left alone; a page in docs/rules/ for no rule
 * is removed. Run after changing a rule's metadata; test/generated.test.ts says when it is due.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { RULES } from "../rules";
import { derivedFiles, RULE_DOCS_FOLDER, ruleDocPath } from "./derived";

const root = join(__dirname, "..");

/** Written whole or not at all, so a failed run leaves no half-written file. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function main(): void {
  const files = derivedFiles(readFileSync(join(root, "README.md"), "utf8"));
  let changed = 0;
  for (const file of files) {
    const path = join(root, file.path);
    if (existsSync(path) && readFileSync(path, "utf8") === file.text) continue;
    writeAtomically(path, file.text);
    process.stdout.write(`wrote ${file.path}\n`);
    changed++;
  }
  const pages = new Set(RULES.map((rule) => ruleDocPath(rule.meta.id)));
  for (const name of readdirSync(join(root, RULE_DOCS_FOLDER))) {
    const page = `${RULE_DOCS_FOLDER}/${name}`;
    if (name.endsWith(".md") && !pages.has(page)) {
      rmSync(join(root, page));
      process.stdout.write(`removed ${page} (no such rule)\n`);
      changed++;
    }
  }
  if (changed === 0) process.stdout.write(`generate: all ${files.length} derived files are current\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`generate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
