/**
 * The synthetic account: records as full as the EC2 API returns them (PascalCase, AWS SDK v3
 * field set), laid out as VPCs of a few hundred resources each, with every verdict of every rule
 * present in a realistic share. Every record is a pure function of (seed, region, VPC, index),
 * so each Describe* list can be written on its own, streaming, and cross-references (an EIP's
 * ENI, an ENI's instance, a route's endpoint) always agree.
 */
import { ec2Id, hash32, Rng } from "./random";

export const ACCOUNT_ID = "210987654321";
const OTHER_ACCOUNT_ID = "123456789012";
export const REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"] as const;
const CAPTURED_AT = "2026-11-23T12:00:00.000Z";

/** Shape of one VPC; tuned so that the average record is about 1 KB (the bench prints the figure). */
export const INSTANCES_PER_VPC = 40;
const SECURITY_GROUPS_PER_VPC = 48;
const LAMBDA_ENIS_PER_VPC = 20;
/** ECS tasks in awsvpc mode: one requester-managed ENI per task, using the instance tiers' groups. */
const TASK_ENIS_PER_VPC = 60;
const DETACHED_ENIS_PER_VPC = 12;
const INTERFACE_SERVICES = ["ssm", "ec2messages", "ssmmessages", "logs", "ecr.api", "sts"] as const;
const AZ_SUFFIXES = ["a", "b", "c"] as const;

// Id categories (one hex digit in ec2Id), so ids of one prefix never collide across roles.
const C = {
  vpc: 0,
  instance: 1,
  instanceEni: 2,
  natEni: 3,
  lambdaEni: 4,
  endpointEni: 5,
  lbEni: 6,
  detachedEni: 7,
  paddingEni: 8,
  eip: 9,
  subnet: 10,
  routeTable: 11,
  endpoint: 12,
  group: 13,
  misc: 14,
  taskEni: 15,
} as const;

// Security group roles by index within a VPC.
const SG_DEFAULT = 0;
const SG_INSTANCE_FIRST = 1;
const SG_INSTANCE_COUNT = 30; // 1..30 used by instances (and detached ENIs)
const SG_LAMBDA = [31, 32, 33, 34] as const; // used only by Lambda ENIs
const SG_ENDPOINT = 35; // interface endpoint ENIs
const SG_ALB = 36;
const SG_NLB = 37;
const SG_REFERENCED_ONLY = [38, 39, 40, 41] as const; // unused, but referenced by other groups' rules
const SG_SHARED = 42; // owned by another account (shared VPC participant view)
// 43..47: unused and unreferenced

export interface InstanceTypeSpec {
  name: string;
  vcpus: number;
  memoryMiB: number;
  ena: "unsupported" | "supported" | "required";
  network: string;
  burstable?: boolean;
  arch?: "x86_64" | "arm64";
}

export const INSTANCE_TYPES: readonly InstanceTypeSpec[] = [
  { name: "t3.micro", vcpus: 2, memoryMiB: 1024, ena: "required", network: "Up to 5 Gigabit", burstable: true },
  { name: "t3.small", vcpus: 2, memoryMiB: 2048, ena: "required", network: "Up to 5 Gigabit", burstable: true },
  { name: "t3.medium", vcpus: 2, memoryMiB: 4096, ena: "required", network: "Up to 5 Gigabit", burstable: true },
  { name: "t3.large", vcpus: 2, memoryMiB: 8192, ena: "required", network: "Up to 5 Gigabit", burstable: true },
  { name: "t2.micro", vcpus: 1, memoryMiB: 1024, ena: "unsupported", network: "Low to Moderate", burstable: true },
  { name: "m5.large", vcpus: 2, memoryMiB: 8192, ena: "required", network: "Up to 10 Gigabit" },
  { name: "m5.xlarge", vcpus: 4, memoryMiB: 16384, ena: "required", network: "Up to 10 Gigabit" },
  { name: "m5.2xlarge", vcpus: 8, memoryMiB: 32768, ena: "required", network: "Up to 10 Gigabit" },
  { name: "m6i.large", vcpus: 2, memoryMiB: 8192, ena: "required", network: "Up to 12.5 Gigabit" },
  { name: "m6g.large", vcpus: 2, memoryMiB: 8192, ena: "required", network: "Up to 10 Gigabit", arch: "arm64" },
  { name: "c5.large", vcpus: 2, memoryMiB: 4096, ena: "required", network: "Up to 10 Gigabit" },
  { name: "c5.xlarge", vcpus: 4, memoryMiB: 8192, ena: "required", network: "Up to 10 Gigabit" },
  { name: "c5n.large", vcpus: 2, memoryMiB: 5376, ena: "required", network: "Up to 25 Gigabit" },
  { name: "c5n.9xlarge", vcpus: 36, memoryMiB: 98304, ena: "required", network: "50 Gigabit" },
  { name: "c6in.large", vcpus: 2, memoryMiB: 4096, ena: "required", network: "Up to 25 Gigabit" },
  { name: "c4.large", vcpus: 2, memoryMiB: 3840, ena: "unsupported", network: "Moderate" },
  { name: "m4.large", vcpus: 2, memoryMiB: 8192, ena: "unsupported", network: "Moderate" },
  { name: "r5.large", vcpus: 2, memoryMiB: 16384, ena: "required", network: "Up to 10 Gigabit" },
  { name: "r5.xlarge", vcpus: 4, memoryMiB: 32768, ena: "required", network: "Up to 10 Gigabit" },
  { name: "r6i.large", vcpus: 2, memoryMiB: 16384, ena: "required", network: "Up to 12.5 Gigabit" },
];
const GENERAL_TYPES = [
  "t3.micro",
  "t3.small",
  "t3.medium",
  "t3.large",
  "m5.large",
  "m5.xlarge",
  "m5.2xlarge",
  "m6i.large",
  "m6g.large",
  "c5.large",
  "c5.xlarge",
  "r5.large",
  "r5.xlarge",
  "r6i.large",
  "t2.micro",
];

const pad2 = (n: number) => String(n).padStart(2, "0");
const isoTime = (rng: Rng) =>
  `2026-${pad2(1 + rng.int(10))}-${pad2(1 + rng.int(28))}T${pad2(rng.int(24))}:${pad2(rng.int(60))}:${pad2(rng.int(60))}.000Z`;
const publicIp = (rng: Rng) => `${rng.pick([3, 18, 34, 52, 54])}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`;
const mac = (rng: Rng) => `0${rng.pick(["2", "6", "a", "e"])}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`;
const tags = (entries: Record<string, string>) => Object.entries(entries).map(([Key, Value]) => ({ Key, Value }));
const ipDns = (ip: string, region: string) =>
  region === "us-east-1" ? `ip-${ip.replaceAll(".", "-")}.ec2.internal` : `ip-${ip.replaceAll(".", "-")}.${region}.compute.internal`;
const publicDns = (ip: string, region: string) =>
  region === "us-east-1"
    ? `ec2-${ip.replaceAll(".", "-")}.compute-1.amazonaws.com`
    : `ec2-${ip.replaceAll(".", "-")}.${region}.compute.amazonaws.com`;

const TEAMS = ["payments", "search", "identity", "ledger", "catalog", "checkout", "platform", "data"] as const;
const ENVS = ["prod", "staging", "dev"] as const;

/** One VPC of the account and the fixed facts every generator of its records shares. */
export class VpcPlan {
  readonly vpcId: string;
  readonly cidrOctet: number;
  readonly azs: string[];
  readonly hasInternetGateway: boolean;
  readonly hasS3Endpoint: boolean;
  readonly hasDynamoEndpoint: boolean;
  readonly hasUnusedRouteTable: boolean;
  readonly team: string;
  readonly env: string;

  constructor(
    readonly seed: number,
    readonly regionIndex: number,
    readonly vpc: number,
    /** Extra detached ENIs that bring the account to the exact resource count. */
    readonly paddingEnis: number,
  ) {
    this.vpcId = ec2Id("vpc", regionIndex, vpc, C.vpc, 0);
    this.cidrOctet = vpc % 256;
    this.azs = AZ_SUFFIXES.map((suffix) => `${this.region}${suffix}`);
    this.hasInternetGateway = vpc % 11 !== 10;
    this.hasS3Endpoint = vpc % 10 !== 9;
    this.hasDynamoEndpoint = vpc % 3 === 0;
    this.hasUnusedRouteTable = vpc % 4 === 0;
    this.team = TEAMS[vpc % TEAMS.length] as string;
    this.env = ENVS[vpc % ENVS.length] as string;
  }

  get region(): string {
    return REGIONS[this.regionIndex] as string;
  }

  rng(category: number, index: number): Rng {
    return new Rng(hash32(this.seed, this.regionIndex, this.vpc, category, index));
  }

  id(prefix: string, category: number, index: number): string {
    return ec2Id(prefix, this.regionIndex, this.vpc, category, index);
  }

  // Subnets: 0..2 public (one per AZ), 3..5 app (private, explicit route table), 6..8 data (main-table fallback).
  subnetId(index: number): string {
    return this.id("subnet", C.subnet, index);
  }
  subnetCidr(index: number): string {
    return `10.${this.cidrOctet}.${index * 16}.0/20`;
  }
  privateIp(subnet: number, host: number): string {
    return `10.${this.cidrOctet}.${subnet * 16 + ((host >> 8) % 16)}.${(host % 254) + 1}`;
  }
  groupId(index: number): string {
    return this.id("sg", C.group, index);
  }
  groupName(index: number): string {
    if (index === SG_DEFAULT) return "default";
    return `${this.team}-${this.env}-${index}`;
  }
  routeTableId(index: number): string {
    return this.id("rtb", C.routeTable, index);
  }
  natGatewayId(az: number): string {
    return this.id("nat", C.misc, 10 + az);
  }
  natEniId(az: number): string {
    return this.id("eni", C.natEni, az);
  }
  internetGatewayId(): string {
    return this.id("igw", C.misc, 1);
  }
  transitGatewayId(): string {
    return ec2Id("tgw", this.regionIndex, 0, C.misc, 2);
  }
  s3EndpointId(): string {
    return this.id("vpce", C.endpoint, 0);
  }
  dynamoEndpointId(): string {
    return this.id("vpce", C.endpoint, 1);
  }
  deletedEndpointId(): string {
    return this.id("vpce", C.endpoint, 9);
  }
  interfaceEndpointId(index: number): string {
    return this.id("vpce", C.endpoint, 2 + index);
  }
  endpointEniId(endpoint: number, az: number): string {
    return this.id("eni", C.endpointEni, endpoint * 3 + az);
  }
  placementGroupName(index: number): string {
    return `${this.team}-${["spread", "partition", "cluster", "spare"][index]}-${this.regionIndex}-${this.vpc}`;
  }
  placementGroupId(index: number): string {
    return this.id("pg", C.misc, 20 + index);
  }

  /** Private route tables (0..2, one per AZ, for the app subnets) that carry the S3 route, and how. */
  s3RouteState(az: number): "active" | "missing" | "blackhole" {
    if (this.vpc % 5 === 1 && az === 2) return "missing";
    if (this.vpc % 5 === 2 && az === 1) return "blackhole";
    return "active";
  }
  dynamoRouteMissing(az: number): boolean {
    return this.vpc % 6 === 0 && az === 0;
  }
  mainHasS3Route(): boolean {
    return this.vpc % 7 !== 3;
  }
  /** Route-table indexes: 0 main, 1 public, 2..4 private per AZ, 5 unused. */
  s3RouteTables(): string[] {
    const ids: string[] = [];
    if (this.mainHasS3Route()) ids.push(this.routeTableId(0));
    if (!this.hasInternetGateway) ids.push(this.routeTableId(1));
    for (let az = 0; az < 3; az++) if (this.s3RouteState(az) === "active") ids.push(this.routeTableId(2 + az));
    return ids;
  }
  dynamoRouteTables(): string[] {
    const ids = [this.routeTableId(0)];
    for (let az = 0; az < 3; az++) if (!this.dynamoRouteMissing(az)) ids.push(this.routeTableId(2 + az));
    return ids;
  }
}

export interface PublicAddress {
  ip: string;
  /** Set when the address is an Elastic IP. */
  allocationId?: string;
  associationId?: string;
}

export interface InstanceEniSpec {
  id: string;
  deviceIndex: number;
  subnet: number;
  privateIp: string;
  mac: string;
  attachmentId: string;
  groups: number[];
  publicAddress?: PublicAddress;
}

export interface InstanceSpec {
  id: string;
  index: number;
  state: { Code: number; Name: string };
  type: string;
  az: number;
  subnet: number;
  groups: number[];
  enis: InstanceEniSpec[];
  placementGroup?: number;
  partitionNumber?: number;
  reservationKey: string;
  launchTime: string;
  rng: Rng;
}

const STATES = [
  { Code: 16, Name: "running" },
  { Code: 80, Name: "stopped" },
  { Code: 48, Name: "terminated" },
  { Code: 0, Name: "pending" },
  { Code: 32, Name: "shutting-down" },
  { Code: 64, Name: "stopping" },
] as const;

// Placement-group members by instance index within the VPC.
const SPREAD_MEMBERS = [20, 30] as const;
const PARTITION_MEMBERS = [30, 36] as const;
const CLUSTER_MEMBERS = [36, 40] as const;

/** Everything about one instance that its own record, its ENIs' records and its EIPs' records share. */
export function instanceSpec(plan: VpcPlan, index: number): InstanceSpec {
  const rng = plan.rng(C.instance, index);
  const roll = rng.next();
  const state = STATES[roll < 0.82 ? 0 : roll < 0.9 ? 1 : roll < 0.95 ? 2 : roll < 0.97 ? 3 : roll < 0.985 ? 4 : 5] ?? STATES[0];
  let az = index % 3;
  let tier = index % 10 < 2 ? 0 : index % 10 < 9 ? 1 : 2; // public, app, data
  let type = rng.pick(GENERAL_TYPES);
  let placementGroup: number | undefined;
  let partitionNumber: number | undefined;
  let reservationKey = index % 25 < 3 ? `batch-${Math.floor(index / 25)}` : `single-${index}`;

  if (index >= SPREAD_MEMBERS[0] && index < SPREAD_MEMBERS[1]) {
    placementGroup = 0;
    // One VPC in four packs 8 of its 10 spread members into one AZ (over the limit of 7).
    az = plan.vpc % 4 === 0 ? (index - SPREAD_MEMBERS[0] < 8 ? 0 : 1) : (index - SPREAD_MEMBERS[0]) % 3;
    tier = 1;
    type = "m5.large";
    reservationKey = "pg-0";
  } else if (index >= PARTITION_MEMBERS[0] && index < PARTITION_MEMBERS[1]) {
    placementGroup = 1;
    tier = 1;
    type = "r5.xlarge";
    partitionNumber = 1 + ((index - PARTITION_MEMBERS[0]) % 3);
    if (plan.vpc % 6 === 5 && index === PARTITION_MEMBERS[1] - 1) partitionNumber = 8; // beyond maxPartitions
    reservationKey = "pg-1";
  } else if (index >= CLUSTER_MEMBERS[0] && index < CLUSTER_MEMBERS[1]) {
    placementGroup = 2;
    tier = 1;
    az = plan.vpc % 5 === 3 && index === CLUSTER_MEMBERS[1] - 1 ? 1 : 0; // one cluster in five spans AZs
    type = plan.vpc % 5 === 2 && index === CLUSTER_MEMBERS[1] - 1 ? "c5n.9xlarge" : plan.vpc % 5 === 4 ? "c4.large" : "c5n.large";
    reservationKey = "pg-2";
  }
  const subnet = tier * 3 + az;
  const terminated = state.Name === "terminated";
  const groups = [SG_INSTANCE_FIRST + (index % SG_INSTANCE_COUNT)];
  if (index % 4 === 1) groups.push(SG_INSTANCE_FIRST + ((index * 7 + 3) % SG_INSTANCE_COUNT));
  const enis: InstanceEniSpec[] = [];
  if (!terminated) {
    const primary: InstanceEniSpec = {
      id: plan.id("eni", C.instanceEni, index * 2),
      deviceIndex: 0,
      subnet,
      privateIp: plan.privateIp(subnet, index * 2),
      mac: mac(rng),
      attachmentId: plan.id("eni-attach", C.instanceEni, index * 2),
      groups,
    };
    // Public subnets hand out public addresses: mostly auto-assigned (lost on stop), some EIPs.
    if (tier === 0 && plan.hasInternetGateway) {
      if (index % 3 === 0) {
        primary.publicAddress = {
          ip: publicIp(rng),
          allocationId: plan.id("eipalloc", C.eip, index * 2),
          associationId: plan.id("eipassoc", C.eip, index * 2),
        };
      } else if (state.Name !== "stopped" && state.Name !== "stopping") {
        primary.publicAddress = { ip: publicIp(rng) };
      }
    }
    enis.push(primary);
    if (index % 12 === 5) {
      const secondary: InstanceEniSpec = {
        id: plan.id("eni", C.instanceEni, index * 2 + 1),
        deviceIndex: 1,
        subnet,
        privateIp: plan.privateIp(subnet, index * 2 + 1),
        mac: mac(rng),
        attachmentId: plan.id("eni-attach", C.instanceEni, index * 2 + 1),
        groups: [groups[0] as number],
      };
      // The public address only on a secondary ENI: an EIP on an app-tier instance's second interface.
      if (index % 24 === 5 && plan.hasInternetGateway) {
        secondary.publicAddress = {
          ip: publicIp(rng),
          allocationId: plan.id("eipalloc", C.eip, index * 2 + 1),
          associationId: plan.id("eipassoc", C.eip, index * 2 + 1),
        };
      }
      enis.push(secondary);
    }
  }
  return {
    id: plan.id("i", C.instance, index),
    index,
    state,
    type,
    az,
    subnet,
    groups,
    enis,
    placementGroup,
    partitionNumber,
    reservationKey,
    launchTime: isoTime(rng),
    rng,
  };
}

function groupRefs(plan: VpcPlan, indexes: readonly number[]) {
  return indexes.map((index) => ({ GroupId: plan.groupId(index), GroupName: plan.groupName(index) }));
}

function eniAssociation(address: PublicAddress, region: string) {
  return address.allocationId
    ? {
        AllocationId: address.allocationId,
        AssociationId: address.associationId,
        IpOwnerId: ACCOUNT_ID,
        PublicDnsName: publicDns(address.ip, region),
        PublicIp: address.ip,
      }
    : { IpOwnerId: "amazon", PublicDnsName: publicDns(address.ip, region), PublicIp: address.ip };
}

export function instanceRecord(plan: VpcPlan, spec: InstanceSpec, launchIndex: number): Record<string, unknown> {
  const { rng } = spec;
  const region = plan.region;
  const primary = spec.enis[0];
  const running = spec.state.Name !== "terminated";
  const metadataRoll = rng.next();
  const httpTokens = metadataRoll < 0.68 ? "required" : "optional";
  const httpEndpoint = metadataRoll > 0.95 ? "disabled" : "enabled";
  const hopLimit = rng.chance(0.2) ? 2 : rng.chance(0.05) ? 3 : 1;
  const typeSpec = INSTANCE_TYPES.find((t) => t.name === spec.type) ?? (INSTANCE_TYPES[0] as InstanceTypeSpec);
  const name = `${plan.team}-${plan.env}-${spec.index}`;
  const placement: Record<string, unknown> = {
    AvailabilityZoneId: `${region.slice(0, 2)}w${plan.regionIndex + 1}-az${spec.az + 1}`,
    AvailabilityZone: plan.azs[spec.az],
    GroupName: spec.placementGroup === undefined ? "" : plan.placementGroupName(spec.placementGroup),
    Tenancy: "default",
  };
  if (spec.placementGroup !== undefined) placement.GroupId = plan.placementGroupId(spec.placementGroup);
  if (spec.partitionNumber !== undefined) placement.PartitionNumber = spec.partitionNumber;
  const record: Record<string, unknown> = {
    Architecture: typeSpec.arch ?? "x86_64",
    BlockDeviceMappings: running
      ? [
          {
            DeviceName: "/dev/xvda",
            Ebs: {
              AttachTime: spec.launchTime,
              DeleteOnTermination: true,
              Status: "attached",
              VolumeId: plan.id("vol", C.instance, spec.index),
            },
          },
        ]
      : [],
    ClientToken: `terraform-${rng.hex(26)}`,
    EbsOptimized: !typeSpec.burstable,
    EnaSupport: typeSpec.ena !== "unsupported",
    Hypervisor: "xen",
    IamInstanceProfile: {
      Arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${plan.team}-${plan.env}-app`,
      Id: `AIPA${rng.hex(17).toUpperCase()}`,
    },
    NetworkInterfaces: spec.enis.map((eni) => instanceEniRecord(plan, spec, eni)),
    RootDeviceName: "/dev/xvda",
    RootDeviceType: "ebs",
    SecurityGroups: running ? groupRefs(plan, spec.groups) : [],
    SourceDestCheck: true,
    Tags: tags({
      Name: name,
      team: plan.team,
      env: plan.env,
      ...(spec.index % 97 === 13 ? { "compliance-exempt": "imdsv2-required,ec2-no-public-ip" } : {}),
    }),
    VirtualizationType: "hvm",
    CpuOptions: { CoreCount: Math.max(1, typeSpec.vcpus / 2), ThreadsPerCore: typeSpec.vcpus > 1 ? 2 : 1 },
    CapacityReservationSpecification: { CapacityReservationPreference: "open" },
    HibernationOptions: { Configured: false },
    MetadataOptions: {
      State: rng.chance(0.02) ? "pending" : "applied",
      HttpTokens: httpTokens,
      HttpPutResponseHopLimit: hopLimit,
      HttpEndpoint: httpEndpoint,
      HttpProtocolIpv6: "disabled",
      InstanceMetadataTags: "disabled",
    },
    EnclaveOptions: { Enabled: false },
    BootMode: "uefi-preferred",
    PlatformDetails: "Linux/UNIX",
    UsageOperation: "RunInstances",
    UsageOperationUpdateTime: spec.launchTime,
    PrivateDnsNameOptions: { HostnameType: "ip-name", EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    MaintenanceOptions: { AutoRecovery: "default" },
    CurrentInstanceBootMode: "legacy-bios",
    AmiLaunchIndex: launchIndex,
    ImageId: `ami-0${rng.hex(16)}`,
    InstanceId: spec.id,
    InstanceType: spec.type,
    KeyName: `${plan.team}-${plan.env}`,
    LaunchTime: spec.launchTime,
    Monitoring: { State: "disabled" },
    Placement: placement,
    PrivateDnsName: primary ? ipDns(primary.privateIp, region) : "",
    ProductCodes: [],
    PublicDnsName: primary?.publicAddress ? publicDns(primary.publicAddress.ip, region) : "",
    State: spec.state,
    StateTransitionReason:
      spec.state.Name === "stopped" || spec.state.Name === "terminated"
        ? `User initiated (${spec.launchTime.slice(0, 19).replace("T", " ")} GMT)`
        : "",
  };
  if (primary) {
    record.PrivateIpAddress = primary.privateIp;
    record.SubnetId = plan.subnetId(spec.subnet);
    record.VpcId = plan.vpcId;
    if (primary.publicAddress) record.PublicIpAddress = primary.publicAddress.ip;
  }
  if (spec.state.Name === "terminated")
    record.StateReason = { Code: "Client.UserInitiatedShutdown", Message: "Client.UserInitiatedShutdown: User initiated shutdown" };
  return record;
}

function instanceEniRecord(plan: VpcPlan, spec: InstanceSpec, eni: InstanceEniSpec): Record<string, unknown> {
  const region = plan.region;
  const record: Record<string, unknown> = {
    Attachment: {
      AttachTime: spec.launchTime,
      AttachmentId: eni.attachmentId,
      DeleteOnTermination: eni.deviceIndex === 0,
      DeviceIndex: eni.deviceIndex,
      Status: "attached",
      NetworkCardIndex: 0,
    },
    Description: eni.deviceIndex === 0 ? "" : "secondary interface",
    Groups: groupRefs(plan, eni.groups),
    Ipv6Addresses: [],
    MacAddress: eni.mac,
    NetworkInterfaceId: eni.id,
    OwnerId: ACCOUNT_ID,
    PrivateDnsName: ipDns(eni.privateIp, region),
    PrivateIpAddress: eni.privateIp,
    PrivateIpAddresses: [
      {
        ...(eni.publicAddress ? { Association: eniAssociation(eni.publicAddress, region) } : {}),
        Primary: true,
        PrivateDnsName: ipDns(eni.privateIp, region),
        PrivateIpAddress: eni.privateIp,
      },
    ],
    SourceDestCheck: true,
    Status: "in-use",
    SubnetId: plan.subnetId(eni.subnet),
    VpcId: plan.vpcId,
    InterfaceType: "interface",
  };
  if (eni.publicAddress) record.Association = eniAssociation(eni.publicAddress, region);
  return record;
}

/** The stand-alone DescribeNetworkInterfaces view of an instance's ENI. */
function networkInterfaceRecord(
  plan: VpcPlan,
  options: {
    id: string;
    subnet: number;
    host: number;
    groups: readonly number[];
    interfaceType: string;
    description: string;
    requesterManaged: boolean;
    requesterId?: string;
    attachment?: Record<string, unknown>;
    publicAddress?: PublicAddress;
    tags?: Record<string, string>;
    rng: Rng;
  },
): Record<string, unknown> {
  const region = plan.region;
  const privateIp = plan.privateIp(options.subnet, options.host);
  const record: Record<string, unknown> = {
    AvailabilityZone: plan.azs[options.subnet % 3],
    Description: options.description,
    Groups: groupRefs(plan, options.groups),
    InterfaceType: options.interfaceType,
    Ipv6Addresses: [],
    MacAddress: mac(options.rng),
    NetworkInterfaceId: options.id,
    OwnerId: ACCOUNT_ID,
    PrivateDnsName: ipDns(privateIp, region),
    PrivateIpAddress: privateIp,
    PrivateIpAddresses: [
      {
        ...(options.publicAddress ? { Association: eniAssociation(options.publicAddress, region) } : {}),
        Primary: true,
        PrivateDnsName: ipDns(privateIp, region),
        PrivateIpAddress: privateIp,
      },
    ],
    RequesterManaged: options.requesterManaged,
    SourceDestCheck: options.interfaceType !== "nat_gateway",
    Status: options.attachment ? "in-use" : "available",
    SubnetId: plan.subnetId(options.subnet),
    TagSet: options.tags ? tags(options.tags) : [],
    VpcId: plan.vpcId,
    Operator: { Managed: false },
  };
  if (options.requesterId) record.RequesterId = options.requesterId;
  if (options.attachment) record.Attachment = options.attachment;
  if (options.publicAddress) record.Association = eniAssociation(options.publicAddress, region);
  return record;
}

export const natPublicAddress = (plan: VpcPlan, az: number): PublicAddress => ({
  ip: publicIp(plan.rng(C.natEni, 100 + az)),
  allocationId: plan.id("eipalloc", C.natEni, az),
  associationId: plan.id("eipassoc", C.natEni, az),
});
const nlbPublicAddress = (plan: VpcPlan, az: number): PublicAddress => ({
  ip: publicIp(plan.rng(C.lbEni, 100 + az)),
  allocationId: plan.id("eipalloc", C.lbEni, az),
  associationId: plan.id("eipassoc", C.lbEni, az),
});
const detachedEniAddress = (plan: VpcPlan): PublicAddress => ({
  ip: publicIp(plan.rng(C.detachedEni, 100)),
  allocationId: plan.id("eipalloc", C.detachedEni, 0),
  associationId: plan.id("eipassoc", C.detachedEni, 0),
});

/** Every ENI of the VPC, as DescribeNetworkInterfaces lists them. */
export function* networkInterfaces(plan: VpcPlan): Generator<Record<string, unknown>> {
  const region = plan.region;
  for (let index = 0; index < INSTANCES_PER_VPC; index++) {
    const spec = instanceSpec(plan, index);
    for (const eni of spec.enis) {
      const record = networkInterfaceRecord(plan, {
        id: eni.id,
        subnet: eni.subnet,
        host: eni.deviceIndex === 0 ? index * 2 : index * 2 + 1,
        groups: eni.groups,
        interfaceType: "interface",
        description: eni.deviceIndex === 0 ? "" : "secondary interface",
        requesterManaged: false,
        attachment: {
          AttachTime: spec.launchTime,
          AttachmentId: eni.attachmentId,
          DeleteOnTermination: eni.deviceIndex === 0,
          DeviceIndex: eni.deviceIndex,
          NetworkCardIndex: 0,
          InstanceId: spec.id,
          InstanceOwnerId: ACCOUNT_ID,
          Status: "attached",
        },
        publicAddress: eni.publicAddress,
        rng: spec.rng,
      });
      record.MacAddress = eni.mac;
      yield record;
    }
  }
  if (plan.hasInternetGateway) {
    for (let az = 0; az < 3; az++) {
      const rng = plan.rng(C.natEni, az);
      yield networkInterfaceRecord(plan, {
        id: plan.natEniId(az),
        subnet: az,
        host: 4000 + az,
        groups: [],
        interfaceType: "nat_gateway",
        description: `Interface for NAT Gateway ${plan.natGatewayId(az)}`,
        requesterManaged: true,
        requesterId: "036872051663",
        attachment: {
          AttachmentId: plan.id("ela-attach", C.natEni, az),
          DeleteOnTermination: false,
          DeviceIndex: 1,
          InstanceOwnerId: "amazon-aws",
          Status: "attached",
        },
        publicAddress: natPublicAddress(plan, az),
        rng,
      });
    }
  }
  for (let index = 0; index < LAMBDA_ENIS_PER_VPC; index++) {
    const rng = plan.rng(C.lambdaEni, index);
    const subnet = 3 + (index % 3);
    yield networkInterfaceRecord(plan, {
      id: plan.id("eni", C.lambdaEni, index),
      subnet,
      host: 3000 + index,
      groups: [SG_LAMBDA[index % SG_LAMBDA.length] as number],
      interfaceType: "lambda",
      description: `AWS Lambda VPC ENI-${plan.team}-${plan.env}-fn${index % 7}-${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
      requesterManaged: true,
      requesterId: `AROA${rng.hex(17).toUpperCase()}:${plan.team}-fn${index % 7}`,
      attachment: {
        AttachmentId: plan.id("ela-attach", C.lambdaEni, index),
        DeleteOnTermination: false,
        DeviceIndex: 1,
        InstanceOwnerId: "amazon-aws",
        Status: "attached",
      },
      rng,
    });
  }
  for (let index = 0; index < TASK_ENIS_PER_VPC; index++) {
    const rng = plan.rng(C.taskEni, index);
    yield networkInterfaceRecord(plan, {
      id: plan.id("eni", C.taskEni, index),
      subnet: 3 + (index % 3),
      host: 2000 + index,
      groups: [SG_INSTANCE_FIRST + ((index * 5) % SG_INSTANCE_COUNT)],
      interfaceType: "interface",
      description: `arn:aws:ecs:${region}:${ACCOUNT_ID}:attachment/${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
      requesterManaged: true,
      requesterId: "578734482556",
      attachment: {
        AttachTime: isoTime(rng),
        AttachmentId: plan.id("eni-attach", C.taskEni, index),
        DeleteOnTermination: false,
        DeviceIndex: 1,
        InstanceOwnerId: "amazon-aws",
        Status: "attached",
      },
      tags: { "aws:ecs:clusterName": `${plan.team}-${plan.env}`, "aws:ecs:serviceName": `${plan.team}-svc-${index % 6}` },
      rng,
    });
  }
  for (let endpoint = 0; endpoint < INTERFACE_SERVICES.length; endpoint++) {
    for (let az = 0; az < 3; az++) {
      const rng = plan.rng(C.endpointEni, endpoint * 3 + az);
      yield networkInterfaceRecord(plan, {
        id: plan.endpointEniId(endpoint, az),
        subnet: 3 + az,
        host: 3500 + endpoint * 3 + az,
        groups: [SG_ENDPOINT],
        interfaceType: "vpc_endpoint",
        description: `VPC Endpoint Interface ${plan.interfaceEndpointId(endpoint)}`,
        requesterManaged: true,
        requesterId: "727180483921",
        attachment: {
          AttachmentId: plan.id("ela-attach", C.endpointEni, endpoint * 3 + az),
          DeleteOnTermination: false,
          DeviceIndex: 1,
          InstanceOwnerId: "amazon-aws",
          Status: "attached",
        },
        rng,
      });
    }
  }
  for (let index = 0; index < 6; index++) {
    const rng = plan.rng(C.lbEni, index);
    const network = index < 3;
    const az = index % 3;
    yield networkInterfaceRecord(plan, {
      id: plan.id("eni", C.lbEni, index),
      subnet: az,
      host: 3700 + index,
      groups: [network ? SG_NLB : SG_ALB],
      interfaceType: network ? "network_load_balancer" : "interface",
      description: network ? `ELB net/${plan.team}-nlb/${rng.hex(16)}` : `ELB app/${plan.team}-alb/${rng.hex(16)}`,
      requesterManaged: true,
      requesterId: "amazon-elb",
      attachment: {
        AttachmentId: plan.id("ela-attach", C.lbEni, index),
        DeleteOnTermination: false,
        DeviceIndex: 1,
        InstanceOwnerId: "amazon-elb",
        Status: "attached",
      },
      publicAddress: network && plan.hasInternetGateway ? nlbPublicAddress(plan, az) : undefined,
      rng,
    });
  }
  const detached = (category: number, index: number, publicAddress?: PublicAddress) => {
    const rng = plan.rng(category, index);
    return networkInterfaceRecord(plan, {
      id: plan.id("eni", category, index),
      subnet: 3 + (index % 3),
      host: (category === C.paddingEni ? 5000 : 3800) + index,
      groups: [SG_INSTANCE_FIRST + (index % SG_INSTANCE_COUNT)],
      interfaceType: "interface",
      description: `${plan.team} spare interface ${index}`,
      requesterManaged: false,
      publicAddress,
      tags: { Name: `${plan.team}-spare-${index}`, team: plan.team },
      rng,
    });
  };
  for (let index = 0; index < DETACHED_ENIS_PER_VPC; index++) {
    yield detached(C.detachedEni, index, index === 0 && plan.hasInternetGateway ? detachedEniAddress(plan) : undefined);
  }
  for (let index = 0; index < plan.paddingEnis; index++) yield detached(C.paddingEni, index);
}

/** DescribeInstances reservations: one per launch (single instances, small batches, one per placement group). */
export function* reservations(plan: VpcPlan): Generator<Record<string, unknown>> {
  let current: { key: string; instances: Record<string, unknown>[]; rng: Rng } | undefined;
  const flush = () => {
    if (!current) return undefined;
    const reservation = {
      Groups: [],
      Instances: current.instances,
      OwnerId: ACCOUNT_ID,
      ReservationId: `r-0${current.rng.hex(16)}`,
    };
    current = undefined;
    return reservation;
  };
  for (let index = 0; index < INSTANCES_PER_VPC; index++) {
    const spec = instanceSpec(plan, index);
    if (current && current.key !== spec.reservationKey) yield flush() as Record<string, unknown>;
    if (!current) current = { key: spec.reservationKey, instances: [], rng: plan.rng(C.misc, 1000 + index) };
    current.instances.push(instanceRecord(plan, spec, current.instances.length));
  }
  const last = flush();
  if (last) yield last;
}

function addressRecord(
  plan: VpcPlan,
  address: PublicAddress,
  target: Record<string, unknown>,
  extra: Record<string, string> = {},
): Record<string, unknown> {
  return {
    AllocationId: address.allocationId,
    ...(address.associationId && Object.keys(target).length > 0 ? { AssociationId: address.associationId } : {}),
    Domain: "vpc",
    ...target,
    PublicIpv4Pool: "amazon",
    NetworkBorderGroup: plan.region,
    PublicIp: address.ip,
    Tags: tags({ team: plan.team, ...extra }),
  };
}

/** DescribeAddresses: EIPs on instances (primary and secondary ENIs), NAT gateways, NLBs, a detached ENI, and unassociated ones. */
export function* addresses(plan: VpcPlan): Generator<Record<string, unknown>> {
  for (let index = 0; index < INSTANCES_PER_VPC; index++) {
    const spec = instanceSpec(plan, index);
    for (const eni of spec.enis) {
      if (!eni.publicAddress?.allocationId) continue;
      yield addressRecord(plan, eni.publicAddress, {
        InstanceId: spec.id,
        NetworkInterfaceId: eni.id,
        NetworkInterfaceOwnerId: ACCOUNT_ID,
        PrivateIpAddress: eni.privateIp,
        SubnetId: plan.subnetId(eni.subnet),
      });
    }
  }
  if (plan.hasInternetGateway) {
    for (let az = 0; az < 3; az++) {
      // A NAT gateway's EIP: associated, NetworkInterfaceId of the NAT's ENI, no InstanceId.
      yield addressRecord(plan, natPublicAddress(plan, az), {
        NetworkInterfaceId: plan.natEniId(az),
        NetworkInterfaceOwnerId: ACCOUNT_ID,
        PrivateIpAddress: plan.privateIp(az, 4000 + az),
        SubnetId: plan.subnetId(az),
      });
      yield addressRecord(plan, nlbPublicAddress(plan, az), {
        NetworkInterfaceId: plan.id("eni", C.lbEni, az),
        NetworkInterfaceOwnerId: "amazon-elb",
        PrivateIpAddress: plan.privateIp(az, 3700 + az),
        SubnetId: plan.subnetId(az),
      });
    }
    yield addressRecord(plan, detachedEniAddress(plan), {
      NetworkInterfaceId: plan.id("eni", C.detachedEni, 0),
      NetworkInterfaceOwnerId: ACCOUNT_ID,
      PrivateIpAddress: plan.privateIp(3, 3800),
      SubnetId: plan.subnetId(3),
    });
  }
  for (let index = 0; index < 3; index++) {
    const rng = plan.rng(C.eip, 60000 + index);
    const exempt = index === 2 && plan.vpc % 2 === 0;
    yield addressRecord(
      plan,
      { ip: publicIp(rng), allocationId: plan.id("eipalloc", C.eip, 60000 + index) },
      {},
      exempt ? { "compliance-exempt": "eip-attached" } : {},
    );
  }
}

function permission(
  protocol: string,
  from: number | undefined,
  to: number | undefined,
  sources: { cidrs?: string[]; groups?: string[]; prefixLists?: string[] },
  plan: VpcPlan,
) {
  return {
    IpProtocol: protocol,
    ...(from === undefined ? {} : { FromPort: from, ToPort: to }),
    UserIdGroupPairs: (sources.groups ?? []).map((groupId) => ({ Description: "from peer tier", UserId: ACCOUNT_ID, GroupId: groupId })),
    IpRanges: (sources.cidrs ?? []).map((cidr) => ({ CidrIp: cidr, Description: cidr === "0.0.0.0/0" ? "" : `${plan.team} network` })),
    Ipv6Ranges: [],
    PrefixListIds: (sources.prefixLists ?? []).map((id) => ({ PrefixListId: id })),
  };
}

/** DescribeSecurityGroups: the default group, groups used by instances/Lambda/endpoints/LBs, referenced-only, shared and unused ones. */
export function* securityGroups(plan: VpcPlan): Generator<Record<string, unknown>> {
  const vpcCidr = `10.${plan.cidrOctet}.0.0/16`;
  for (let index = 0; index < SECURITY_GROUPS_PER_VPC; index++) {
    const id = plan.groupId(index);
    const ingress: unknown[] = [];
    if (index === SG_DEFAULT) {
      ingress.push(permission("-1", undefined, undefined, { groups: [id] }, plan));
    } else {
      ingress.push(permission("tcp", 443, 443, { cidrs: [vpcCidr, "10.0.0.0/8"] }, plan));
      if (index % 3 === 0) ingress.push(permission("tcp", 8080, 8080, { cidrs: [vpcCidr] }, plan));
      // Groups 1..4 let the referenced-only groups in; others reference a neighbour tier.
      const referenced =
        index >= 1 && index <= 4 ? SG_REFERENCED_ONLY[index - 1] : index > 1 && index <= SG_INSTANCE_COUNT ? index - 1 : undefined;
      if (referenced !== undefined) ingress.push(permission("tcp", 5432, 5432, { groups: [plan.groupId(referenced)] }, plan));
    }
    const egress = [permission("-1", undefined, undefined, { cidrs: ["0.0.0.0/0"] }, plan)];
    const exempt = index === SECURITY_GROUPS_PER_VPC - 1 && plan.vpc % 4 === 0;
    yield {
      Description: index === SG_DEFAULT ? "default VPC security group" : `${plan.team} ${plan.env} tier ${index}`,
      GroupName: plan.groupName(index),
      IpPermissions: ingress,
      OwnerId: index === SG_SHARED && plan.vpc % 10 === 7 ? OTHER_ACCOUNT_ID : ACCOUNT_ID,
      GroupId: id,
      IpPermissionsEgress: egress,
      Tags:
        index === SG_DEFAULT
          ? []
          : tags({ Name: plan.groupName(index), team: plan.team, ...(exempt ? { "compliance-exempt": "all" } : {}) }),
      VpcId: plan.vpcId,
      SecurityGroupArn: `arn:aws:ec2:${plan.region}:${ACCOUNT_ID}:security-group/${id}`,
    };
  }
}

export function* subnets(plan: VpcPlan): Generator<Record<string, unknown>> {
  for (let index = 0; index < 9; index++) {
    const az = index % 3;
    const id = plan.subnetId(index);
    const tier = ["public", "app", "data"][Math.floor(index / 3)] as string;
    yield {
      AvailabilityZone: plan.azs[az],
      AvailabilityZoneId: `${plan.region.slice(0, 2)}w${plan.regionIndex + 1}-az${az + 1}`,
      AvailableIpAddressCount: 4000 - ((plan.vpc * 7 + index * 13) % 900),
      CidrBlock: plan.subnetCidr(index),
      DefaultForAz: false,
      MapPublicIpOnLaunch: tier === "public",
      State: "available",
      SubnetId: id,
      VpcId: plan.vpcId,
      OwnerId: ACCOUNT_ID,
      AssignIpv6AddressOnCreation: false,
      Ipv6CidrBlockAssociationSet: [],
      Tags: tags({ Name: `${plan.team}-${plan.env}-${tier}-${AZ_SUFFIXES[az]}`, tier }),
      SubnetArn: `arn:aws:ec2:${plan.region}:${ACCOUNT_ID}:subnet/${id}`,
      EnableDns64: false,
      Ipv6Native: false,
      PrivateDnsNameOptionsOnLaunch: {
        HostnameType: "ip-name",
        EnableResourceNameDnsARecord: false,
        EnableResourceNameDnsAAAARecord: false,
      },
      BlockPublicAccessStates: { InternetGatewayBlockMode: "off" },
      MapCustomerOwnedIpOnLaunch: false,
    };
  }
}

export function prefixListIds(regionIndex: number): { s3: string; dynamodb: string } {
  return { s3: `pl-6${(0xa54004 + regionIndex * 0x1111).toString(16)}`, dynamodb: `pl-0${(0x2ea64b4 + regionIndex).toString(16)}` };
}

function route(destination: Record<string, string>, target: Record<string, string>, state = "active", origin = "CreateRoute") {
  return { ...destination, ...target, Origin: origin, State: state };
}

/** Route tables: main (data subnets fall back to it), public, one private per AZ, sometimes an unused one. */
export function* routeTables(plan: VpcPlan): Generator<Record<string, unknown>> {
  const lists = prefixListIds(plan.regionIndex);
  const local = route({ DestinationCidrBlock: `10.${plan.cidrOctet}.0.0/16` }, { GatewayId: "local" }, "active", "CreateRouteTable");
  const defaultRoute = (az: number) =>
    plan.hasInternetGateway
      ? route({ DestinationCidrBlock: "0.0.0.0/0" }, { NatGatewayId: plan.natGatewayId(az) })
      : route({ DestinationCidrBlock: "0.0.0.0/0" }, { TransitGatewayId: plan.transitGatewayId() });
  const s3Route = (state = "active", endpoint = plan.s3EndpointId()) =>
    route({ DestinationPrefixListId: lists.s3 }, { GatewayId: endpoint }, state);
  const dynamoRoute = () => route({ DestinationPrefixListId: lists.dynamodb }, { GatewayId: plan.dynamoEndpointId() });
  const association = (table: string, index: number, extra: Record<string, unknown>) => ({
    Main: false,
    RouteTableAssociationId: plan.id("rtbassoc", C.routeTable, index),
    RouteTableId: table,
    ...extra,
    AssociationState: { State: "associated" },
  });
  const table = (index: number, name: string, routes: unknown[], associations: unknown[]) => ({
    Associations: associations,
    PropagatingVgws: [],
    RouteTableId: plan.routeTableId(index),
    Routes: routes,
    Tags: tags({ Name: `${plan.team}-${plan.env}-${name}`, team: plan.team }),
    VpcId: plan.vpcId,
    OwnerId: ACCOUNT_ID,
  });

  const mainRoutes: unknown[] = [local, defaultRoute(0)];
  if (plan.hasS3Endpoint && plan.mainHasS3Route()) mainRoutes.push(s3Route());
  if (plan.hasDynamoEndpoint) mainRoutes.push(dynamoRoute());
  yield table(0, "main", mainRoutes, [association(plan.routeTableId(0), 0, { Main: true })]);

  const publicRoutes: unknown[] = [local];
  if (plan.hasInternetGateway) publicRoutes.push(route({ DestinationCidrBlock: "0.0.0.0/0" }, { GatewayId: plan.internetGatewayId() }));
  else {
    publicRoutes.push(route({ DestinationCidrBlock: "0.0.0.0/0" }, { TransitGatewayId: plan.transitGatewayId() }));
    if (plan.hasS3Endpoint) publicRoutes.push(s3Route());
  }
  yield table(
    1,
    "public",
    publicRoutes,
    [0, 1, 2].map((subnet) => association(plan.routeTableId(1), 1 + subnet, { SubnetId: plan.subnetId(subnet) })),
  );

  for (let az = 0; az < 3; az++) {
    const routes: unknown[] = [local, defaultRoute(az)];
    if (plan.hasS3Endpoint) {
      const state = plan.s3RouteState(az);
      if (state === "active") routes.push(s3Route());
      // The endpoint was deleted: the route stays, pointing at nothing.
      if (state === "blackhole") routes.push(s3Route("blackhole", plan.deletedEndpointId()));
    }
    if (plan.hasDynamoEndpoint && !plan.dynamoRouteMissing(az)) routes.push(dynamoRoute());
    yield table(2 + az, `private-${AZ_SUFFIXES[az]}`, routes, [
      association(plan.routeTableId(2 + az), 4 + az, { SubnetId: plan.subnetId(3 + az) }),
    ]);
  }
  if (plan.hasUnusedRouteTable) yield table(5, "unused", [local], []);
}

export function* vpcEndpoints(plan: VpcPlan): Generator<Record<string, unknown>> {
  const rng = plan.rng(C.endpoint, 100);
  const created = isoTime(rng);
  const policy = (service: string) =>
    JSON.stringify({ Version: "2008-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: `${service}:*`, Resource: "*" }] });
  const gateway = (id: string, service: string, routeTableIds: string[]) => ({
    VpcEndpointId: id,
    VpcEndpointType: "Gateway",
    VpcId: plan.vpcId,
    ServiceName: `com.amazonaws.${plan.region}.${service}`,
    State: "available",
    PolicyDocument: policy(service),
    RouteTableIds: routeTableIds,
    SubnetIds: [],
    Groups: [],
    IpAddressType: "ipv4",
    PrivateDnsEnabled: false,
    RequesterManaged: false,
    NetworkInterfaceIds: [],
    DnsEntries: [],
    CreationTimestamp: created,
    Tags: tags({ Name: `${plan.team}-${service}`, team: plan.team }),
    OwnerId: ACCOUNT_ID,
  });
  if (plan.hasS3Endpoint) yield gateway(plan.s3EndpointId(), "s3", plan.s3RouteTables());
  if (plan.hasDynamoEndpoint) yield gateway(plan.dynamoEndpointId(), "dynamodb", plan.dynamoRouteTables());
  for (let endpoint = 0; endpoint < INTERFACE_SERVICES.length; endpoint++) {
    const id = plan.interfaceEndpointId(endpoint);
    const service = INTERFACE_SERVICES[endpoint] as string;
    const dnsName = `${id}-${rng.hex(8)}.${service}.${plan.region}.vpce.amazonaws.com`;
    yield {
      VpcEndpointId: id,
      VpcEndpointType: "Interface",
      VpcId: plan.vpcId,
      ServiceName: `com.amazonaws.${plan.region}.${service}`,
      State: "available",
      PolicyDocument: policy(service.split(".")[0] as string),
      RouteTableIds: [],
      SubnetIds: [3, 4, 5].map((subnet) => plan.subnetId(subnet)),
      Groups: [{ GroupId: plan.groupId(SG_ENDPOINT), GroupName: plan.groupName(SG_ENDPOINT) }],
      IpAddressType: "ipv4",
      DnsOptions: { DnsRecordIpType: "ipv4", PrivateDnsOnlyForInboundResolverEndpoint: false },
      // One interface endpoint in eight has private DNS off: clients on the default hostname bypass it.
      PrivateDnsEnabled: !(plan.vpc % 8 === 3 && endpoint === 0),
      RequesterManaged: false,
      NetworkInterfaceIds: [0, 1, 2].map((az) => plan.endpointEniId(endpoint, az)),
      DnsEntries: [
        { DnsName: dnsName, HostedZoneId: "Z7HUB22UULQXV" },
        ...AZ_SUFFIXES.map((suffix) => ({
          DnsName: `${id}-${suffix}.${service}.${plan.region}.vpce.amazonaws.com`,
          HostedZoneId: "Z7HUB22UULQXV",
        })),
        { DnsName: `${service}.${plan.region}.amazonaws.com`, HostedZoneId: `Z0${rng.hex(12).toUpperCase()}` },
      ],
      CreationTimestamp: created,
      Tags: tags({ Name: `${plan.team}-${service}`, team: plan.team }),
      OwnerId: ACCOUNT_ID,
    };
  }
}

export function* internetGateways(plan: VpcPlan): Generator<Record<string, unknown>> {
  if (plan.hasInternetGateway) {
    yield {
      Attachments: [{ State: "available", VpcId: plan.vpcId }],
      InternetGatewayId: plan.internetGatewayId(),
      OwnerId: ACCOUNT_ID,
      Tags: tags({ Name: `${plan.team}-${plan.env}-igw` }),
    };
  }
  if (plan.vpc % 7 === 0) {
    yield {
      Attachments: [],
      InternetGatewayId: plan.id("igw", C.misc, 2),
      OwnerId: ACCOUNT_ID,
      Tags: tags({ Name: `${plan.team}-detached-igw` }),
    };
  }
}

/** Spread, partition and cluster groups (compliant or not by VPC), sometimes an empty or a pending one. */
export function* placementGroups(plan: VpcPlan): Generator<Record<string, unknown>> {
  const group = (index: number, strategy: string, extra: Record<string, unknown>, state = "available") => ({
    GroupName: plan.placementGroupName(index),
    State: state,
    Strategy: strategy,
    GroupId: plan.placementGroupId(index),
    Tags: tags({ team: plan.team }),
    GroupArn: `arn:aws:ec2:${plan.region}:${ACCOUNT_ID}:placement-group/${plan.placementGroupName(index)}`,
    ...extra,
  });
  yield group(0, "spread", { SpreadLevel: "rack" });
  yield group(1, "partition", { PartitionCount: plan.vpc % 6 === 1 ? 9 : 3 });
  yield group(2, "cluster", {}, plan.vpc % 9 === 8 ? "pending" : "available");
  if (plan.vpc % 3 === 0) yield group(3, "cluster", {});
}

export function prefixLists(regionIndex: number): Record<string, unknown>[] {
  const region = REGIONS[regionIndex] as string;
  const ids = prefixListIds(regionIndex);
  const cidrs = (first: number, count: number) => Array.from({ length: count }, (_, i) => `${first}.${(i * 37) % 256}.0.0/${15 + (i % 3)}`);
  return [
    { Cidrs: cidrs(3, 8), PrefixListId: ids.s3, PrefixListName: `com.amazonaws.${region}.s3` },
    { Cidrs: cidrs(52, 4), PrefixListId: ids.dynamodb, PrefixListName: `com.amazonaws.${region}.dynamodb` },
  ];
}

export function instanceTypeRecords(): Record<string, unknown>[] {
  return INSTANCE_TYPES.map((type) => ({
    InstanceType: type.name,
    CurrentGeneration: !["t2.micro", "c4.large", "m4.large"].includes(type.name),
    FreeTierEligible: type.name === "t2.micro" || type.name === "t3.micro",
    SupportedUsageClasses: ["on-demand", "spot"],
    SupportedRootDeviceTypes: ["ebs"],
    SupportedVirtualizationTypes: ["hvm"],
    BareMetal: false,
    Hypervisor: type.ena === "unsupported" ? "xen" : "nitro",
    ProcessorInfo: {
      SupportedArchitectures: [type.arch ?? "x86_64"],
      SustainedClockSpeedInGhz: 3.1,
      Manufacturer: type.arch === "arm64" ? "AWS" : "Intel",
    },
    VCpuInfo: { DefaultVCpus: type.vcpus, DefaultCores: Math.max(1, type.vcpus / 2), DefaultThreadsPerCore: type.vcpus > 1 ? 2 : 1 },
    MemoryInfo: { SizeInMiB: type.memoryMiB },
    InstanceStorageSupported: false,
    EbsInfo: {
      EbsOptimizedSupport: type.burstable ? "default" : "default",
      EncryptionSupport: "supported",
      NvmeSupport: type.ena === "unsupported" ? "unsupported" : "required",
    },
    NetworkInfo: {
      NetworkPerformance: type.network,
      MaximumNetworkInterfaces: 3,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [{ NetworkCardIndex: 0, NetworkPerformance: type.network, MaximumNetworkInterfaces: 3 }],
      Ipv4AddressesPerInterface: 10,
      Ipv6AddressesPerInterface: 10,
      Ipv6Supported: true,
      EnaSupport: type.ena,
      EfaSupported: false,
      EncryptionInTransitSupported: false,
      EnaSrdSupported: false,
    },
    PlacementGroupInfo: { SupportedStrategies: type.burstable ? ["partition", "spread"] : ["cluster", "partition", "spread"] },
    HibernationSupported: true,
    BurstablePerformanceSupported: type.burstable === true,
    DedicatedHostsSupported: !type.burstable,
    AutoRecoverySupported: true,
    SupportedBootModes: ["legacy-bios", "uefi"],
    NitroEnclavesSupport: "unsupported",
    NitroTpmSupport: type.ena === "unsupported" ? "unsupported" : "supported",
    PhcSupport: "unsupported",
  }));
}

export const SNAPSHOT_HEADER = {
  schemaVersion: "1.0",
  accountId: ACCOUNT_ID,
  capturedAt: CAPTURED_AT,
  tool: { name: "ec2-config-rules-bench", version: "0.1.0" },
};
