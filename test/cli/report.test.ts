import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { EXAMPLE_SNAPSHOT, runCli } from "../support/cli";

const example = EXAMPLE_SNAPSHOT;

const cli = (...args: string[]) => runCli(args);

const tmp = mkdtempSync(join(tmpdir(), "cli-report-"));

describe("ec2-config-rules report", () => {
  it("writes a JSON report, then diffs a second run against it with --previous", () => {
    const first = join(tmp, "first.json");
    const written = cli("report", "--snapshot", example, "--format", "json", "--output", first);
    expect(written).toMatchObject({ code: 0, stdout: "" });
    expect(written.stderr).toMatch(/^wrote .*first\.json: \d+ non-compliant of \d+ evaluations/);
    const report = JSON.parse(readFileSync(first, "utf8"));
    expect(report.reportVersion).toBe(1);
    expect(report.inputs[0]).toMatchObject({ path: example, format: "recorded" });
    expect(report.diff).toBeUndefined();

    const second = join(tmp, "second.json");
    expect(cli("report", "-s", example, "--previous", first, "-f", "json", "-o", second).code).toBe(0);
    const diffed = JSON.parse(readFileSync(second, "utf8"));
    const failing = report.findings.filter((finding: { complianceType: string }) => finding.complianceType === "NON_COMPLIANT");
    expect(diffed.diff.counts).toMatchObject({ new: 0, resolved: 0, "still-failing": failing.length });
    // First seen is carried from the first run.
    expect(diffed.findings.map((finding: { firstSeen: string }) => finding.firstSeen)).toEqual(
      report.findings.map((finding: { firstSeen: string }) => finding.firstSeen),
    );
  });

  it("honours --rule and --exemptions like evaluate", () => {
    const exemptions = join(tmp, "exempt.json");
    writeFileSync(
      exemptions,
      JSON.stringify({
        exemptions: [
          { rules: ["eip-attached"], resourceId: "eipalloc-0idle000000000001", reason: "DR", owner: "net", expires: "2999-01-01" },
        ],
      }),
    );
    const output = join(tmp, "eip.csv");
    expect(cli("report", "-s", example, "--rule", "eip-attached", "--exemptions", exemptions, "-f", "csv", "-o", output).code).toBe(0);
    const rows = readFileSync(output, "utf8").trim().split("\r\n").slice(1);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.startsWith("eip-attached,"))).toBe(true);
    expect(rows.find((row) => row.includes("eipalloc-0idle000000000001"))).toContain("NOT_APPLICABLE,true,");
  });

  it("refuses a previous report of another version with one line naming the file and field, and writes nothing", () => {
    const previous = join(tmp, "v2.json");
    writeFileSync(previous, JSON.stringify({ reportVersion: 2 }));
    const output = join(tmp, "keep.md");
    writeFileSync(output, "old content");
    const { code, stderr } = cli("report", "-s", example, "--previous", previous, "-f", "md", "-o", output);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain(`${previous}: field reportVersion: `);
    expect(readFileSync(output, "utf8")).toBe("old content");
  });

  it("exits 2 on an unknown format, a missing --format or a missing output folder, leaving no temp file", () => {
    expect(cli("report", "-s", example, "-f", "pdf", "-o", join(tmp, "x.pdf")).code).toBe(2);
    expect(cli("report", "-s", example, "-o", join(tmp, "x.html")).code).toBe(2);
    const missing = cli("report", "-s", example, "-f", "html", "-o", join(tmp, "no-such-dir", "r.html"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-dir\/r\.html: field --output: output folder .* does not exist/);
    expect(existsSync(join(tmp, "x.html"))).toBe(false);
    expect(readdirSync(tmp).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("ec2-config-rules report --format sarif", () => {
  it("--sarif-results failing leaves out the suppressed results; it applies to SARIF only", () => {
    const all = join(tmp, "all.sarif");
    const failing = join(tmp, "failing.sarif");
    expect(cli("report", "-s", example, "-f", "sarif", "-o", all).code).toBe(0);
    expect(cli("report", "-s", example, "-f", "sarif", "--sarif-results", "failing", "-o", failing).code).toBe(0);
    const results = (file: string) => JSON.parse(readFileSync(file, "utf8")).runs[0].results as { suppressions?: unknown[] }[];
    expect(results(all).filter((result) => result.suppressions)).toHaveLength(2);
    expect(results(failing)).toHaveLength(results(all).length - 2);
    const wrong = cli("report", "-s", example, "-f", "json", "--sarif-results", "failing", "-o", join(tmp, "wrong.json"));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/field --sarif-results: applies to --format sarif only/);
    expect(existsSync(join(tmp, "wrong.json"))).toBe(false);
  });
});

describe("ec2-config-rules report --format html", () => {
  it("--html-max-findings lists the failing findings only beyond it; the page names --html-full-report from its own folder", () => {
    const json = join(tmp, "full", "run.json");
    const html = join(tmp, "pages", "run.html");
    mkdirSync(dirname(html), { recursive: true });
    expect(cli("report", "-s", example, "-f", "html", "--html-max-findings", "2", "--html-full-report", json, "-o", html).code).toBe(0);
    const page = readFileSync(html, "utf8");
    const payload = page.match(/<script type="application\/json" id="report-data">([^<]*)<\/script>/)?.[1] ?? "";
    expect(JSON.parse(payload).f).toHaveLength(2);
    expect(page).toContain("Every finding is in the full report <code>../full/run.json</code>.");
  });

  it("refuses --html-max-findings that is not a count, and the HTML options with another format, writing nothing", () => {
    const output = join(tmp, "bad.html");
    const notCount = cli("report", "-s", example, "-f", "html", "--html-max-findings", "ten", "-o", output);
    expect(notCount.code).toBe(2);
    expect(notCount.stderr.trim()).toMatch(/field --html-max-findings: expected a whole number of findings >= 0, got "ten"$/);
    const wrong = cli("report", "-s", example, "-f", "csv", "--html-full-report", "x.json", "-o", join(tmp, "bad.csv"));
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/field --html-full-report: applies to --format html only/);
    expect(existsSync(output) || existsSync(join(tmp, "bad.csv"))).toBe(false);
  });
});
