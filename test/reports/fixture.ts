import { runRules } from "../../lib/engine/run";
import { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import { EC2_OPERATIONS, type Ec2Operation, RESOURCE_KINDS } from "../../lib/model/kinds";
import { ModelBuilder } from "../../lib/model/resource-model";
import type { ResourceKind } from "../../lib/model/types";
import { buildReport, type Report, type ReportInput, reportRuleOf } from "../../lib/reports/model";
import { normalizeEc2Item } from "../../lib/sources/ec2-adapter";
import { GOLDEN_RULES } from "../support/golden-rules";
import { RULE_IDS } from "../support/rule-ids";

export const ACCOUNT = "111122223333";
export const TOOL = { name: "ec2-config-rules", version: "0.0.0-test" };
export const PREVIOUS_AT = new Date("2026-11-01T06:00:00.000Z");
export const CURRENT_AT = new Date("2026-11-23T06:00:00.000Z");

type Responses = Partial<Record<Ec2Operation, unknown[]>>;
interface RegionFixture {
  region: string;
  responses: Responses;
  missing?: ResourceKind[];
}

const tags = (entries: Record<string, string>) => Object.entries(entries).map(([Key, Value]) => ({ Key, Value }));

const instance = (id: string, httpTokens: string, publicIp?: string, extra: Record<string, unknown> = {}) => ({
  InstanceId: id,
  InstanceType: "t3.micro",
  State: { Name: "running" },
  VpcId: "vpc-0a1",
  SubnetId: "subnet-0a1",
  Placement: { AvailabilityZone: "eu-west-1a" },
  MetadataOptions: { HttpTokens: httpTokens, HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1, State: "applied" },
  NetworkInterfaces: [
    {
      NetworkInterfaceId: `eni-${id.slice(2)}`,
      Attachment: { DeviceIndex: 0 },
      ...(publicIp ? { Association: { PublicIp: publicIp, IpOwnerId: "amazon" } } : {}),
    },
  ],
  SecurityGroups: [{ GroupId: "sg-0used" }],
  Tags: tags({ Name: id }),
  ...extra,
});

const eni = (id: string, instanceId: string) => ({
  NetworkInterfaceId: id,
  Status: "in-use",
  InterfaceType: "interface",
  VpcId: "vpc-0a1",
  SubnetId: "subnet-0a1",
  Attachment: { InstanceId: instanceId, DeviceIndex: 0 },
  Groups: [{ GroupId: "sg-0used", GroupName: "web" }],
});

const group = (id: string, name: string) => ({
  GroupId: id,
  GroupName: name,
  VpcId: "vpc-0a1",
  OwnerId: ACCOUNT,
  IpPermissions: [],
  IpPermissionsEgress: [],
});

/**
 * A small two-region account, in two versions a few weeks apart, chosen so that the second run
 * has every kind of change: an EIP released (resolved, gone), one associated (resolved), one
 * newly idle (new), one still idle (still failing), one tagged exempt until soon (exempted, and
 * expiring), an S3 route turned blackhole (new), and us-east-1 addresses no longer collected
 * (unverified); and an instance whose exemption tag is invalid (ignored, listed).
 */
export function accountFixture(version: "previous" | "current"): RegionFixture[] {
  const current = version === "current";
  const addresses = [
    { AllocationId: "eipalloc-0web", PublicIp: "203.0.113.10", AssociationId: "eipassoc-0web", InstanceId: "i-0web", Domain: "vpc" },
    { AllocationId: "eipalloc-0idle", PublicIp: "203.0.113.11", Domain: "vpc" },
    {
      AllocationId: "eipalloc-0later",
      PublicIp: "203.0.113.12",
      Domain: "vpc",
      Tags: current
        ? tags({
            "compliance-exempt": "eip-attached",
            "compliance-exempt-owner": "netops",
            "compliance-exempt-reason": "DR standby",
            "compliance-exempt-expires": "2026-12-01",
          })
        : [],
    },
    current
      ? { AllocationId: "eipalloc-0fixed", PublicIp: "203.0.113.13", AssociationId: "eipassoc-0fixed", InstanceId: "i-0web", Domain: "vpc" }
      : { AllocationId: "eipalloc-0fixed", PublicIp: "203.0.113.13", Domain: "vpc" },
    ...(current
      ? [{ AllocationId: "eipalloc-0fresh", PublicIp: "203.0.113.14", Domain: "vpc" }]
      : [{ AllocationId: "eipalloc-0released", PublicIp: "203.0.113.15", Domain: "vpc" }]),
  ];
  const euWest1: RegionFixture = {
    region: "eu-west-1",
    responses: {
      DescribeInstances: [
        {
          Instances: [
            // An exemption tag with an expiry that is no date: ignored, and listed as invalid.
            instance(
              "i-0web",
              "optional",
              "198.51.100.7",
              current
                ? { Tags: tags({ Name: "i-0web", "compliance-exempt": "imdsv2-required", "compliance-exempt-expires": "next-year" }) }
                : {},
            ),
            instance("i-0app", "required"),
            instance("i-0batch", current ? "required" : "optional", undefined, { State: { Name: "stopped" } }),
          ],
        },
      ],
      DescribeAddresses: addresses,
      DescribeSecurityGroups: [group("sg-0default", "default"), group("sg-0used", "web"), group("sg-0unused", "legacy-ssh")],
      DescribeNetworkInterfaces: [eni("eni-0web", "i-0web"), eni("eni-0app", "i-0app")],
      DescribeSubnets: [{ SubnetId: "subnet-0a1", VpcId: "vpc-0a1", AvailabilityZone: "eu-west-1a", CidrBlock: "10.0.1.0/24" }],
      DescribeRouteTables: [
        {
          RouteTableId: "rtb-0main",
          VpcId: "vpc-0a1",
          Associations: [{ Main: true, RouteTableAssociationId: "rtbassoc-0main", AssociationState: { State: "associated" } }],
          Routes: [
            { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" },
            { DestinationPrefixListId: "pl-6da54004", GatewayId: "vpce-0s3", State: current ? "blackhole" : "active" },
          ],
        },
      ],
      DescribeVpcEndpoints: [
        {
          VpcEndpointId: "vpce-0s3",
          VpcEndpointType: "Gateway",
          VpcId: "vpc-0a1",
          ServiceName: "com.amazonaws.eu-west-1.s3",
          State: "available",
          RouteTableIds: ["rtb-0main"],
        },
      ],
      DescribePrefixLists: [{ PrefixListId: "pl-6da54004", PrefixListName: "com.amazonaws.eu-west-1.s3" }],
      DescribeInternetGateways: [],
      DescribePlacementGroups: [{ GroupName: "hpc", GroupId: "pg-0hpc", State: "available", Strategy: "cluster" }],
      DescribeInstanceTypes: [{ InstanceType: "t3.micro", NetworkInfo: { EnaSupport: "required" } }],
    },
  };
  const usEast1: RegionFixture = {
    region: "us-east-1",
    responses: { DescribeAddresses: [{ AllocationId: "eipalloc-0east", PublicIp: "192.0.2.20", Domain: "vpc" }] },
    missing: current ? ["placement-group", "instance-type", "eip"] : ["placement-group", "instance-type"],
  };
  return [euWest1, usEast1];
}

export function modelOf(fixture: RegionFixture[]) {
  const builder = new ModelBuilder();
  for (const { region, responses, missing = [] } of fixture) {
    const scope = { region, accountId: ACCOUNT };
    for (const [operation, items] of Object.entries(responses) as [Ec2Operation, unknown[]][]) {
      if (missing.includes(EC2_OPERATIONS[operation].kind)) continue;
      for (const item of items) for (const record of normalizeEc2Item(operation, item, scope)) builder.add(record);
    }
    for (const kind of RESOURCE_KINDS) {
      if (missing.includes(kind)) builder.markGap(scope, kind, "UnauthorizedOperation: not allowed");
      else builder.markCollected(scope, kind);
    }
  }
  return builder.build();
}

export const FIXTURE_INPUTS: ReportInput[] = [
  { path: "test/reports/fixture.ts", format: "recorded", accountIds: [ACCOUNT], regions: ["eu-west-1", "us-east-1"] },
];

/** The rules the golden files were written for (test/support/golden-rules.ts). */
export const reportRules = () => GOLDEN_RULES.map(reportRuleOf);

/** The report of one version of the fixture, optionally diffed against a previous report. */
export function fixtureReport(version: "previous" | "current", previous?: Report): Report {
  const model = modelOf(accountFixture(version));
  const now = version === "current" ? CURRENT_AT : PREVIOUS_AT;
  const evaluations = runRules(model, { rules: GOLDEN_RULES, exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now }) });
  return buildReport({
    evaluations,
    rules: reportRules(),
    scopes: model.scopes(),
    inputs: FIXTURE_INPUTS,
    previous,
    tool: TOOL,
    now: () => now,
  });
}
