import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { joinChunks } from "../../lib/io/text-chunks";
import { renderReportChunks, writeReportFile } from "../../lib/reports";
import { parseReport, renderJson } from "../../lib/reports/json";
import { syntheticReport } from "../../scripts/synthetic-findings";
import { fixtureReport } from "./fixture";

// The formats written as they render; their golden files are the output of the whole-string renderers they replaced.
const STREAMED = [
  ["json", "report.json"],
  ["csv", "report.csv"],
  ["junit", "report.junit.xml"],
  ["sarif", "report.sarif"],
  ["asff", "report.asff.json"],
] as const;

const golden = (name: string) => readFileSync(join(__dirname, "golden", name), "utf8");
const current = fixtureReport("current", parseReport(JSON.parse(renderJson(fixtureReport("previous"))), "previous.json"));

describe("reports rendered in chunks", () => {
  test.each(STREAMED)("%s: the chunks join to the golden file, and a file written as they come holds exactly it", async (format, name) => {
    expect(joinChunks(renderReportChunks(current, format))).toBe(golden(name));
    const dir = mkdtempSync(join(tmpdir(), "streamed-report-"));
    await writeReportFile(join(dir, name), current, format);
    expect(readFileSync(join(dir, name), "utf8")).toBe(golden(name));
    expect(readdirSync(dir)).toEqual([name]);
  });

  // 5000 findings: lists long enough to be written element by element, and a diff with resolved findings.
  const tool = { name: "ec2-config-rules", version: "test" };
  const large = syntheticReport(5000, tool, syntheticReport(5000, tool));

  test("a large JSON report is JSON.stringify's text exactly, each finding of a long list a chunk of its own", () => {
    expect(large.diff?.resolved.length).toBeGreaterThan(64);
    const chunks = [...renderReportChunks(large, "json")];
    expect(chunks.join("")).toBe(`${JSON.stringify(large, null, 2)}\n`);
    // Each finding of a long list is a chunk of its own; only short lists (up to 64) are one chunk.
    const findingsIn = chunks.map((chunk) => chunk.split('"ruleId":').length - 1);
    expect(findingsIn.filter((count) => count === 1).length).toBeGreaterThanOrEqual(
      large.findings.length + (large.diff?.resolved.length ?? 0),
    );
    expect(Math.max(...findingsIn)).toBeLessThanOrEqual(64);
  });

  test("a large SARIF log has JSON.stringify's layout, its results written one by one", () => {
    const chunks = [...renderReportChunks(large, "sarif")];
    const text = chunks.join("");
    const sarif = JSON.parse(text) as { runs: { results: unknown[] }[] };
    expect(text).toBe(`${JSON.stringify(sarif, null, 2)}\n`);
    expect(sarif.runs[0]?.results.length).toBeGreaterThan(64);
    expect(chunks.length).toBeGreaterThan(sarif.runs[0]?.results.length ?? 0);
  });

  test("a large ASFF file has JSON.stringify's layout, its findings written one by one", () => {
    const chunks = [...renderReportChunks(large, "asff")];
    const findings = JSON.parse(chunks.join("")) as unknown[];
    expect(chunks.join("")).toBe(`${JSON.stringify(findings, null, 2)}\n`);
    expect(findings).toHaveLength(large.findings.length);
    expect(chunks.length).toBeGreaterThan(findings.length);
  });

  test("large CSV and JUnit: one chunk per row and per test case line", () => {
    const csv = [...renderReportChunks(large, "csv")];
    expect(csv).toHaveLength(large.findings.length + 1);
    expect(csv.every((row) => row.endsWith("\r\n"))).toBe(true);
    const junit = joinChunks(renderReportChunks(large, "junit"));
    expect(junit.match(/<testcase /g)).toHaveLength(large.findings.length);
  });
});
