import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeReportFile } from "../../lib/reports";
import { parseReport, readReport } from "../../lib/reports/json";
import type { Finding, Report } from "../../lib/reports/model";
import { syntheticReport } from "../../scripts/synthetic-findings";

/** A report of 20k findings with a diff, as a second run against a first writes it. */
const tool = { name: "ec2-config-rules", version: "test" };
const report = syntheticReport(20_000, tool, syntheticReport(20_000, tool));
const dir = mkdtempSync(join(tmpdir(), "read-report-"));

async function written(name: string, content: Report): Promise<string> {
  const path = join(dir, name);
  await writeReportFile(path, content, "json");
  return path;
}

describe("readReport of a large report", () => {
  test("streams it: the same report as one parse of the whole text, never a JSON.parse of the whole file", async () => {
    const path = await written("large.json", report);
    const whole = parseReport(JSON.parse(readFileSync(path, "utf8")), path);
    const parse = jest.spyOn(JSON, "parse");
    let read: Report;
    try {
      read = await readReport(path);
    } finally {
      parse.mockRestore();
    }
    expect(read.findings).toHaveLength(20_000);
    expect(read.diff?.resolved.length).toBeGreaterThan(0);
    expect(read).toEqual(whole);
    const longest = Math.max(...parse.mock.calls.map(([text]) => String(text).length));
    expect(longest).toBeLessThan(statSync(path).size / 4);
  });

  test("names the index and field of a bad finding, in the findings and in the diff's lists", async () => {
    const findings = [...report.findings];
    findings[12_345] = { ...(findings[12_345] as Finding), severity: "urgent" as Finding["severity"] };
    const badFinding = await written("bad-finding.json", { ...report, findings });
    await expect(readReport(badFinding)).rejects.toThrow(
      new RegExp(`^${badFinding}: field findings\\[12345\\]\\.severity: not a report of this tool: Invalid option`),
    );

    const diff = report.diff as NonNullable<Report["diff"]>;
    const resolved = [...diff.resolved];
    const { firstSeen: _firstSeen, ...withoutDate } = resolved[1] as Finding;
    resolved[1] = withoutDate as Finding;
    const badResolved = await written("bad-resolved.json", { ...report, diff: { ...diff, resolved } });
    await expect(readReport(badResolved)).rejects.toThrow(/: field diff\.resolved\[1\]\.firstSeen: not a report of this tool/);
  });

  test("refuses what is not a report: another version, no findings, a list that is not one", async () => {
    const file = join(dir, "small.json");
    const refusal = async (content: unknown) => {
      writeFileSync(file, JSON.stringify(content));
      return readReport(file).then(
        () => "read",
        (error: Error) => error.message,
      );
    };
    const { findings: _findings, ...noFindings } = report;
    expect(await refusal({ ...noFindings, reportVersion: 2 })).toMatch(
      /field reportVersion: not a report of this tool: unsupported report version/,
    );
    expect(await refusal(noFindings)).toMatch(/field findings: not a report of this tool: .*expected array/);
    expect(await refusal({ ...noFindings, findings: { ruleId: "x" } })).toMatch(
      /field findings: not a report of this tool: .*expected array/,
    );
    expect(await refusal({ ...noFindings, diff: null, findings: [] })).toMatch(/field diff: not a report of this tool/);
  });
});
