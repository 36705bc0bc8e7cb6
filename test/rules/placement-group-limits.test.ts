import { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import rule from "../../rules/placement-group-limits";
import { RULE_IDS } from "../support/rule-ids";
import { TEST_ACCOUNT, TEST_REGION, testRule, testRuleParameters } from "../support/rule-tester";

const NOW = new Date("2026-11-22T12:00:00Z");

const STATES = {
  pending: { Code: 0, Name: "pending" },
  running: { Code: 16, Name: "running" },
  terminated: { Code: 48, Name: "terminated" },
  stopping: { Code: 64, Name: "stopping" },
  stopped: { Code: 80, Name: "stopped" },
} as const;

interface Member {
  id: string;
  group: string;
  az?: string;
  type?: string;
  state?: keyof typeof STATES;
  partition?: number;
  enaEnabled?: boolean;
}

/** One instance as DescribeInstances returns it, placed in a group. */
function member({ id, group, az = "eu-west-1a", type = "c6in.large", state = "running", partition, enaEnabled = true }: Member) {
  return {
    AmiLaunchIndex: 0,
    Architecture: "x86_64",
    EnaSupport: enaEnabled,
    ImageId: "ami-0c1d2e3f4a5b6c7d8",
    InstanceId: id,
    InstanceType: type,
    LaunchTime: "2026-10-01T09:30:00.000Z",
    MetadataOptions: { State: "applied", HttpTokens: "required", HttpPutResponseHopLimit: 1, HttpEndpoint: "enabled" },
    NetworkInterfaces: [],
    Placement: {
      AvailabilityZone: az,
      GroupName: group,
      Tenancy: "default",
      ...(partition === undefined ? {} : { PartitionNumber: partition }),
    },
    PrivateIpAddress: "10.20.1.15",
    SecurityGroups: [],
    State: STATES[state],
    SubnetId: "subnet-0a1b2c3d4e5f60718",
    VpcId: "vpc-0fedcba9876543210",
    Tags: [{ Key: "Name", Value: id }],
  };
}

/** One placement group as DescribePlacementGroups returns it. */
function group(
  name: string,
  id: string,
  strategy: string,
  options: { state?: string; partitionCount?: number; spreadLevel?: string; tags?: Record<string, string> } = {},
) {
  return {
    GroupName: name,
    GroupId: id,
    GroupArn: `arn:aws:ec2:${TEST_REGION}:${TEST_ACCOUNT}:placement-group/${name}`,
    State: options.state ?? "available",
    Strategy: strategy,
    ...(options.partitionCount === undefined ? {} : { PartitionCount: options.partitionCount }),
    ...(options.spreadLevel === undefined ? {} : { SpreadLevel: options.spreadLevel }),
    Tags: Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  };
}

const instanceType = (type: string, enaSupport: "unsupported" | "supported" | "required") => ({
  InstanceType: type,
  CurrentGeneration: enaSupport !== "unsupported",
  NetworkInfo: { EnaSupport: enaSupport, NetworkPerformance: "Up to 10 Gigabit" },
  PlacementGroupInfo: { SupportedStrategies: ["cluster", "partition", "spread"] },
});

const DEFAULT_TYPES = [instanceType("c6in.large", "required"), instanceType("c6in.xlarge", "required")];

function account(
  groups: ReturnType<typeof group>[],
  members: ReturnType<typeof member>[],
  types: ReturnType<typeof instanceType>[] = DEFAULT_TYPES,
) {
  return {
    responses: {
      DescribePlacementGroups: { PlacementGroups: groups },
      DescribeInstances: { Reservations: [{ ReservationId: "r-0a1b2c3d4e5f60718", OwnerId: TEST_ACCOUNT, Instances: members }] },
      DescribeInstanceTypes: { InstanceTypes: types },
    },
  };
}

const ids = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `i-${prefix}${String(index).padStart(17 - prefix.length, "0")}`);

const SPREAD = "pg-0000000000000spr";
const PARTITION = "pg-0000000000000prt";
const CLUSTER = "pg-0000000000000cls";

testRule(rule, [
  {
    name: "spread: 7 running instances in one AZ are COMPLIANT, 8 are NON_COMPLIANT",
    fixture: account(
      [group("spread-ok", SPREAD, "spread", { spreadLevel: "rack" }), group("spread-over", "pg-00000000000sprov", "spread")],
      [
        ...ids("a", 7).map((id) => member({ id, group: "spread-ok" })),
        ...ids("b", 8).map((id) => member({ id, group: "spread-over", az: "eu-west-1b" })),
      ],
    ),
    expected: [
      { resourceId: SPREAD, complianceType: "COMPLIANT", annotation: "eu-west-1a: 7" },
      {
        resourceId: "pg-00000000000sprov",
        complianceType: "NON_COMPLIANT",
        annotation: /eu-west-1b: 8 instances \(i-b0+, .* and 4 more\)/,
      },
    ],
  },
  {
    name: "spread: 8 members spread over two AZs are COMPLIANT",
    fixture: account(
      [group("spread-ok", SPREAD, "spread")],
      ids("a", 8).map((id, index) => member({ id, group: "spread-ok", az: index < 4 ? "eu-west-1a" : "eu-west-1b" })),
    ),
    expected: [{ resourceId: SPREAD, complianceType: "COMPLIANT", annotation: "eu-west-1a: 4, eu-west-1b: 4" }],
  },
  {
    name: "spread: stopped, stopping and terminated members are not counted, pending ones are",
    fixture: account(
      [group("spread", SPREAD, "spread")],
      [
        ...ids("a", 6).map((id) => member({ id, group: "spread" })),
        member({ id: "i-0000000000000pend", group: "spread", state: "pending" }),
        member({ id: "i-0000000000000stop", group: "spread", state: "stopped" }),
        member({ id: "i-000000000000stpng", group: "spread", state: "stopping" }),
        member({ id: "i-00000000000000end", group: "spread", state: "terminated" }),
      ],
    ),
    expected: [{ resourceId: SPREAD, complianceType: "COMPLIANT", annotation: "eu-west-1a: 7" }],
  },
  {
    name: "spread: a pending eighth member breaks the limit",
    fixture: account(
      [group("spread", SPREAD, "spread")],
      [
        ...ids("a", 7).map((id) => member({ id, group: "spread" })),
        member({ id: "i-0000000000000pend", group: "spread", state: "pending" }),
      ],
    ),
    expected: [{ resourceId: SPREAD, complianceType: "NON_COMPLIANT", annotation: "eu-west-1a: 8 instances" }],
  },
  {
    name: "spread: host-level spread has no per-AZ limit",
    fixture: account(
      [group("host-spread", SPREAD, "spread", { spreadLevel: "host" })],
      ids("a", 9).map((id) => member({ id, group: "host-spread" })),
    ),
    expected: [{ resourceId: SPREAD, complianceType: "COMPLIANT", annotation: "Host-level spread" }],
  },
  {
    name: "maxSpreadInstancesPerAz lowers the limit",
    params: { maxSpreadInstancesPerAz: "3" },
    fixture: account(
      [group("spread", SPREAD, "spread")],
      ids("a", 4).map((id) => member({ id, group: "spread" })),
    ),
    expected: [{ resourceId: SPREAD, complianceType: "NON_COMPLIANT", annotation: "exceeds 3 running/pending instances per AZ" }],
  },
  {
    name: "partition: within 7 partitions is COMPLIANT; a member in partition 8 is NON_COMPLIANT",
    fixture: account(
      [
        group("part-ok", PARTITION, "partition", { partitionCount: 7 }),
        group("part-beyond", "pg-00000000000prtby", "partition", { partitionCount: 7 }),
      ],
      [
        member({ id: "i-000000000000000p1", group: "part-ok", partition: 7 }),
        member({ id: "i-000000000000000p2", group: "part-beyond", partition: 8, az: "eu-west-1c" }),
        member({ id: "i-000000000000000p3", group: "part-beyond", partition: 2 }),
      ],
    ),
    expected: [
      { resourceId: PARTITION, complianceType: "COMPLIANT", annotation: "7 partitions" },
      {
        resourceId: "pg-00000000000prtby",
        complianceType: "NON_COMPLIANT",
        annotation: "eu-west-1c: 1 instance beyond partition 7 (i-000000000000000p2 in partition 8)",
      },
    ],
  },
  {
    name: "partition: a PartitionCount above maxPartitions is NON_COMPLIANT",
    fixture: account(
      [group("part", PARTITION, "partition", { partitionCount: 8 })],
      [member({ id: "i-000000000000000p1", group: "part", partition: 1 })],
    ),
    expected: [{ resourceId: PARTITION, complianceType: "NON_COMPLIANT", annotation: "PartitionCount 8 exceeds 7" }],
  },
  {
    name: "maxPartitions raised to 8 makes 8 partitions COMPLIANT",
    params: { maxPartitions: 8 },
    fixture: account(
      [group("part", PARTITION, "partition", { partitionCount: 8 })],
      [member({ id: "i-000000000000000p1", group: "part", partition: 8 })],
    ),
    expected: [{ resourceId: PARTITION, complianceType: "COMPLIANT", annotation: "within 8 partitions" }],
  },
  {
    name: "cluster: one AZ, one ENA type is COMPLIANT",
    fixture: account(
      [group("hpc", CLUSTER, "cluster")],
      ids("c", 3).map((id) => member({ id, group: "hpc" })),
    ),
    expected: [{ resourceId: CLUSTER, complianceType: "COMPLIANT", annotation: "3 running/pending instances in eu-west-1a" }],
  },
  {
    name: "cluster: members across 2 AZs are NON_COMPLIANT",
    fixture: account(
      [group("hpc", CLUSTER, "cluster")],
      [member({ id: "i-00000000000000c1a", group: "hpc" }), member({ id: "i-00000000000000c1b", group: "hpc", az: "eu-west-1b" })],
    ),
    expected: [
      {
        resourceId: CLUSTER,
        complianceType: "NON_COMPLIANT",
        annotation: "spans 2 AZs, a cluster must be in one: eu-west-1a: 1 (i-00000000000000c1a); eu-west-1b: 1",
      },
    ],
  },
  {
    name: "cluster: mixed instance types are NON_COMPLIANT by default",
    fixture: account(
      [group("hpc", CLUSTER, "cluster")],
      [member({ id: "i-00000000000000c1a", group: "hpc" }), member({ id: "i-00000000000000c1b", group: "hpc", type: "c6in.xlarge" })],
    ),
    expected: [{ resourceId: CLUSTER, complianceType: "NON_COMPLIANT", annotation: "mixes 2 instance types: c6in.large: 1" }],
  },
  {
    name: "clusterSameInstanceType false allows mixed types",
    params: { clusterSameInstanceType: false },
    fixture: account(
      [group("hpc", CLUSTER, "cluster")],
      [member({ id: "i-00000000000000c1a", group: "hpc" }), member({ id: "i-00000000000000c1b", group: "hpc", type: "c6in.xlarge" })],
    ),
    expected: [{ resourceId: CLUSTER, complianceType: "COMPLIANT", annotation: "types c6in.large, c6in.xlarge" }],
  },
  {
    name: "cluster: an instance type without ENA support is NON_COMPLIANT by default",
    fixture: account(
      [group("hpc", CLUSTER, "cluster")],
      [member({ id: "i-00000000000000c1a", group: "hpc", type: "m3.large", enaEnabled: false })],
      [instanceType("m3.large", "unsupported")],
    ),
    expected: [{ resourceId: CLUSTER, complianceType: "NON_COMPLIANT", annotation: "m3.large lacks ENA support (i-00000000000000c1a)" }],
  },
  {
    name: "clusterRequireEnhancedNetworking false allows a non-ENA type",
    params: { clusterRequireEnhancedNetworking: "false" },
    fixture: account(
      [group("hpc", CLUSTER, "cluster")],
      [member({ id: "i-00000000000000c1a", group: "hpc", type: "m3.large", enaEnabled: false })],
      [instanceType("m3.large", "unsupported")],
    ),
    expected: [{ resourceId: CLUSTER, complianceType: "COMPLIANT" }],
  },
  {
    name: "cluster: a type missing from the instance types is INSUFFICIENT_DATA, unless ENA is on for a member",
    fixture: account(
      [group("hpc", CLUSTER, "cluster"), group("hpc-ena", "pg-00000000000clsen", "cluster")],
      [
        member({ id: "i-00000000000000c1a", group: "hpc", type: "x9.large", enaEnabled: false }),
        member({ id: "i-00000000000000c2a", group: "hpc-ena", type: "x9.large", enaEnabled: true }),
      ],
      [],
    ),
    expected: [
      {
        resourceId: CLUSTER,
        complianceType: "INSUFFICIENT_DATA",
        annotation: "ENA support of x9.large unknown (not in DescribeInstanceTypes)",
      },
      { resourceId: "pg-00000000000clsen", complianceType: "COMPLIANT" },
    ],
  },
  {
    name: "cluster: instance types not collected at all are named in the annotation",
    fixture: {
      ...account([group("hpc", CLUSTER, "cluster")], [member({ id: "i-00000000000000c1a", group: "hpc", enaEnabled: false })], []),
      missing: ["instance-type"],
    },
    expected: [{ resourceId: CLUSTER, complianceType: "INSUFFICIENT_DATA", annotation: "instance types not collected" }],
  },
  {
    name: "groups not available and unknown strategies are NOT_APPLICABLE; an empty group is COMPLIANT",
    fixture: account(
      [
        group("going", "pg-00000000000going", "spread", { state: "deleting" }),
        group("ptp", "pg-0000000000000ptp", "precision-time"),
        group("empty", "pg-000000000000empt", "cluster"),
      ],
      [...ids("g", 8).map((id) => member({ id, group: "going" })), member({ id: "i-00000000000000emp", group: "empty", state: "stopped" })],
    ),
    expected: [
      { resourceId: "pg-00000000000going", complianceType: "NOT_APPLICABLE", annotation: "deleting, not available" },
      { resourceId: "pg-0000000000000ptp", complianceType: "NOT_APPLICABLE", annotation: "precision-time" },
      { resourceId: "pg-000000000000empt", complianceType: "COMPLIANT", annotation: "no running or pending instances" },
    ],
  },
  {
    name: "resourceType AWS::::Account sums up every group of the region on the account",
    params: { resourceType: "AWS::::Account" },
    fixture: account(
      [group("spread", SPREAD, "spread"), group("hpc", CLUSTER, "cluster")],
      [...ids("a", 8).map((id) => member({ id, group: "spread" })), member({ id: "i-00000000000000c1a", group: "hpc" })],
    ),
    expected: [{ resourceId: TEST_ACCOUNT, complianceType: "NON_COMPLIANT", annotation: "spread: Rack spread group exceeds 7" }],
  },
  {
    name: "resourceType AWS::::Account with no groups is COMPLIANT",
    params: { resourceType: "AWS::::Account" },
    fixture: account([], []),
    expected: [{ resourceId: TEST_ACCOUNT, complianceType: "COMPLIANT", annotation: "No placement groups" }],
  },
  {
    name: "a group tagged compliance-exempt is NOT_APPLICABLE",
    exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS, now: NOW }),
    fixture: account(
      [
        group("spread", SPREAD, "spread", {
          tags: { "compliance-exempt": "placement-group-limits", "compliance-exempt-expires": "2027-01-31" },
        }),
      ],
      ids("a", 8).map((id) => member({ id, group: "spread" })),
    ),
    expected: [{ resourceId: SPREAD, complianceType: "NOT_APPLICABLE", annotation: "Exempted (tag) until 2027-01-31" }],
  },
  {
    name: "placement groups not collected give INSUFFICIENT_DATA on the account",
    fixture: {
      ...account(
        [],
        ids("a", 8).map((id) => member({ id, group: "spread" })),
      ),
      missing: ["placement-group"],
    },
    expected: [{ resourceId: TEST_ACCOUNT, complianceType: "INSUFFICIENT_DATA", annotation: "missing AWS::EC2::PlacementGroup" }],
  },
  {
    name: "instances not collected give INSUFFICIENT_DATA on each group",
    fixture: { ...account([group("spread", SPREAD, "spread")], []), missing: ["instance"] },
    expected: [{ resourceId: SPREAD, complianceType: "INSUFFICIENT_DATA", annotation: "missing AWS::EC2::Instance" }],
  },
]);

// Defaults: the documented limits.
testRuleParameters(rule, {
  defaults: {
    resourceType: "AWS::EC2::PlacementGroup",
    maxSpreadInstancesPerAz: 7,
    maxPartitions: 7,
    clusterSameInstanceType: true,
    clusterRequireEnhancedNetworking: true,
  },
  accepted: [
    [
      { maxSpreadInstancesPerAz: "5", maxPartitions: "3", clusterSameInstanceType: "false" },
      { maxSpreadInstancesPerAz: 5, maxPartitions: 3, clusterSameInstanceType: false },
    ],
  ],
  invalid: [
    ["a spread limit of 0", { maxSpreadInstancesPerAz: 0 }, "maxSpreadInstancesPerAz", 0],
    ["a spread limit that is not a number", { maxSpreadInstancesPerAz: "seven" }, "maxSpreadInstancesPerAz", "seven"],
    ["a fractional partition limit", { maxPartitions: 7.5 }, "maxPartitions", 7.5],
    ["a negative partition limit", { maxPartitions: -1 }, "maxPartitions", -1],
    ["a word that is not a boolean", { clusterSameInstanceType: "sometimes" }, "clusterSameInstanceType", "sometimes"],
    ["a number for a boolean", { clusterRequireEnhancedNetworking: 2 }, "clusterRequireEnhancedNetworking", 2],
    ["a resource type the rule does not report on", { resourceType: "AWS::EC2::Instance" }, "resourceType", "AWS::EC2::Instance"],
    ["an unknown parameter", { maxSpreadInstances: 7 }, "maxSpreadInstances", 7],
  ],
});
