import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPORT_FORMATS, type ReportFormat, renderReport } from "../../lib/reports";
import { parseReport, renderJson } from "../../lib/reports/json";
import { fixtureReport } from "./fixture";

// Regenerate with UPDATE_GOLDEN=1 npx jest test/reports/golden.test.ts, then review the diff.
const GOLDEN_DIR = join(__dirname, "golden");
const EXTENSION: Record<ReportFormat, string> = {
  html: "html",
  md: "md",
  csv: "csv",
  json: "json",
  junit: "junit.xml",
  sarif: "sarif",
  asff: "asff.json",
};

function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

// The second run of the fixture account, diffed against the first as `--previous` would read it.
const previousJson = renderJson(fixtureReport("previous"));
const current = fixtureReport("current", parseReport(JSON.parse(previousJson), "previous.json"));

describe("golden reports", () => {
  test("previous run, JSON (the --previous input)", () => expectGolden("previous.json", previousJson));

  test.each(REPORT_FORMATS)("current run with diff: %s", (format) => {
    expectGolden(`report.${EXTENSION[format]}`, renderReport(current, format));
  });
});
