import type { Evaluation } from "../../lib/engine/rule";
import { parseReport, renderJson } from "../../lib/reports/json";
import { renderMarkdown } from "../../lib/reports/markdown";
import { buildReport } from "../../lib/reports/model";
import { CURRENT_AT, fixtureReport, reportRules, TOOL } from "./fixture";

const at = (resourceId: string, annotation: string, complianceType: Evaluation["complianceType"] = "NOT_APPLICABLE"): Evaluation => ({
  ruleId: "eip-attached",
  resourceType: "AWS::EC2::EIP",
  resourceId,
  region: "eu-west-1",
  accountId: "111122223333",
  complianceType,
  annotation,
});

const report = (...evaluations: Evaluation[]) =>
  buildReport({ evaluations, rules: reportRules(), scopes: [], tool: TOOL, now: () => CURRENT_AT });

describe("reports list invalid exemption tags and exemptions expiring within 14 days", () => {
  test("from the annotations, so Config's stored results give the same lists (report at 2026-11-23T06:00Z)", () => {
    const { exemptions } = report(
      at("eipalloc-soon", "Exempted (file) by net-team until 2026-12-07: DR"),
      at("eipalloc-last", "Exempted (tag) by a: b until 2026-11-23T07:00:00+01:00: c"),
      at("eipalloc-later", "Exempted (tag) by ops until 2026-12-08: DR"),
      at("eipalloc-forever", "Exempted (tag) by ops (no expiry)"),
      at(
        "eipalloc-bad",
        '[exemption tag ignored: compliance-exempt names unknown rule "eip-atached"] EIP is not associated',
        "NON_COMPLIANT",
      ),
      at("eipalloc-plain", "EIP 203.0.113.1 is not associated", "NON_COMPLIANT"),
    );
    expect(exemptions.invalid).toEqual([
      expect.objectContaining({ resourceId: "eipalloc-bad", why: 'compliance-exempt names unknown rule "eip-atached"' }),
    ]);
    // 2026-12-07 runs through the end of that day: 14 days and 18 hours away, so not yet; 07:00+01:00 is 06:00Z, already over.
    expect(exemptions.expiringSoon).toEqual([]);
    const closer = report(
      at("eipalloc-soon", "Exempted (file) by net-team until 2026-12-06: DR"),
      at("eipalloc-hour", "Exempted (tag) until 2026-11-23T07:00:00Z"),
    );
    expect(closer.exemptions.expiringSoon).toEqual([
      {
        ruleId: "eip-attached",
        resourceType: "AWS::EC2::EIP",
        resourceId: "eipalloc-hour",
        region: "eu-west-1",
        accountId: "111122223333",
        source: "tag",
        expires: "2026-11-23T07:00:00Z",
      },
      {
        ruleId: "eip-attached",
        resourceType: "AWS::EC2::EIP",
        resourceId: "eipalloc-soon",
        region: "eu-west-1",
        accountId: "111122223333",
        source: "file",
        expires: "2026-12-06",
        owner: "net-team",
      },
    ]);
  });

  test("the fixture's invalid tag and soon-ending exemption appear in JSON and Markdown", () => {
    const current = fixtureReport("current");
    expect(current.exemptions.invalid.map((entry) => entry.resourceId)).toEqual(["i-0web"]);
    expect(current.exemptions.expiringSoon.map((entry) => [entry.resourceId, entry.expires, entry.owner])).toEqual([
      ["eipalloc-0later", "2026-12-01", "netops"],
    ]);
    const markdown = renderMarkdown(current);
    expect(markdown).toContain(
      '| imdsv2-required | AWS::EC2::Instance `i-0web` | eu-west-1 | 111122223333 | compliance-exempt-expires "next-year" is not an ISO date |',
    );
    expect(markdown).toContain("| eip-attached | AWS::EC2::EIP `eipalloc-0later` | eu-west-1 | 111122223333 | 2026-12-01 | netops (tag) |");
  });

  test("the JSON report round-trips them, and a report written before they existed reads with empty lists", () => {
    const current = fixtureReport("current");
    expect(parseReport(JSON.parse(renderJson(current)), "r.json").exemptions).toEqual(current.exemptions);
    const { exemptions: _exemptions, ...older } = JSON.parse(renderJson(current));
    expect(parseReport(older, "old.json").exemptions).toEqual({ invalid: [], expiringSoon: [] });
    expect(() => parseReport({ ...older, exemptions: { invalid: [{}], expiringSoon: [] } }, "bad.json")).toThrow(
      /bad\.json: field exemptions\.invalid\[0\]\.ruleId/,
    );
  });
});
