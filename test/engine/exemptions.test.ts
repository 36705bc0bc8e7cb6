import { runRules } from "../../lib/engine/run";
import {
  describeExemption,
  ExemptionPolicy,
  exemptionOf,
  invalidTagOf,
  parseExemptionsFile,
  parseExpiry,
} from "../../lib/exemptions/exemptions";
import { ModelBuilder } from "../../lib/model/resource-model";
import type { ElasticIp } from "../../lib/model/types";
import eipAttached from "../../rules/eip-attached";
import { RULE_IDS } from "../support/rule-ids";

const scope = { region: "eu-west-1", accountId: "111122223333" };
const now = new Date("2026-11-23T12:00:00Z");

const eip = (id: string, tags: Record<string, string> = {}): ElasticIp => ({ kind: "eip", id, ...scope, publicIp: "198.51.100.1", tags });

function run(policy: ExemptionPolicy, ...records: ElasticIp[]) {
  const builder = new ModelBuilder();
  for (const record of records) builder.add(record);
  builder.markCollected(scope, "eip").markCollected(scope, "network-interface");
  return runRules(builder.build(), { rules: [eipAttached], exemptions: policy }).map(({ resourceId, complianceType, annotation }) => ({
    resourceId,
    complianceType,
    annotation,
  }));
}

const entry = (extra: Record<string, unknown> = {}) => ({
  rules: ["eip-attached"],
  resourceId: "eipalloc-1",
  reason: "kept for DR",
  owner: "net-team",
  expires: "2027-01-31",
  ...extra,
});

const parse = (content: unknown, options: { maxExemptionDays?: number; at?: Date } = {}) =>
  parseExemptionsFile(content, "ex.json", { ruleIds: RULE_IDS, now: options.at ?? now, maxExemptionDays: options.maxExemptionDays });

describe("parseExpiry: strict ISO 8601 dates only", () => {
  it.each([
    ["2027-01-31", "2027-02-01T00:00:00.000Z"],
    ["2028-02-29", "2028-03-01T00:00:00.000Z"],
    ["2026-12-31", "2027-01-01T00:00:00.000Z"],
    ["2027-01-31T10:00:00Z", "2027-01-31T10:00:00.000Z"],
    ["2027-01-31T10:00Z", "2027-01-31T10:00:00.000Z"],
    ["2027-01-31T10:00:00.123+02:00", "2027-01-31T08:00:00.123Z"],
    ["2027-01-31t10:00:00z", "2027-01-31T10:00:00.000Z"],
  ])("%s ends at %s (a date alone runs through the end of that day UTC)", (text, end) => {
    expect(parseExpiry(text)?.end.toISOString()).toBe(end);
  });

  it.each([
    "next-year",
    "1",
    "March 5",
    "2099-02-30",
    "2027-02-29",
    "2027-13-01",
    "2027-00-10",
    "2027-1-5",
    "20270131",
    "2027-01-31 10:00:00Z",
    "2027-01-31T10:00:00",
    "2027-01-31T24:00:00Z",
    "2027-01-31T10:60:00Z",
    "2027-02-30T10:00:00Z",
    "Sun, 31 Jan 2027 10:00:00 GMT",
    "",
  ])("%j is not an expiry", (text) => {
    expect(parseExpiry(text)).toBeUndefined();
  });
});

describe("exemptions file: fails closed with exit-2 errors naming file, entry and field", () => {
  it.each([
    ["an impossible day", { expires: "2099-02-30" }, 'ex.json: field exemptions.0.expires: "2099-02-30" is not an ISO 8601 date'],
    ["a bare number", { expires: "1" }, 'ex.json: field exemptions.0.expires: "1" is not an ISO 8601 date'],
    ["a month and day", { expires: "March 5" }, 'ex.json: field exemptions.0.expires: "March 5" is not an ISO 8601 date'],
    ["a word", { expires: "next-year" }, 'ex.json: field exemptions.0.expires: "next-year" is not an ISO 8601 date'],
    [
      "a misspelt rule id",
      { rules: ["eip-attached", "eip-atached"] },
      'ex.json: field exemptions.0.rules.1: unknown rule id "eip-atached"',
    ],
    [
      "an expiry more than 30 days past",
      { expires: "2026-10-01" },
      "ex.json: field exemptions.0.expires: expired on 2026-10-01, more than 30 days ago",
    ],
  ])("refuses %s", (_label, extra, message) => {
    expect(() => parse({ exemptions: [entry(), entry(extra)].slice(1) })).toThrow(message);
  });

  it("names the index of the entry at fault", () => {
    expect(() => parse({ exemptions: [entry(), entry({ expires: "2099-02-30" })] })).toThrow("ex.json: field exemptions.1.expires");
  });

  it("lets an entry expired within the grace period lapse, with a warning naming it", () => {
    const parsed = parse({ exemptions: [entry({ expires: "2026-11-10" })] });
    expect(parsed.warnings).toEqual([
      "ex.json: exemptions.0 (resourceId eipalloc-1) expired on 2026-11-10 and no longer applies; 30 days after expiry it is an error",
    ]);
    expect(run(new ExemptionPolicy({ ruleIds: RULE_IDS, file: parsed, now }), eip("eipalloc-1"))[0]?.complianceType).toBe("NON_COMPLIANT");
  });

  it("refuses an entry that ends further away than maxExemptionDays, from the file or the command line (the smaller wins)", () => {
    const content = (max?: number) => ({
      ...(max === undefined ? {} : { maxExemptionDays: max }),
      exemptions: [entry({ expires: "2027-03-31" })],
    });
    expect(() => parse(content(90))).toThrow(
      "ex.json: field exemptions.0.expires: expires 2027-03-31, more than 90 days from now (maxExemptionDays 90)",
    );
    expect(() => parse(content(), { maxExemptionDays: 30 })).toThrow("(maxExemptionDays 30)");
    expect(() => parse(content(365), { maxExemptionDays: 30 })).toThrow("(maxExemptionDays 30)");
    expect(parse(content(365)).exemptions).toHaveLength(1);
    expect(() => parse({ maxExemptionDays: 0, exemptions: [] })).toThrow("ex.json: field maxExemptionDays");
  });

  it("still requires reason, owner and expiry", () => {
    const { expires: _expires, ...noExpiry } = entry();
    expect(() => parse({ exemptions: [noExpiry] })).toThrow("ex.json: field exemptions.0.expires");
    expect(() => parse({ exemptions: [entry({ owner: "" })] })).toThrow("ex.json: field exemptions.0.owner");
  });

  it("exempts through the end of a date-only expiry (UTC), then no longer", () => {
    const file = parse({ exemptions: [entry({ expires: "2026-11-23" })] });
    expect(run(new ExemptionPolicy({ ruleIds: RULE_IDS, file, now }), eip("eipalloc-1"))[0]).toMatchObject({
      complianceType: "NOT_APPLICABLE",
      annotation: "Exempted (file) by net-team until 2026-11-23: kept for DR",
    });
    const nextDay = new Date("2026-11-24T00:00:00Z");
    expect(run(new ExemptionPolicy({ ruleIds: RULE_IDS, file, now: nextDay }), eip("eipalloc-1"))[0]?.complianceType).toBe("NON_COMPLIANT");
  });
});

describe("exemption tags: an invalid tag exempts nothing and says why", () => {
  const tagged = (tags: Record<string, string>) => eip("eipalloc-1", tags);
  const verdict = (tags: Record<string, string>, options: { maxExemptionDays?: number } = {}) =>
    run(new ExemptionPolicy({ ruleIds: RULE_IDS, now, ...options }), tagged(tags))[0];

  it.each([
    [{ "compliance-exempt-expires": "next-year" }, 'compliance-exempt-expires "next-year" is not an ISO date'],
    [{ "compliance-exempt-expires": "2099-02-30" }, 'compliance-exempt-expires "2099-02-30" is not an ISO date'],
    [{ "compliance-exempt-expires": "1" }, 'compliance-exempt-expires "1" is not an ISO date'],
    [{ "compliance-exempt-expires": "March 5" }, 'compliance-exempt-expires "March 5" is not an ISO date'],
    [{ "compliance-exempt": "eip-atached" }, 'compliance-exempt names unknown rule "eip-atached"'],
    [{ "compliance-exempt": "eip-attached, imdsv2-requird" }, 'compliance-exempt names unknown rule "imdsv2-requird"'],
    [{ "compliance-exempt": " " }, "compliance-exempt is empty (expected all or rule ids)"],
  ])("%j: evaluated normally, annotated with the reason", (tags, why) => {
    const result = verdict({ "compliance-exempt": "eip-attached", ...tags });
    expect(result?.complianceType).toBe("NON_COMPLIANT");
    expect(result?.annotation).toBe(`[exemption tag ignored: ${why}] EIP 198.51.100.1 is not associated: it has no AssociationId`);
    expect(invalidTagOf(result?.annotation ?? "")).toBe(why);
  });

  it("says nothing when the tag names only other rules, even with a bad expiry", () => {
    expect(verdict({ "compliance-exempt": "imdsv2-required", "compliance-exempt-expires": "next-year" })?.annotation).toBe(
      "EIP 198.51.100.1 is not associated: it has no AssociationId",
    );
  });

  it("still exempts with a valid tag, a date-only expiry running through that day", () => {
    expect(
      verdict({ "compliance-exempt": "all", "compliance-exempt-expires": "2026-11-23", "compliance-exempt-owner": "ops" }),
    ).toMatchObject({
      complianceType: "NOT_APPLICABLE",
      annotation: "Exempted (tag) by ops until 2026-11-23",
    });
  });

  it("with maxExemptionDays, a tag without an expiry or ending too far away is invalid", () => {
    expect(verdict({ "compliance-exempt": "all" }, { maxExemptionDays: 90 })?.annotation).toMatch(
      /^\[exemption tag ignored: no compliance-exempt-expires tag, required with maxExemptionDays 90\] EIP/,
    );
    expect(verdict({ "compliance-exempt": "all", "compliance-exempt-expires": "2027-06-30" }, { maxExemptionDays: 90 })).toMatchObject({
      complianceType: "NON_COMPLIANT",
      annotation: expect.stringMatching(
        /^\[exemption tag ignored: compliance-exempt-expires 2027-06-30 is more than 90 days away \(maxExemptionDays\)\]/,
      ),
    });
    expect(
      verdict({ "compliance-exempt": "all", "compliance-exempt-expires": "2027-01-31" }, { maxExemptionDays: 90 })?.complianceType,
    ).toBe("NOT_APPLICABLE");
    expect(verdict({ "compliance-exempt": "all" })?.annotation).toBe("Exempted (tag) (no expiry)");
  });

  it("lets a valid file entry exempt a resource whose tag is invalid", () => {
    const file = parse({ exemptions: [entry()] });
    expect(
      run(
        new ExemptionPolicy({ ruleIds: RULE_IDS, file, now }),
        tagged({ "compliance-exempt": "all", "compliance-exempt-expires": "soon" }),
      )[0]?.annotation,
    ).toBe("Exempted (file) by net-team until 2027-01-31: kept for DR");
  });

  it("keeps find() for callers that only act on valid exemptions (remediation)", () => {
    const policy = new ExemptionPolicy({ ruleIds: RULE_IDS, now });
    const subject = { id: "eipalloc-1", tags: { "compliance-exempt": "all", "compliance-exempt-expires": "next-year" } };
    expect(policy.find("eip-attached", subject)).toBeUndefined();
    expect(policy.assess("eip-attached", subject)).toEqual({ invalidTag: 'compliance-exempt-expires "next-year" is not an ISO date' });
  });
});

describe("exemption annotations read back", () => {
  it.each([
    [{ source: "tag" as const, owner: "ops: core until x", expires: parseExpiry("2026-12-01"), reason: "why: because" }],
    [{ source: "file" as const, owner: "net", expires: parseExpiry("2026-12-01T10:00:00+01:00") }],
    [{ source: "tag" as const }],
  ])("round-trips %j", (exemption) => {
    const { reason: _reason, ...rest } = exemption as typeof exemption & { reason?: string };
    expect(exemptionOf(describeExemption(exemption))).toEqual({ owner: undefined, expires: undefined, ...rest });
  });

  it("reads nothing from other annotations", () => {
    expect(exemptionOf("EIP is not associated")).toBeUndefined();
    expect(invalidTagOf("EIP is not associated")).toBeUndefined();
  });
});
