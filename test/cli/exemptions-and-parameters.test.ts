import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLE_SNAPSHOT, runCli } from "../support/cli";

const example = EXAMPLE_SNAPSHOT;

const cli = (...args: string[]) => runCli(args);

const tmp = mkdtempSync(join(tmpdir(), "cli-exemptions-"));
const write = (name: string, content: unknown) => {
  const path = join(tmp, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};

const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

/** A recorded snapshot of one unassociated Elastic IP carrying the given tags. */
const snapshotWithTags = (name: string, tags: Record<string, string>) =>
  write(name, {
    schemaVersion: "1.0",
    accountId: "111122223333",
    capturedAt: "2026-11-23T12:00:00Z",
    regions: {
      "eu-west-1": {
        DescribeAddresses: {
          Addresses: [
            {
              AllocationId: "eipalloc-0tagged00000000001",
              PublicIp: "198.51.100.7",
              Domain: "vpc",
              Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
            },
          ],
        },
      },
    },
  });

const idle = "eipalloc-0idle000000000001";
const exemption = (extra: Record<string, unknown> = {}) => ({
  rules: ["eip-attached"],
  resourceId: idle,
  reason: "DR",
  owner: "net",
  expires: inDays(60),
  ...extra,
});

describe("exemptions file errors: exit 2 naming the file, entry and field", () => {
  it.each([
    [
      "an impossible date",
      [exemption(), exemption({ expires: "2099-02-30" })],
      'field exemptions.1.expires: "2099-02-30" is not an ISO 8601 date',
    ],
    ["a bare number", [exemption({ expires: "1" })], 'field exemptions.0.expires: "1" is not an ISO 8601 date'],
    ["a month and day", [exemption({ expires: "March 5" })], 'field exemptions.0.expires: "March 5" is not an ISO 8601 date'],
    ["a misspelt rule id", [exemption({ rules: ["eip-atached"] })], 'field exemptions.0.rules.0: unknown rule id "eip-atached"'],
    ["an expiry long past", [exemption({ expires: inDays(-45) })], "field exemptions.0.expires: expired on"],
  ])("%s", (_label, exemptions, message) => {
    const file = write(`ex-${_label.replace(/\W+/g, "-")}.json`, { exemptions });
    const { code, stderr, stdout } = cli("evaluate", "--snapshot", example, "--rule", "eip-attached", "--exemptions", file);
    expect(code).toBe(2);
    expect(stderr).toBe(`ec2-config-rules: ${file}: ${message}${stderr.slice(`ec2-config-rules: ${file}: ${message}`.length)}`);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stdout).toBe("");
  });

  it("lets an entry expired within the grace period lapse with a warning: the resource is evaluated", () => {
    const file = write("ex-lapsed.json", { exemptions: [exemption({ expires: inDays(-3) })] });
    const { code, stderr, stdout } = cli(
      "evaluate",
      "--snapshot",
      example,
      "--rule",
      "eip-attached",
      "--format",
      "json",
      "--exemptions",
      file,
    );
    expect(code).toBe(1);
    expect(stderr).toContain(`warning: ${file}: exemptions.0 (resourceId ${idle}) expired on ${inDays(-3)} and no longer applies`);
    const row = (JSON.parse(stdout) as { resourceId: string; complianceType: string }[]).find((r) => r.resourceId === idle);
    expect(row?.complianceType).toBe("NON_COMPLIANT");
  });

  it("refuses an exemption ending beyond --max-exemption-days or the file's maxExemptionDays", () => {
    const file = write("ex-far.json", { exemptions: [exemption({ expires: inDays(200) })] });
    const flag = cli("evaluate", "--snapshot", example, "--exemptions", file, "--max-exemption-days", "90");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(
      /ex-far\.json: field exemptions\.0\.expires: expires \S+, more than 90 days from now \(maxExemptionDays 90\)/,
    );
    const inFile = write("ex-far2.json", { maxExemptionDays: 30, exemptions: [exemption({ expires: inDays(60) })] });
    expect(cli("evaluate", "--snapshot", example, "--exemptions", inFile).stderr).toContain("(maxExemptionDays 30)");
    expect(cli("evaluate", "--snapshot", example, "--max-exemption-days", "soon").stderr).toMatch(
      /--max-exemption-days: expected a whole number/,
    );
  });
});

describe("exemption tags that are invalid exempt nothing", () => {
  it.each([
    [
      { "compliance-exempt": "eip-attached", "compliance-exempt-expires": "next-year" },
      'compliance-exempt-expires "next-year" is not an ISO date',
    ],
    [
      { "compliance-exempt": "eip-attached", "compliance-exempt-expires": "2099-02-30" },
      'compliance-exempt-expires "2099-02-30" is not an ISO date',
    ],
    [{ "compliance-exempt": "eip-atached" }, 'compliance-exempt names unknown rule "eip-atached"'],
  ])("%j: NON_COMPLIANT, exit 1, the annotation says why", (tags, why) => {
    const snapshot = snapshotWithTags(`tags-${Object.values(tags).join("-")}.json`, tags);
    const { code, stdout } = cli("evaluate", "--snapshot", snapshot, "--rule", "eip-attached", "--format", "json");
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({
        resourceId: "eipalloc-0tagged00000000001",
        complianceType: "NON_COMPLIANT",
        annotation: `[exemption tag ignored: ${why}] EIP 198.51.100.7 is not associated: it has no AssociationId`,
      }),
    ]);
  });

  it("with --max-exemption-days, a tag without an expiry is invalid", () => {
    const snapshot = snapshotWithTags("tags-noexpiry.json", { "compliance-exempt": "all" });
    expect(cli("evaluate", "--snapshot", snapshot, "--rule", "eip-attached").code).toBe(0);
    const limited = cli("evaluate", "--snapshot", snapshot, "--rule", "eip-attached", "--max-exemption-days", "90");
    expect(limited.code).toBe(1);
    expect(limited.stdout).toContain("[exemption tag ignored: no compliance-exempt-expires tag, required with maxExemptionDays 90]");
  });
});

describe("parameter domains at every CLI entry point", () => {
  it.each([
    [{ "endpoint-route-present": { services: ["dynamo"] } }, '"dynamo" is not one of the allowed values: s3, dynamodb'],
    [{ "endpoint-route-present": { services: ["s4"] } }, '"s4" is not one of the allowed values: s3, dynamodb'],
    [{ "endpoint-route-present": { services: [] } }, "must name at least one of the allowed values: s3, dynamodb"],
    [{ "placement-group-limits": { resourceType: "AWS::EC2::Instance" } }, "allowed values: AWS::EC2::PlacementGroup, AWS::::Account"],
  ])("evaluate --params %j: exit 2 naming rule, parameter, value and allowed values", (params, detail) => {
    const [ruleId] = Object.keys(params) as [keyof typeof params];
    const [parameter] = Object.keys(params[ruleId] as object);
    const { code, stderr, stdout } = cli("evaluate", "--snapshot", example, "--params", write("domain-params.json", params));
    expect(code).toBe(2);
    expect(stderr).toContain(`rule ${ruleId}: invalid parameter "${parameter}"`);
    expect(stderr).toContain(detail);
    expect(stdout).toBe("");
  });

  it.each([
    ["imdsv2-required", '{"maxHopLimit":"yes"}', 'rule imdsv2-required: invalid parameter "maxHopLimit" = "yes"'],
    ["endpoint-route-present", '{"services":"dynamo"}', '"dynamo" is not one of the allowed values: s3, dynamodb'],
    ["endpoint-route-present", '{"scope":"public"}', '"public" is not one of the allowed values: private, all'],
    ["imdsv2-required", '{"MaxExemptionDays":"soon"}', "MaxExemptionDays"],
  ])("event %s --rule-parameters %s: exit 2, no event written", (ruleId, parameters, message) => {
    const output = join(tmp, `event-${ruleId}.json`);
    const { code, stderr } = cli(
      "event",
      ruleId,
      "--type",
      "scheduled",
      "--region",
      "eu-west-1",
      "--account-id",
      "111122223333",
      "--rule-parameters",
      parameters,
      "--output",
      output,
    );
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(existsSync(output)).toBe(false);
  });

  it("event writes valid rule parameters as before", () => {
    const { code, stdout } = cli(
      "event",
      "endpoint-route-present",
      "--type",
      "scheduled",
      "--region",
      "eu-west-1",
      "--account-id",
      "111122223333",
      "--rule-parameters",
      '{"services":"s3","MaxExemptionDays":"90"}',
    );
    expect(code).toBe(0);
    expect(JSON.parse(JSON.parse(stdout).ruleParameters)).toEqual({ services: "s3", MaxExemptionDays: "90" });
  });

  it("rules lists the allowed values of enum and list parameters", () => {
    const rules = JSON.parse(cli("rules", "--format", "json").stdout) as {
      id: string;
      parameters: { name: string; type: string; allowed?: string[] }[];
    }[];
    const endpoint = rules.find((rule) => rule.id === "endpoint-route-present");
    expect(endpoint?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "services", type: "list of s3|dynamodb", allowed: ["s3", "dynamodb"] }),
        expect.objectContaining({ name: "scope", type: "private|all", allowed: ["private", "all"] }),
      ]),
    );
    expect(cli("rules").stdout).toContain("--params endpoint-route-present.services: list of s3|dynamodb");
  });
});
