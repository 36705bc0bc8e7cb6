import { RuleParameterError } from "../../lib/engine/rule";
import { evaluateRules, runRules } from "../../lib/engine/run";
import { ExemptionPolicy, parseExemptionsFile } from "../../lib/exemptions/exemptions";
import { ModelBuilder } from "../../lib/model/resource-model";
import type { ElasticIp } from "../../lib/model/types";
import eipAttached from "../../rules/eip-attached";
import imdsv2Required from "../../rules/imdsv2-required";
import { RULE_IDS } from "../support/rule-ids";

const scope = { region: "eu-west-1", accountId: "111122223333" };
const now = new Date("2026-11-23T12:00:00Z");

const eip = (id: string, extra: Partial<ElasticIp> = {}): ElasticIp => ({
  kind: "eip",
  id,
  ...scope,
  publicIp: "198.51.100.1",
  tags: {},
  ...extra,
});

function model(...records: ElasticIp[]) {
  const builder = new ModelBuilder();
  for (const record of records) builder.add(record);
  builder.markCollected(scope, "eip").markCollected(scope, "network-interface");
  return builder.build();
}

const file = (entry: Record<string, unknown>) =>
  parseExemptionsFile({ exemptions: [{ reason: "kept for DR", owner: "net-team", expires: "2027-01-31", ...entry }] }, "ex.json", {
    ruleIds: RULE_IDS,
    now,
  });

describe("runRules", () => {
  it("gives INSUFFICIENT_DATA, naming the missing input, where a required kind was not collected", () => {
    const builder = new ModelBuilder().add(eip("eipalloc-1"));
    builder.markGap(scope, "eip", "DescribeAddresses failed: UnauthorizedOperation");
    const [evaluation] = runRules(builder.build(), { rules: [eipAttached] });
    expect(evaluation).toMatchObject({ complianceType: "INSUFFICIENT_DATA", resourceId: "eipalloc-1" });
    expect(evaluation?.annotation).toContain("UnauthorizedOperation");
  });

  it("reports the account when the missing input leaves nothing to name", () => {
    const builder = new ModelBuilder().markGap(scope, "eip", "not recorded");
    expect(runRules(builder.build(), { rules: [eipAttached] })).toEqual([
      expect.objectContaining({ resourceType: "AWS::::Account", resourceId: "111122223333", complianceType: "INSUFFICIENT_DATA" }),
    ]);
  });

  // evaluateRules does so when it is called, before the first evaluation is asked for.
  it.each([
    ["runRules", runRules],
    ["evaluateRules", evaluateRules],
  ])("%s validates every rule's parameters before running any", (_, run) => {
    const evaluate = jest.spyOn(eipAttached, "evaluate");
    expect(() =>
      run(model(eip("eipalloc-1")), { rules: [eipAttached, imdsv2Required], params: { "imdsv2-required": { maxHopLimit: 99 } } }),
    ).toThrow(RuleParameterError);
    expect(evaluate).not.toHaveBeenCalled();
    evaluate.mockRestore();
  });

  it("evaluateRules gives runRules' evaluations, in order, one rule at a time", () => {
    const options = { rules: [eipAttached, imdsv2Required], resourceIds: new Set(["eipalloc-2", "eipalloc-3"]) };
    const subject = model(eip("eipalloc-1"), eip("eipalloc-2"), eip("eipalloc-3", { associationId: "eipassoc-1" }));
    const evaluate = jest.spyOn(imdsv2Required, "evaluate");
    const stream = evaluateRules(subject, options);
    expect(stream.next().value).toMatchObject({ resourceId: "eipalloc-2", complianceType: "NON_COMPLIANT" });
    expect(evaluate).not.toHaveBeenCalled();
    expect([stream.next().value, ...stream]).toEqual(runRules(subject, options).slice(1));
    evaluate.mockRestore();
  });

  it("keeps only the requested resource ids", () => {
    const evaluations = runRules(model(eip("eipalloc-1"), eip("eipalloc-2")), {
      rules: [eipAttached],
      resourceIds: new Set(["eipalloc-2"]),
    });
    expect(evaluations.map((evaluation) => evaluation.resourceId)).toEqual(["eipalloc-2"]);
  });
});

describe("exemptions", () => {
  const run = (exemptions: ExemptionPolicy, ...records: ElasticIp[]) =>
    runRules(model(...records), { rules: [eipAttached], exemptions }).map(({ resourceId, complianceType, annotation }) => ({
      resourceId,
      complianceType,
      annotation,
    }));

  it("exempts by resource id from a file, saying by whom, until when and why", () => {
    expect(run(new ExemptionPolicy({ ruleIds: RULE_IDS, file: file({ resourceId: "eipalloc-1" }), now }), eip("eipalloc-1"))).toEqual([
      {
        resourceId: "eipalloc-1",
        complianceType: "NOT_APPLICABLE",
        annotation: "Exempted (file) by net-team until 2027-01-31: kept for DR",
      },
    ]);
  });

  it("carries the exemption apart for reports: source, reason, owner, expiry and the verdict it set aside", () => {
    const [fromFile] = runRules(model(eip("eipalloc-1")), {
      rules: [eipAttached],
      exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, file: file({ resourceId: "eipalloc-1" }), now }),
    });
    expect(fromFile?.exemption).toEqual({
      source: "file",
      reason: "kept for DR",
      owner: "net-team",
      expires: "2027-01-31",
      verdict: "NON_COMPLIANT",
    });
    const attached = eip("eipalloc-2", { associationId: "eipassoc-2", tags: { "compliance-exempt": "all" } });
    const [fromTag] = runRules(model(attached), { rules: [eipAttached], exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now }) });
    expect(fromTag).toMatchObject({ complianceType: "NOT_APPLICABLE", exemption: { source: "tag", verdict: "COMPLIANT" } });
    expect(fromTag?.exemption).not.toHaveProperty("owner");
    const [notExempt] = runRules(model(eip("eipalloc-3")), {
      rules: [eipAttached],
      exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now }),
    });
    expect(notExempt).not.toHaveProperty("exemption");
  });

  it("no longer exempts once expired", () => {
    const later = new Date("2027-02-01T00:00:00Z");
    expect(
      run(new ExemptionPolicy({ ruleIds: RULE_IDS, file: file({ resourceId: "eipalloc-1" }), now: later }), eip("eipalloc-1"))[0]
        ?.complianceType,
    ).toBe("NON_COMPLIANT");
    const tagged = eip("eipalloc-2", { tags: { "compliance-exempt": "all", "compliance-exempt-expires": "2026-11-01" } });
    expect(run(new ExemptionPolicy({ ruleIds: RULE_IDS, now }), tagged)[0]?.complianceType).toBe("NON_COMPLIANT");
  });

  it("matches a name pattern against the whole name only", () => {
    const policy = new ExemptionPolicy({ ruleIds: RULE_IDS, file: file({ namePattern: "dr-*" }), now });
    const verdicts = run(policy, eip("eipalloc-1", { name: "dr-site" }), eip("eipalloc-2", { name: "prod-dr-site" }));
    expect(verdicts.map((verdict) => verdict.complianceType)).toEqual(["NOT_APPLICABLE", "NON_COMPLIANT"]);
  });

  it("matches a tag by key, or key and value", () => {
    const policy = new ExemptionPolicy({ ruleIds: RULE_IDS, file: file({ tag: { key: "team", value: "sandbox" } }), now });
    const verdicts = run(policy, eip("eipalloc-1", { tags: { team: "sandbox" } }), eip("eipalloc-2", { tags: { team: "prod" } }));
    expect(verdicts.map((verdict) => verdict.complianceType)).toEqual(["NOT_APPLICABLE", "NON_COMPLIANT"]);
  });

  it("honours a tag that lists this rule, and ignores one that lists only others", () => {
    const policy = new ExemptionPolicy({ ruleIds: RULE_IDS, now });
    const verdicts = run(
      policy,
      eip("eipalloc-1", { tags: { "compliance-exempt": "imdsv2-required, eip-attached" } }),
      eip("eipalloc-2", { tags: { "compliance-exempt": "imdsv2-required" } }),
    );
    expect(verdicts.map((verdict) => verdict.complianceType)).toEqual(["NOT_APPLICABLE", "NON_COMPLIANT"]);
  });

  it("honours a tag when the file's entries cover only other rules or have expired", () => {
    const tagged = eip("eipalloc-1", { tags: { "compliance-exempt": "all" } });
    const otherRule = new ExemptionPolicy({ ruleIds: RULE_IDS, file: file({ resourceId: "eipalloc-2", rules: ["imdsv2-required"] }), now });
    expect(otherRule.hasFileEntriesFor("eip-attached")).toBe(false);
    expect(run(otherRule, tagged, eip("eipalloc-2")).map((verdict) => verdict.complianceType)).toEqual(["NOT_APPLICABLE", "NON_COMPLIANT"]);
    const expired = new ExemptionPolicy({ ruleIds: RULE_IDS, file: file({ resourceId: "eipalloc-2", expires: "2026-11-10" }), now });
    expect(expired.hasFileEntriesFor("eip-attached")).toBe(false);
    expect(run(expired, tagged, eip("eipalloc-2")).map((verdict) => verdict.complianceType)).toEqual(["NOT_APPLICABLE", "NON_COMPLIANT"]);
  });

  it("says which rules a file's unexpired entries cover", () => {
    const policy = new ExemptionPolicy({ ruleIds: RULE_IDS, file: file({ namePattern: "dr-*", rules: ["eip-attached"] }), now });
    expect(policy.hasFileEntriesFor("eip-attached")).toBe(true);
    expect(policy.hasFileEntriesFor("imdsv2-required")).toBe(false);
    expect(new ExemptionPolicy({ ruleIds: RULE_IDS, file: file({ namePattern: "dr-*" }), now }).hasFileEntriesFor("imdsv2-required")).toBe(
      true,
    );
  });

  it("uses a configured tag key", () => {
    const verdicts = run(new ExemptionPolicy({ ruleIds: RULE_IDS, tagKey: "waiver", now }), eip("eipalloc-1", { tags: { waiver: "all" } }));
    expect(verdicts[0]?.complianceType).toBe("NOT_APPLICABLE");
  });

  it("refuses an entry with two ways of matching, naming the file and field", () => {
    expect(() => file({ resourceId: "x", namePattern: "y" })).toThrow(/ex\.json: field exemptions\.0: give exactly one/);
    expect(() =>
      parseExemptionsFile({ exemptions: [{ resourceId: "x", reason: "r", owner: "o", expires: "soon" }] }, "ex.json", {
        ruleIds: RULE_IDS,
      }),
    ).toThrow('ex.json: field exemptions.0.expires: "soon" is not an ISO 8601 date');
  });
});
