import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACCOUNT_RESOURCE_TYPE, type Evaluation } from "../../lib/engine/rule";
import { writeReportFile } from "../../lib/reports";
import { readReport, renderJson, streamReport } from "../../lib/reports/json";
import { buildReport, buildReportAgainst, COMPLIANCE_TYPES, type Finding, type Report } from "../../lib/reports/model";
import { SYNTHETIC_SCOPES, syntheticEvaluations, syntheticReport } from "../../scripts/synthetic-findings";
import { EXAMPLE_SNAPSHOT, runCli } from "../support/cli";
import { reportRules, TOOL } from "./fixture";

const dir = mkdtempSync(join(tmpdir(), "streamed-previous-"));
const ACCOUNT = "111122223333";
const now = () => new Date("2026-11-03T00:00:00.000Z");

async function written(name: string, report: Report): Promise<string> {
  const path = join(dir, name);
  await writeReportFile(path, report, "json");
  return path;
}

const evaluation = (resourceId: string, complianceType: Evaluation["complianceType"], more: Partial<Evaluation> = {}): Evaluation => ({
  ruleId: "eip-attached",
  resourceType: "AWS::EC2::EIP",
  resourceId,
  region: "eu-west-1",
  accountId: ACCOUNT,
  complianceType,
  annotation: `${complianceType} ${resourceId}`,
  ...more,
});

describe("a report against a previous report read as a stream", () => {
  test("is the report against the previous report read whole, byte for byte", async () => {
    // A previous report with a diff of its own, listing findings absent from it: not findings to compare with.
    const first = buildReport({
      evaluations: syntheticEvaluations(3_000, { changed: true }).filter((_, index) => index % 5 !== 0),
      rules: reportRules(),
      scopes: SYNTHETIC_SCOPES,
      previous: syntheticReport(3_000, TOOL),
      tool: TOOL,
      now: () => new Date("2026-11-02T00:00:00.000Z"),
    });
    // Beyond the synthetic mix: a rule that could not judge one region (its failures there are unverified), and two evaluations of one key.
    const evaluations = [
      ...syntheticEvaluations(3_000).filter((_, index) => index % 7 !== 0),
      evaluation(ACCOUNT, "INSUFFICIENT_DATA", { resourceType: ACCOUNT_RESOURCE_TYPE, region: "us-east-1" }),
      evaluation("eipalloc-twice", "NON_COMPLIANT"),
      evaluation("eipalloc-twice", "COMPLIANT"),
    ];
    const path = await written("previous.json", first);
    const options = { evaluations, rules: reportRules(), scopes: SYNTHETIC_SCOPES, tool: TOOL, now };
    const streamed = await buildReportAgainst(options, (take) => streamReport(path, take));
    const whole = buildReport({ ...options, previous: await readReport(path) });
    expect(streamed.diff?.resolved.some((finding) => finding.absent)).toBe(true);
    expect(streamed.diff?.unverified.some((finding) => finding.absent)).toBe(true);
    expect(first.diff?.resolved.some((finding) => finding.absent)).toBe(true);
    expect(renderJson(streamed)).toBe(renderJson(whole));
    // The evaluations read once, as the rules give them (a generator cannot be read twice), make the same report.
    const once = await buildReportAgainst({ ...options, evaluations: evaluations.values() }, (take) => streamReport(path, take));
    expect(renderJson(once)).toBe(renderJson(whole));
  });

  test("of a previous report listing one key twice, the last counts; evaluations of one key share it", async () => {
    const finding = (complianceType: Evaluation["complianceType"], firstSeen: string): Finding => ({
      ...evaluation("eipalloc-0a", complianceType),
      severity: "high",
      exempted: false,
      firstSeen,
    });
    const previous: Report = {
      ...syntheticReport(0, TOOL),
      findings: [finding("NON_COMPLIANT", "2026-10-01T00:00:00.000Z"), finding("COMPLIANT", "2026-10-02T00:00:00.000Z")],
    };
    const path = await written("twice.json", previous);
    const report = await buildReportAgainst(
      {
        evaluations: [evaluation("eipalloc-0a", "COMPLIANT"), evaluation("eipalloc-0a", "COMPLIANT")],
        rules: reportRules(),
        scopes: [{ accountId: ACCOUNT, region: "eu-west-1" }],
        tool: TOOL,
        now,
      },
      (take) => streamReport(path, take),
    );
    expect([...report.findings].map(({ change, firstSeen }) => [change, firstSeen])).toEqual([
      ["unchanged", "2026-10-02T00:00:00.000Z"],
      ["unchanged", "2026-10-02T00:00:00.000Z"],
    ]);
    expect(report.diff?.resolved).toEqual([]);
  });

  test("finds each previous finding's counterpart whatever order the previous report lists them in", () => {
    const previous = syntheticReport(2_000, TOOL);
    const options = { rules: reportRules(), scopes: SYNTHETIC_SCOPES, tool: TOOL, now };
    const expected = renderJson(buildReport({ ...options, evaluations: syntheticEvaluations(2_000, { changed: true }), previous }));
    const listed = [...previous.findings];
    // A report lists each group's findings in id order within each state; these orders do not.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const shuffled = listed.map((finding) => ({ finding, rank: random() }));
    shuffled.sort((a, b) => a.rank - b.rank);
    const orders = {
      shuffled: shuffled.map(({ finding }) => finding),
      reversed: [...listed].reverse(),
      interleaved: [...listed.filter((_, index) => index % 2 === 0), ...listed.filter((_, index) => index % 2 === 1)],
    };
    for (const [name, findings] of Object.entries(orders)) {
      const report = buildReport({
        ...options,
        evaluations: syntheticEvaluations(2_000, { changed: true }),
        previous: { ...previous, findings },
      });
      expect({ name, json: renderJson(report) }).toEqual({ name, json: expected });
    }
  });

  test("lists findings in rule, failing-first, account, region, type and id order, in code units", () => {
    const ids = ["i-b", "i-a", "i-ab", "i-B", "i-\u00e9", "i-\u{1f600}", "i-\uff21", "i-a"];
    const evaluations = ids.flatMap((resourceId, index) =>
      COMPLIANCE_TYPES.map((complianceType, type) =>
        evaluation(resourceId, complianceType, {
          ruleId: index % 2 ? "imdsv2-required" : "eip-attached",
          region: type % 2 ? "eu-west-1" : "eu-central-1",
          accountId: index % 3 ? ACCOUNT : "999988887777",
          resourceType: index % 4 ? "AWS::EC2::Instance" : "AWS::EC2::EIP",
          annotation: `#${index}`,
        }),
      ),
    );
    const report = buildReport({ evaluations, rules: reportRules(), scopes: SYNTHETIC_SCOPES, tool: TOOL, now });
    // The order as one code-unit key per finding gives it (a stable sort keeps evaluations of one key in order).
    const key = (finding: Evaluation) =>
      [
        finding.ruleId,
        COMPLIANCE_TYPES.indexOf(finding.complianceType),
        finding.accountId,
        finding.region,
        finding.resourceType,
        finding.resourceId,
      ].join("\u0000");
    const expected = [...evaluations].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    expect([...report.findings].map((finding) => [key(finding), finding.annotation])).toEqual(
      expected.map((finding) => [key(finding), finding.annotation]),
    );
  });

  test("refuses a previous report with a bad finding, naming the file and the finding's field", async () => {
    const first = syntheticReport(2_000, TOOL);
    const findings = [...first.findings];
    findings[1_234] = { ...(findings[1_234] as Finding), severity: "urgent" as Finding["severity"] };
    const path = await written("bad.json", { ...first, findings });
    const taken: Finding[] = [];
    await expect(
      buildReportAgainst({ evaluations: syntheticEvaluations(2_000), rules: reportRules(), scopes: SYNTHETIC_SCOPES, tool: TOOL }, (take) =>
        streamReport(path, (finding) => {
          taken.push(finding);
          take(finding);
        }),
      ),
    ).rejects.toThrow(new RegExp(`^${path}: field findings\\[1234\\]\\.severity: not a report of this tool`));
    // Each finding is taken once validated: none after the bad one.
    expect(taken).toHaveLength(1_234);
  });

  test("refuses a report listing its findings twice, which a stream cannot take back", async () => {
    const path = join(dir, "listed-twice.json");
    const json = renderJson(syntheticReport(3, TOOL));
    writeFileSync(path, json.replace(/\n}\n$/, `,\n"findings": []\n}\n`));
    await expect(streamReport(path, () => {})).rejects.toThrow(`${path}: field findings: not a report of this tool: listed twice`);
  });

  test("report --previous that cannot be read at all is refused before any evaluation, as the full read would refuse it", async () => {
    const missing = join(dir, "no-such-previous.json");
    const refusal = runCli([
      "report",
      "-s",
      join(dir, "no-such-snapshot.json"),
      "--previous",
      missing,
      "-f",
      "csv",
      "-o",
      join(dir, "r.csv"),
    ]);
    expect(refusal.code).toBe(2);
    expect(refusal.stderr.trim().split("\n")).toEqual([
      expect.stringContaining(`${missing}: cannot read the previous report: no such file`),
    ]);
    const notJson = join(dir, "not-json.json");
    writeFileSync(notJson, "garbage");
    const checked = runCli([
      "report",
      "-s",
      join(dir, "no-such-snapshot.json"),
      "--previous",
      notJson,
      "-f",
      "csv",
      "-o",
      join(dir, "r.csv"),
    ]);
    const full = await streamReport(notJson, () => {}).catch((error: Error) => error.message);
    expect(checked.stderr.trim()).toBe(`ec2-config-rules: ${full}`);
  });

  test("report --previous refuses a bad finding with one line naming it, and writes nothing", () => {
    const previous = join(dir, "cli-previous.json");
    expect(runCli(["report", "-s", EXAMPLE_SNAPSHOT, "-f", "json", "-o", previous]).code).toBe(0);
    const content = JSON.parse(readFileSync(previous, "utf8"));
    content.findings[3].complianceType = "MAYBE";
    writeFileSync(previous, JSON.stringify(content));
    const output = join(dir, "keep.csv");
    writeFileSync(output, "old content");
    const { code, stderr } = runCli(["report", "-s", EXAMPLE_SNAPSHOT, "--previous", previous, "-f", "csv", "-o", output]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringContaining(`${previous}: field findings[3].complianceType: not a report of this tool`),
    ]);
    expect(readFileSync(output, "utf8")).toBe("old content");
  });
});
