import { parseReport, renderJson } from "../../lib/reports/json";
import { buildReport, type Report } from "../../lib/reports/model";
import { CURRENT_AT, fixtureReport, PREVIOUS_AT, reportRules, TOOL } from "./fixture";

const roundTrip = (report: Report): Report => parseReport(JSON.parse(renderJson(report)), "previous.json");

const previous = fixtureReport("previous");
const current = fixtureReport("current", roundTrip(previous));
const find = (report: Report, ruleId: string, resourceId: string) => {
  const finding = [...report.findings].find((candidate) => candidate.ruleId === ruleId && candidate.resourceId === resourceId);
  if (!finding) throw new Error(`no finding ${ruleId} ${resourceId}`);
  return finding;
};

describe("run-to-run diff on a changed input", () => {
  test("without a previous report there is no diff and everything is first seen now", () => {
    expect(previous.diff).toBeUndefined();
    expect([...previous.findings].every((finding) => finding.change === undefined)).toBe(true);
    expect(new Set([...previous.findings].map((finding) => finding.firstSeen))).toEqual(new Set([PREVIOUS_AT.toISOString()]));
  });

  test("a newly idle EIP and a route turned blackhole are new, first seen now", () => {
    for (const [ruleId, resourceId] of [
      ["eip-attached", "eipalloc-0fresh"],
      ["endpoint-route-present", "rtb-0main"],
    ] as const) {
      const finding = find(current, ruleId, resourceId);
      expect(finding).toMatchObject({ complianceType: "NON_COMPLIANT", change: "new", firstSeen: CURRENT_AT.toISOString() });
    }
    expect(current.diff?.counts.new).toBe(2);
  });

  test("a finding failing in both runs is still failing and keeps its first-seen date", () => {
    expect(find(current, "eip-attached", "eipalloc-0idle")).toMatchObject({
      change: "still-failing",
      firstSeen: PREVIOUS_AT.toISOString(),
    });
    expect(find(current, "imdsv2-required", "i-0web").change).toBe("still-failing");
  });

  test("fixed resources are resolved, with compliant-since now; a released EIP is resolved as absent", () => {
    expect(find(current, "eip-attached", "eipalloc-0fixed")).toMatchObject({
      complianceType: "COMPLIANT",
      change: "resolved",
      firstSeen: CURRENT_AT.toISOString(),
    });
    expect(find(current, "imdsv2-required", "i-0batch").change).toBe("resolved");
    const resolvedIds = current.diff?.resolved.map((finding) => [finding.resourceId, finding.absent ?? false]);
    expect(resolvedIds).toEqual(
      expect.arrayContaining([
        ["eipalloc-0released", true],
        ["eipalloc-0fixed", false],
        ["i-0batch", false],
      ]),
    );
    expect(current.diff?.counts.resolved).toBe(3);
  });

  test("a resource tagged exempt since the last run is newly exempted, not resolved", () => {
    const finding = find(current, "eip-attached", "eipalloc-0later");
    expect(finding).toMatchObject({ complianceType: "NOT_APPLICABLE", exempted: true, change: "exempted" });
    expect(finding.annotation).toMatch(/^Exempted \(tag\) by netops/);
    expect(current.diff?.resolved.some((resolved) => resolved.resourceId === "eipalloc-0later")).toBe(false);
  });

  test("a failing EIP in a region whose addresses could not be read this time is unverified, never resolved", () => {
    expect(current.diff?.unverified).toEqual([
      expect.objectContaining({ resourceId: "eipalloc-0east", region: "us-east-1", change: "unverified", absent: true }),
    ]);
    expect(current.diff?.resolved.some((finding) => finding.resourceId === "eipalloc-0east")).toBe(false);
  });

  test("findings of rules or regions this run did not evaluate are neither resolved nor unverified", () => {
    const onlyImds = buildReport({
      evaluations: [...current.findings].filter((finding) => finding.ruleId === "imdsv2-required"),
      rules: reportRules().filter((rule) => rule.id === "imdsv2-required"),
      scopes: [{ accountId: "111122223333", region: "eu-west-1" }],
      previous: roundTrip(previous),
      tool: TOOL,
      now: () => CURRENT_AT,
    });
    expect(onlyImds.diff?.resolved.map((finding) => finding.resourceId)).toEqual(["i-0batch"]);
    expect(onlyImds.diff?.unverified).toEqual([]);
  });

  test("a finding that fails, is fixed, then fails again is new again", () => {
    const third = fixtureReport("previous", roundTrip(current));
    expect(find(third, "eip-attached", "eipalloc-0fixed")).toMatchObject({ change: "new", firstSeen: PREVIOUS_AT.toISOString() });
    // Still failing across all three runs: the date of the first run survives two round trips.
    expect(find(third, "eip-attached", "eipalloc-0idle").firstSeen).toBe(PREVIOUS_AT.toISOString());
  });

  test("summary counts add up by rule, region and severity", () => {
    const { summary } = current;
    const sum = (counts: Record<string, { total: number; NON_COMPLIANT: number }>) =>
      Object.values(counts).reduce((total, entry) => total + entry.total, 0);
    expect(sum(summary.byRule)).toBe(current.findings.length);
    expect(sum(summary.byRegion)).toBe(current.findings.length);
    expect(sum(summary.bySeverity)).toBe(current.findings.length);
    expect(summary.totals.NON_COMPLIANT).toBe([...current.findings].filter((finding) => finding.complianceType === "NON_COMPLIANT").length);
    expect(summary.byRule["eip-attached"]).toMatchObject({
      NON_COMPLIANT: 2,
      COMPLIANT: 2,
      NOT_APPLICABLE: 1,
      exempted: 1,
      INSUFFICIENT_DATA: 1,
    });
    expect(summary.byRegion["us-east-1"]?.INSUFFICIENT_DATA).toBe(2);
  });
});
