import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(__dirname, "..");
const DEPCRUISE = join(ROOT, "node_modules", ".bin", "depcruise");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

function depcruise(cwd: string, folders: string[]) {
  const result = spawnSync(DEPCRUISE, [...folders, "--config", CONFIG, "--output-type", "err"], { cwd, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the folder order (.dependency-cruiser.cjs, run by npm test)", () => {
  it("names no exception: every row is a folder's place in the order", () => {
    const config = readFileSync(CONFIG, "utf8");
    expect(config).not.toMatch(/exception/i);
  });

  it("holds for the real tree", () => {
    const { status, output } = depcruise(ROOT, ["lib", "rules", "remediation", "handlers", "deploy"]);
    expect(output).toContain("no dependency violations found");
    expect(status).toBe(0);
  });

  describe("on a tree with back-edges", () => {
    let dir: string;
    const files: Record<string, string> = {
      "tsconfig.json": "{}",
      "lib/cli/main.ts": "export const main = 1;\n",
      "lib/engine/rule.ts": "export const rule = 1;\n",
      "remediation/automatic.ts": "export const automatic = 1;\n",
      "lib/alerts/bulletin.ts": "export const bulletin = 1;\n",
      "lib/config/previous-results.ts": "export const previous = 1;\n",
      // each of these imports against the order
      "lib/model/types.ts": 'import { main } from "../cli/main";\nexport const types = main;\n',
      "lib/lambda/handler.ts": 'import { main } from "../cli/main";\nexport const handler = main;\n',
      "lib/alerts/after-run.ts": 'import { automatic } from "../../remediation/automatic";\nexport const afterRun = automatic;\n',
      "rules/some-rule.ts": 'import { handler } from "../lib/lambda/handler";\nexport const someRule = handler;\n',
      // sink to sink: the report publishing its own bulletin, remediation driving the alerts
      "lib/reports/scheduled.ts": 'import { bulletin } from "../alerts/bulletin";\nexport const scheduled = bulletin;\n',
      "remediation/follow-up.ts": 'import { bulletin } from "../lib/alerts/bulletin";\nexport const followUp = bulletin;\n',
      // alerts reaching into the Config rule contract
      "lib/alerts/outbox.ts": 'import { previous } from "../config/previous-results";\nexport const outbox = previous;\n',
      // a cycle inside one folder
      "lib/reports/a.ts": 'import { b } from "./b";\nexport const a = () => b;\n',
      "lib/reports/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n',
      // allowed: a rule importing the rule contract
      "rules/good-rule.ts": 'import { rule } from "../lib/engine/rule";\nexport const goodRule = rule;\n',
      // allowed: the entry point composing the report and the alerts sink
      "lib/lambda/scheduled-report.ts":
        'import { bulletin } from "../alerts/bulletin";\nimport { scheduled } from "../reports/scheduled";\nexport const run = [bulletin, scheduled];\n',
    };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "architecture-"));
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("fails and names every back-edge and the cycle, and nothing allowed", () => {
      const { status, output } = depcruise(dir, ["lib", "rules", "remediation"]);
      expect(status).not.toBe(0);
      expect(output).toContain("not-in-allowed: lib/model/types.ts → lib/cli/main.ts");
      expect(output).toContain("not-in-allowed: lib/lambda/handler.ts → lib/cli/main.ts");
      expect(output).toContain("not-in-allowed: lib/alerts/after-run.ts → remediation/automatic.ts");
      expect(output).toContain("not-in-allowed: rules/some-rule.ts → lib/lambda/handler.ts");
      expect(output).toContain("not-in-allowed: lib/reports/scheduled.ts → lib/alerts/bulletin.ts");
      expect(output).toContain("not-in-allowed: remediation/follow-up.ts → lib/alerts/bulletin.ts");
      expect(output).toContain("not-in-allowed: lib/alerts/outbox.ts → lib/config/previous-results.ts");
      expect(output).toMatch(/no-circular: lib\/reports\/(a|b)\.ts → /);
      expect(output).not.toContain("rules/good-rule.ts →");
      expect(output).not.toContain("lib/lambda/scheduled-report.ts →");
    });
  });
});

describe("README's architecture section", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Architecture"), readme.indexOf("## Benchmark"));
  const listed = new Set([...section.matchAll(/^(\S+)\s{2,}/gm)].map((match) => match[1]));

  it("lists every folder of lib/ and of the repository, and every module directly in lib/", () => {
    const top = readdirSync(ROOT, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && !["node_modules", "dist", "bench-data"].includes(entry.name))
      .map((entry) => `${entry.name}/`);
    const lib = readdirSync(join(ROOT, "lib"), { withFileTypes: true }).map(
      (entry) => `lib/${entry.name}${entry.isDirectory() ? "/" : ""}`,
    );
    const missing = [...top.filter((folder) => folder !== "lib/"), ...lib].filter((path) => !listed.has(path));
    expect(missing).toEqual([]);
  });
});
