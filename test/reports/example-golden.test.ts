import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { writeReport } from "../../lib/cli/commands/report";
import { REPORT_FORMATS, type ReportFormat } from "../../lib/reports";
import { GOLDEN_RULE_IDS } from "../support/golden-rules";
import { TOOL } from "./fixture";

// Every format of the bundled example, through the report command's own path, at a fixed time.
// Restricted to the rules the goldens were written for (test/support/golden-rules.ts).
// Regenerate with UPDATE_GOLDEN=1 npx jest test/reports/example-golden.test.ts and review the diff.
const GOLDEN_DIR = join(__dirname, "golden", "example");
const EXAMPLE = relative(process.cwd(), join(__dirname, "..", "..", "examples", "account-snapshot.json"));
const EXTENSION: Record<ReportFormat, string> = {
  html: "html",
  md: "md",
  csv: "csv",
  json: "json",
  junit: "junit.xml",
  sarif: "sarif",
  asff: "asff.json",
};
const tmp = mkdtempSync(join(tmpdir(), "example-golden-"));
const now = () => new Date("2026-11-23T06:00:00.000Z");

describe("golden reports of the bundled example", () => {
  // Exemption expiry is judged against the clock (the example's exemptions end in 2027): fake only Date.
  beforeAll(() => {
    jest.useFakeTimers({
      now: now(),
      doNotFake: [
        "hrtime",
        "nextTick",
        "performance",
        "queueMicrotask",
        "setImmediate",
        "clearImmediate",
        "setInterval",
        "clearInterval",
        "setTimeout",
        "clearTimeout",
      ],
    });
  });
  afterAll(() => jest.useRealTimers());

  test.each(REPORT_FORMATS)("%s", async (format) => {
    const output = join(tmp, `report.${EXTENSION[format]}`);
    await writeReport({ snapshot: [EXAMPLE], rule: [...GOLDEN_RULE_IDS], format, output }, TOOL, now);
    const actual = readFileSync(output, "utf8");
    const golden = join(GOLDEN_DIR, `report.${EXTENSION[format]}`);
    if (process.env.UPDATE_GOLDEN === "1") {
      writeFileSync(golden, actual);
      return;
    }
    if (!existsSync(golden)) throw new Error(`missing golden file ${golden}; run with UPDATE_GOLDEN=1 to create it`);
    expect(actual).toBe(readFileSync(golden, "utf8"));
  });
});
