import { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import rule from "../../rules/imdsv2-required";
import { RULE_IDS } from "../support/rule-ids";
import { TEST_ACCOUNT, testRule, testRuleParameters } from "../support/rule-tester";

const NOW = new Date("2026-11-22T12:00:00Z");

const STATES = {
  pending: { Code: 0, Name: "pending" },
  running: { Code: 16, Name: "running" },
  "shutting-down": { Code: 32, Name: "shutting-down" },
  terminated: { Code: 48, Name: "terminated" },
  stopped: { Code: 80, Name: "stopped" },
} as const;

interface MetadataOptions {
  State?: "pending" | "applied";
  HttpTokens?: "optional" | "required";
  HttpPutResponseHopLimit?: number;
  HttpEndpoint?: "enabled" | "disabled";
}

/** One instance as DescribeInstances returns it, with the metadata options under test. */
function instance(
  id: string,
  metadata: MetadataOptions | null,
  options: { state?: keyof typeof STATES; tags?: Record<string, string> } = {},
) {
  return {
    AmiLaunchIndex: 0,
    Architecture: "x86_64",
    EnaSupport: true,
    ImageId: "ami-0c1d2e3f4a5b6c7d8",
    InstanceId: id,
    InstanceType: "m7i.large",
    LaunchTime: "2026-10-01T09:30:00.000Z",
    ...(metadata
      ? {
          MetadataOptions: {
            State: "applied",
            HttpTokens: "required",
            HttpPutResponseHopLimit: 1,
            HttpEndpoint: "enabled",
            HttpProtocolIpv6: "disabled",
            InstanceMetadataTags: "disabled",
            ...metadata,
          },
        }
      : {}),
    NetworkInterfaces: [],
    Placement: { AvailabilityZone: "eu-west-1a", GroupName: "", Tenancy: "default" },
    PrivateIpAddress: "10.20.1.15",
    SecurityGroups: [],
    State: STATES[options.state ?? "running"],
    SubnetId: "subnet-0a1b2c3d4e5f60718",
    VpcId: "vpc-0fedcba9876543210",
    Tags: Object.entries({ Name: id, ...options.tags }).map(([Key, Value]) => ({ Key, Value })),
  };
}

const account = (...instances: ReturnType<typeof instance>[]) => ({
  responses: {
    DescribeInstances: {
      Reservations: [{ ReservationId: "r-0a1b2c3d4e5f60718", OwnerId: TEST_ACCOUNT, Instances: instances }],
    },
  },
});

testRule(rule, [
  {
    name: "HttpTokens required is COMPLIANT, optional is NON_COMPLIANT",
    fixture: account(
      instance("i-0000000000000000a", { HttpTokens: "required" }),
      instance("i-0000000000000000b", { HttpTokens: "optional" }),
    ),
    expected: [
      { resourceId: "i-0000000000000000a", complianceType: "COMPLIANT", annotation: "HttpTokens is required" },
      { resourceId: "i-0000000000000000b", complianceType: "NON_COMPLIANT", annotation: "HttpTokens is optional" },
    ],
  },
  {
    name: "a just-fixed instance whose options are still pending is already COMPLIANT",
    fixture: account(
      instance("i-0000000000000000a", { HttpTokens: "required", State: "pending" }),
      instance("i-0000000000000000b", { HttpTokens: "optional", State: "pending" }),
    ),
    expected: [
      { resourceId: "i-0000000000000000a", complianceType: "COMPLIANT", annotation: "change pending" },
      { resourceId: "i-0000000000000000b", complianceType: "NON_COMPLIANT" },
    ],
  },
  {
    name: "only terminated instances are NOT_APPLICABLE; shutting-down, stopped and pending ones are judged",
    fixture: account(
      instance("i-0000000000000000a", { HttpTokens: "optional" }, { state: "terminated" }),
      instance("i-0000000000000000b", { HttpTokens: "optional" }, { state: "shutting-down" }),
      instance("i-0000000000000000c", { HttpTokens: "optional" }, { state: "stopped" }),
      instance("i-0000000000000000d", { HttpTokens: "optional" }, { state: "pending" }),
      instance("i-0000000000000000e", { HttpTokens: "required" }, { state: "shutting-down" }),
    ),
    expected: [
      { resourceId: "i-0000000000000000a", complianceType: "NOT_APPLICABLE", annotation: "terminated" },
      { resourceId: "i-0000000000000000b", complianceType: "NON_COMPLIANT", annotation: "HttpTokens is optional" },
      { resourceId: "i-0000000000000000e", complianceType: "COMPLIANT", annotation: "HttpTokens is required" },
      { resourceId: "i-0000000000000000c", complianceType: "NON_COMPLIANT" },
      { resourceId: "i-0000000000000000d", complianceType: "NON_COMPLIANT" },
    ],
  },
  {
    name: "endpoint disabled with tokens optional is NON_COMPLIANT by default, as AWS's managed rule",
    fixture: account(
      instance("i-0000000000000000a", { HttpTokens: "optional", HttpEndpoint: "disabled" }),
      instance("i-0000000000000000b", { HttpTokens: "required", HttpEndpoint: "disabled" }),
    ),
    expected: [
      { resourceId: "i-0000000000000000a", complianceType: "NON_COMPLIANT", annotation: "metadata endpoint disabled" },
      { resourceId: "i-0000000000000000b", complianceType: "COMPLIANT" },
    ],
  },
  {
    name: "allowDisabledEndpoint makes a disabled endpoint COMPLIANT, but not an enabled one with optional tokens",
    params: { allowDisabledEndpoint: "true" },
    fixture: account(
      instance("i-0000000000000000a", { HttpTokens: "optional", HttpEndpoint: "disabled" }),
      instance("i-0000000000000000b", { HttpTokens: "optional", HttpEndpoint: "enabled" }),
    ),
    expected: [
      { resourceId: "i-0000000000000000a", complianceType: "COMPLIANT", annotation: "endpoint is disabled" },
      { resourceId: "i-0000000000000000b", complianceType: "NON_COMPLIANT" },
    ],
  },
  {
    name: "without maxHopLimit any hop limit passes",
    fixture: account(instance("i-0000000000000000a", { HttpTokens: "required", HttpPutResponseHopLimit: 64 })),
    expected: [{ resourceId: "i-0000000000000000a", complianceType: "COMPLIANT", annotation: "hop limit 64" }],
  },
  {
    name: "each instance's text names its own hop limit, in a run where many share a text",
    fixture: account(
      instance("i-0000000000000000a", { HttpTokens: "required", HttpPutResponseHopLimit: 1 }),
      instance("i-0000000000000000b", { HttpTokens: "required", HttpPutResponseHopLimit: 2 }),
      instance("i-0000000000000000c", { HttpTokens: "required", HttpPutResponseHopLimit: 1 }),
      instance("i-0000000000000000d", { HttpTokens: "required", HttpPutResponseHopLimit: 3 }),
    ),
    expected: [
      { resourceId: "i-0000000000000000a", complianceType: "COMPLIANT", annotation: /hop limit 1$/ },
      { resourceId: "i-0000000000000000b", complianceType: "COMPLIANT", annotation: /hop limit 2$/ },
      { resourceId: "i-0000000000000000c", complianceType: "COMPLIANT", annotation: /hop limit 1$/ },
      { resourceId: "i-0000000000000000d", complianceType: "COMPLIANT", annotation: /hop limit 3$/ },
    ],
  },
  {
    name: "maxHopLimit: a higher hop limit is NON_COMPLIANT, equal passes",
    params: { maxHopLimit: 2 },
    fixture: account(
      instance("i-0000000000000000a", { HttpTokens: "required", HttpPutResponseHopLimit: 2 }),
      instance("i-0000000000000000b", { HttpTokens: "required", HttpPutResponseHopLimit: 3 }),
      instance("i-0000000000000000c", { HttpTokens: "optional", HttpPutResponseHopLimit: 3 }),
    ),
    expected: [
      { resourceId: "i-0000000000000000a", complianceType: "COMPLIANT" },
      { resourceId: "i-0000000000000000b", complianceType: "NON_COMPLIANT", annotation: "HttpPutResponseHopLimit 3 exceeds maxHopLimit 2" },
      { resourceId: "i-0000000000000000c", complianceType: "NON_COMPLIANT", annotation: /optional.*HopLimit 3/ },
    ],
  },
  {
    name: "missing metadata options fail closed",
    fixture: account(instance("i-0000000000000000a", null)),
    expected: [{ resourceId: "i-0000000000000000a", complianceType: "NON_COMPLIANT", annotation: "No instance metadata options" }],
  },
  {
    name: "an instance tagged compliance-exempt is NOT_APPLICABLE",
    exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now: NOW }),
    fixture: account(
      instance(
        "i-0000000000000000a",
        { HttpTokens: "optional" },
        { tags: { "compliance-exempt": "imdsv2-required", "compliance-exempt-owner": "platform-team" } },
      ),
      instance("i-0000000000000000b", { HttpTokens: "optional" }, { tags: { "compliance-exempt": "eip-attached" } }),
    ),
    expected: [
      { resourceId: "i-0000000000000000a", complianceType: "NOT_APPLICABLE", annotation: "Exempted (tag) by platform-team" },
      { resourceId: "i-0000000000000000b", complianceType: "NON_COMPLIANT" },
    ],
  },
  {
    name: "instances not collected give INSUFFICIENT_DATA, never a verdict",
    fixture: { ...account(instance("i-0000000000000000a", { HttpTokens: "optional" })), missing: ["instance"] },
    expected: [{ resourceId: "i-0000000000000000a", complianceType: "INSUFFICIENT_DATA", annotation: "missing AWS::EC2::Instance" }],
  },
]);

// Defaults: endpoint disabled not allowed, no hop limit.
testRuleParameters(rule, {
  defaults: { allowDisabledEndpoint: false },
  accepted: [
    [
      { maxHopLimit: "2", allowDisabledEndpoint: "true" },
      { maxHopLimit: 2, allowDisabledEndpoint: true },
    ],
  ],
  invalid: [
    ["a hop limit below 1", { maxHopLimit: 0 }, "maxHopLimit", 0],
    ["a hop limit above 64", { maxHopLimit: 65 }, "maxHopLimit", 65],
    ["a hop limit that is not a number", { maxHopLimit: "two" }, "maxHopLimit", "two"],
    ["a word that is not a boolean", { allowDisabledEndpoint: "maybe" }, "allowDisabledEndpoint", "maybe"],
    ["an unknown parameter", { hopLimit: 2 }, "hopLimit", 2],
  ],
});
