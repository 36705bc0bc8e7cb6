/**
 * The bundled example account, rendered once as this project's recorded snapshot and once as the
 * AWS Config snapshot file Config would deliver for it (recorded types only), so both inputs can
 * be tried and compared. Every rule finds compliant, non-compliant and not-applicable resources.
 * `npm run examples` writes them (scripts/make-examples.ts); test/examples.test.ts fails when
 * examples/ is out of date with this module.
 */
import { gzipSync } from "node:zlib";
import { EC2_OPERATIONS, type Ec2Operation } from "../lib/model/kinds";
import { ec2ItemToConfigItem } from "../lib/sources/config-item-builder";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";
export const CAPTURED_AT = "2026-11-20T09:00:00.000Z";
const OTHER_ACCOUNT = "444455556666";
const VPC = "vpc-0a1b2c3d4e5f60001";

const tags = (entries: Record<string, string>) => Object.entries(entries).map(([Key, Value]) => ({ Key, Value }));

interface InstanceSpec {
  id: string;
  name: string;
  type: string;
  az?: string;
  subnet: string;
  state?: string;
  tokens?: "optional" | "required";
  group?: { name: string; partition?: number };
  groups?: string[];
  publicIp?: string;
  secondaryEni?: { id: string; eip?: string };
  extraTags?: Record<string, string>;
}

let eniCounter = 0;
const instanceEnis: Record<string, unknown>[] = [];

function instance(spec: InstanceSpec): Record<string, unknown> {
  const az = spec.az ?? "eu-west-1a";
  eniCounter += 1;
  const primaryEniId = `eni-0e${String(eniCounter).padStart(15, "0")}`;
  const groups = (spec.groups ?? ["sg-0app000000000001"]).map((GroupId) => ({ GroupId, GroupName: GroupId }));
  const running = (spec.state ?? "running") === "running";
  const primaryAssociation = spec.publicIp && running ? { PublicIp: spec.publicIp, IpOwnerId: "amazon", PublicDnsName: "" } : undefined;
  const privateIp = `10.20.${eniCounter % 250}.${10 + (eniCounter % 200)}`;
  const enis: Record<string, unknown>[] =
    spec.state === "terminated"
      ? []
      : [
          {
            NetworkInterfaceId: primaryEniId,
            SubnetId: spec.subnet,
            VpcId: VPC,
            OwnerId: ACCOUNT,
            Status: "in-use",
            InterfaceType: "interface",
            PrivateIpAddress: privateIp,
            Groups: groups,
            Attachment: { AttachmentId: `eni-attach-${eniCounter}`, DeviceIndex: 0, Status: "attached", DeleteOnTermination: true },
            ...(primaryAssociation ? { Association: primaryAssociation } : {}),
            PrivateIpAddresses: [
              { PrivateIpAddress: privateIp, Primary: true, ...(primaryAssociation ? { Association: primaryAssociation } : {}) },
            ],
          },
        ];
  if (spec.secondaryEni) {
    const association = spec.secondaryEni.eip ? { PublicIp: spec.secondaryEni.eip, IpOwnerId: ACCOUNT } : undefined;
    enis.push({
      NetworkInterfaceId: spec.secondaryEni.id,
      SubnetId: spec.subnet,
      VpcId: VPC,
      OwnerId: ACCOUNT,
      Status: "in-use",
      InterfaceType: "interface",
      PrivateIpAddress: "10.20.9.50",
      Groups: groups,
      Attachment: { AttachmentId: "eni-attach-secondary", DeviceIndex: 1, Status: "attached", DeleteOnTermination: false },
      ...(association ? { Association: association } : {}),
      PrivateIpAddresses: [{ PrivateIpAddress: "10.20.9.50", Primary: true, ...(association ? { Association: association } : {}) }],
    });
  }
  for (const eni of enis) {
    instanceEnis.push({
      ...eni,
      AvailabilityZone: az,
      Description: "",
      RequesterManaged: false,
      Attachment: { ...(eni.Attachment as object), InstanceId: spec.id, InstanceOwnerId: ACCOUNT },
      TagSet: [],
    });
  }
  const stateCodes: Record<string, number> = { running: 16, stopped: 80, terminated: 48, pending: 0 };
  const state = spec.state ?? "running";
  return {
    InstanceId: spec.id,
    ImageId: "ami-0c1c30571d2dae5c9",
    InstanceType: spec.type,
    LaunchTime: "2026-10-01T08:00:00.000Z",
    State: { Code: stateCodes[state] ?? 16, Name: state },
    Placement: {
      AvailabilityZone: az,
      GroupName: spec.group?.name ?? "",
      ...(spec.group?.partition ? { PartitionNumber: spec.group.partition } : {}),
      Tenancy: "default",
    },
    PrivateIpAddress: state === "terminated" ? undefined : privateIp,
    ...(spec.publicIp && running ? { PublicIpAddress: spec.publicIp } : {}),
    SubnetId: state === "terminated" ? undefined : spec.subnet,
    VpcId: state === "terminated" ? undefined : VPC,
    Architecture: spec.type.startsWith("m7g") ? "arm64" : "x86_64",
    EnaSupport: true,
    Hypervisor: "xen",
    RootDeviceType: "ebs",
    SecurityGroups: state === "terminated" ? [] : groups,
    NetworkInterfaces: enis,
    MetadataOptions: {
      State: "applied",
      HttpTokens: spec.tokens ?? "required",
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: "enabled",
      HttpProtocolIpv6: "disabled",
      InstanceMetadataTags: "disabled",
    },
    Tags: tags({ Name: spec.name, ...spec.extraTags }),
  };
}

const subnets = [
  {
    SubnetId: "subnet-0pub00000000000a",
    CidrBlock: "10.20.0.0/24",
    AvailabilityZone: "eu-west-1a",
    MapPublicIpOnLaunch: true,
    Name: "public-a",
  },
  {
    SubnetId: "subnet-0prv00000000000a",
    CidrBlock: "10.20.10.0/24",
    AvailabilityZone: "eu-west-1a",
    MapPublicIpOnLaunch: false,
    Name: "private-a",
  },
  {
    SubnetId: "subnet-0prv00000000000b",
    CidrBlock: "10.20.11.0/24",
    AvailabilityZone: "eu-west-1b",
    MapPublicIpOnLaunch: false,
    Name: "private-b",
  },
  {
    SubnetId: "subnet-0prv00000000000c",
    CidrBlock: "10.20.12.0/24",
    AvailabilityZone: "eu-west-1c",
    MapPublicIpOnLaunch: false,
    Name: "private-c",
  },
].map(({ Name, ...subnet }) => ({
  ...subnet,
  VpcId: VPC,
  State: "available",
  OwnerId: ACCOUNT,
  AvailableIpAddressCount: 240,
  DefaultForAz: false,
  Tags: tags({ Name }),
}));

const PL_S3 = "pl-6da54004";
const PL_DDB = "pl-6fa54006";
const local = { DestinationCidrBlock: "10.20.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" };
const s3Route = { DestinationPrefixListId: PL_S3, GatewayId: "vpce-0s3gateway000001", Origin: "CreateRoute", State: "active" };
const ddbRoute = { DestinationPrefixListId: PL_DDB, GatewayId: "vpce-0ddbgateway00001", Origin: "CreateRoute", State: "active" };
const natRoute = { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0a1b2c3d4e5f60001", Origin: "CreateRoute", State: "active" };

const routeTable = (id: string, name: string, routes: object[], associations: object[]) => ({
  RouteTableId: id,
  VpcId: VPC,
  OwnerId: ACCOUNT,
  Routes: routes,
  Associations: associations.map((association, index) => ({
    RouteTableAssociationId: `rtbassoc-${id.slice(4)}${index}`,
    RouteTableId: id,
    AssociationState: { State: "associated" },
    Main: false,
    ...association,
  })),
  PropagatingVgws: [],
  Tags: tags({ Name: name }),
});

const routeTables = [
  // The main table: private-b uses it implicitly; it routes to S3 but not to DynamoDB.
  routeTable("rtb-0main0000000001", "main", [local, natRoute, s3Route], [{ Main: true }]),
  routeTable(
    "rtb-0public000000001",
    "public",
    [local, { DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-0a1b2c3d4e5f60001", Origin: "CreateRoute", State: "active" }],
    [{ SubnetId: "subnet-0pub00000000000a" }],
  ),
  routeTable("rtb-0private00000a01", "private-a", [local, natRoute, s3Route, ddbRoute], [{ SubnetId: "subnet-0prv00000000000a" }]),
  // private-c's S3 route points at an endpoint that was deleted and recreated: a blackhole.
  routeTable(
    "rtb-0private00000c01",
    "private-c",
    [local, natRoute, { ...s3Route, GatewayId: "vpce-0deleted00000001", State: "blackhole" }, ddbRoute],
    [{ SubnetId: "subnet-0prv00000000000c" }],
  ),
  routeTable("rtb-0spare0000000001", "spare (no subnets)", [local], []),
];

const endpoint = (id: string, type: string, service: string, extra: object) => ({
  VpcEndpointId: id,
  VpcEndpointType: type,
  VpcId: VPC,
  ServiceName: `com.amazonaws.${REGION}.${service}`,
  State: "available",
  PolicyDocument: '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
  RouteTableIds: [],
  SubnetIds: [],
  Groups: [],
  IpAddressType: "ipv4",
  PrivateDnsEnabled: false,
  RequesterManaged: false,
  NetworkInterfaceIds: [],
  DnsEntries: [],
  CreationTimestamp: "2026-09-01T10:00:00.000Z",
  OwnerId: ACCOUNT,
  Tags: [],
  ...extra,
});

const vpcEndpoints = [
  endpoint("vpce-0s3gateway000001", "Gateway", "s3", { RouteTableIds: ["rtb-0main0000000001", "rtb-0private00000a01"] }),
  endpoint("vpce-0ddbgateway00001", "Gateway", "dynamodb", { RouteTableIds: ["rtb-0private00000a01", "rtb-0private00000c01"] }),
  endpoint("vpce-0ssminterface001", "Interface", "ssm", {
    PrivateDnsEnabled: true,
    SubnetIds: ["subnet-0prv00000000000a"],
    Groups: [{ GroupId: "sg-0endpoints0000001", GroupName: "endpoints" }],
    NetworkInterfaceIds: ["eni-0vpce00000000001"],
  }),
  // Private DNS off: clients using ecr.api's default hostname bypass the endpoint.
  endpoint("vpce-0ecrinterface001", "Interface", "ecr.api", {
    PrivateDnsEnabled: false,
    SubnetIds: ["subnet-0prv00000000000b"],
    Groups: [{ GroupId: "sg-0endpoints0000001", GroupName: "endpoints" }],
    NetworkInterfaceIds: ["eni-0vpce00000000002"],
  }),
];

const sg = (id: string, name: string, extra: object = {}) => ({
  GroupId: id,
  GroupName: name,
  Description: `${name} security group`,
  OwnerId: ACCOUNT,
  VpcId: VPC,
  IpPermissions: [],
  IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
  Tags: [],
  ...extra,
});

const securityGroups = [
  sg("sg-0default000000001", "default"),
  sg("sg-0web000000000001", "web", {
    IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }], UserIdGroupPairs: [] }],
  }),
  sg("sg-0app000000000001", "app", {
    IpPermissions: [
      { IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: "sg-0web000000000001", UserId: ACCOUNT }] },
    ],
    IpPermissionsEgress: [
      { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: "sg-0db0000000000001", UserId: ACCOUNT }] },
    ],
  }),
  // Referenced by app's egress rule, but no network interface uses it (the database was deleted).
  sg("sg-0db0000000000001", "db", {
    IpPermissions: [
      { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: "sg-0app000000000001", UserId: ACCOUNT }] },
    ],
  }),
  sg("sg-0lambda0000000001", "orders-lambda"),
  sg("sg-0endpoints0000001", "endpoints"),
  sg("sg-0orphan0000000001", "legacy-bastion", { Tags: tags({ Name: "legacy-bastion" }) }),
  sg("sg-0shared0000000001", "shared-from-network-account", { OwnerId: OTHER_ACCOUNT }),
  sg("sg-0hpc0000000000001", "hpc"),
];

const instances = [
  instance({
    id: "i-0web00000000000001",
    name: "web-1",
    type: "m7g.large",
    subnet: "subnet-0pub00000000000a",
    publicIp: "203.0.113.10",
    groups: ["sg-0web000000000001"],
  }),
  instance({ id: "i-0app00000000000001", name: "app-1", type: "m7g.large", subnet: "subnet-0prv00000000000a", tokens: "optional" }),
  instance({
    id: "i-0app00000000000002",
    name: "app-2",
    type: "m7g.large",
    subnet: "subnet-0prv00000000000a",
    secondaryEni: { id: "eni-0secondary000001", eip: "198.51.100.20" },
  }),
  instance({
    id: "i-0legacy00000000001",
    name: "legacy-reporting",
    type: "t3.medium",
    subnet: "subnet-0prv00000000000b",
    tokens: "optional",
    az: "eu-west-1b",
    extraTags: {
      "compliance-exempt": "imdsv2-required",
      "compliance-exempt-reason": "vendor agent needs IMDSv1; replacement in Q1",
      "compliance-exempt-owner": "platform-team",
      "compliance-exempt-expires": "2027-03-31",
    },
  }),
  instance({
    id: "i-0old00000000000001",
    name: "decommissioned",
    type: "t3.micro",
    subnet: "subnet-0prv00000000000a",
    state: "terminated",
    tokens: "optional",
  }),
  instance({
    id: "i-0stopped0000000001",
    name: "tools",
    type: "t3.small",
    subnet: "subnet-0prv00000000000b",
    state: "stopped",
    az: "eu-west-1b",
    tokens: "optional",
  }),
  // A rack-spread group over its limit: 8 running instances in eu-west-1a.
  ...Array.from({ length: 8 }, (_, index) =>
    instance({
      id: `i-0batch0000000000${index + 1}`,
      name: `batch-${index + 1}`,
      type: "c6in.large",
      subnet: "subnet-0prv00000000000a",
      group: { name: "batch-spread" },
      groups: ["sg-0hpc0000000000001"],
    }),
  ),
  // A cluster group that mixes instance types and spans two zones.
  instance({
    id: "i-0hpc0000000000001",
    name: "hpc-1",
    type: "c6in.large",
    subnet: "subnet-0prv00000000000a",
    group: { name: "hpc-cluster" },
    groups: ["sg-0hpc0000000000001"],
  }),
  instance({
    id: "i-0hpc0000000000002",
    name: "hpc-2",
    type: "c6in.large",
    subnet: "subnet-0prv00000000000a",
    group: { name: "hpc-cluster" },
    groups: ["sg-0hpc0000000000001"],
  }),
  instance({
    id: "i-0hpc0000000000003",
    name: "hpc-3",
    type: "c5.large",
    subnet: "subnet-0prv00000000000b",
    az: "eu-west-1b",
    group: { name: "hpc-cluster" },
    groups: ["sg-0hpc0000000000001"],
  }),
  ...[1, 2, 3].map((partition) =>
    instance({
      id: `i-0kafka000000000${partition}`,
      name: `kafka-${partition}`,
      type: "m7g.large",
      subnet: "subnet-0prv00000000000a",
      group: { name: "kafka-partitions", partition },
    }),
  ),
];

const serviceEni = (id: string, type: string, subnet: string, groups: string[], description: string, extra: object = {}) => ({
  NetworkInterfaceId: id,
  SubnetId: subnet,
  VpcId: VPC,
  AvailabilityZone: "eu-west-1a",
  Description: description,
  OwnerId: ACCOUNT,
  RequesterManaged: true,
  Status: "in-use",
  InterfaceType: type,
  PrivateIpAddress: "10.20.0.200",
  Groups: groups.map((GroupId) => ({ GroupId, GroupName: GroupId })),
  PrivateIpAddresses: [{ PrivateIpAddress: "10.20.0.200", Primary: true }],
  TagSet: [],
  ...extra,
});

const natAssociation = {
  PublicIp: "203.0.113.50",
  IpOwnerId: ACCOUNT,
  AllocationId: "eipalloc-0nat00000000000001",
  AssociationId: "eipassoc-0nat0000000001",
};
const networkInterfaces = [
  ...instanceEnis,
  serviceEni("eni-0nat000000000001", "nat_gateway", "subnet-0pub00000000000a", [], "Interface for NAT Gateway nat-0a1b2c3d4e5f60001", {
    Association: natAssociation,
    PrivateIpAddresses: [{ PrivateIpAddress: "10.20.0.200", Primary: true, Association: natAssociation }],
  }),
  serviceEni("eni-0lambda000000001", "lambda", "subnet-0prv00000000000a", ["sg-0lambda0000000001"], "AWS Lambda VPC ENI-orders-api"),
  serviceEni(
    "eni-0vpce00000000001",
    "vpc_endpoint",
    "subnet-0prv00000000000a",
    ["sg-0endpoints0000001"],
    "VPC Endpoint Interface vpce-0ssminterface001",
  ),
  serviceEni(
    "eni-0vpce00000000002",
    "vpc_endpoint",
    "subnet-0prv00000000000b",
    ["sg-0endpoints0000001"],
    "VPC Endpoint Interface vpce-0ecrinterface001",
  ),
];

const addresses = [
  {
    AllocationId: "eipalloc-0nat00000000000001",
    AssociationId: "eipassoc-0nat0000000001",
    Domain: "vpc",
    NetworkInterfaceId: "eni-0nat000000000001",
    NetworkInterfaceOwnerId: ACCOUNT,
    PrivateIpAddress: "10.20.0.200",
    PublicIp: "203.0.113.50",
    PublicIpv4Pool: "amazon",
    NetworkBorderGroup: REGION,
    Tags: tags({ Name: "nat-egress" }),
  },
  {
    AllocationId: "eipalloc-0app2000000000001",
    AssociationId: "eipassoc-0app200000001",
    Domain: "vpc",
    InstanceId: "i-0app00000000000002",
    NetworkInterfaceId: "eni-0secondary000001",
    NetworkInterfaceOwnerId: ACCOUNT,
    PrivateIpAddress: "10.20.9.50",
    PublicIp: "198.51.100.20",
    PublicIpv4Pool: "amazon",
    NetworkBorderGroup: REGION,
    Tags: [],
  },
  {
    AllocationId: "eipalloc-0idle000000000001",
    Domain: "vpc",
    PublicIp: "198.51.100.99",
    PublicIpv4Pool: "amazon",
    NetworkBorderGroup: REGION,
    Tags: tags({ Name: "left-over-from-migration" }),
  },
  {
    AllocationId: "eipalloc-0reserved0000000001",
    Domain: "vpc",
    PublicIp: "198.51.100.77",
    PublicIpv4Pool: "amazon",
    NetworkBorderGroup: REGION,
    Tags: tags({
      Name: "allow-listed-by-partner",
      "compliance-exempt": "eip-attached",
      "compliance-exempt-reason": "address allow-listed by a partner; kept for the failover site",
      "compliance-exempt-owner": "network-team",
      "compliance-exempt-expires": "2027-06-30",
    }),
  },
];

const placementGroups = [
  { GroupName: "batch-spread", GroupId: "pg-0batch00000000001", State: "available", Strategy: "spread", SpreadLevel: "rack" },
  { GroupName: "hpc-cluster", GroupId: "pg-0hpc000000000001", State: "available", Strategy: "cluster" },
  { GroupName: "kafka-partitions", GroupId: "pg-0kafka0000000001", State: "available", Strategy: "partition", PartitionCount: 3 },
  { GroupName: "retired-cluster", GroupId: "pg-0retired00000001", State: "deleting", Strategy: "cluster" },
].map((group) => ({ ...group, GroupArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:placement-group/${group.GroupName}`, Tags: [] }));

const instanceType = (name: string, ena: string) => ({
  InstanceType: name,
  CurrentGeneration: true,
  BurstablePerformanceSupported: name.startsWith("t"),
  NetworkInfo: { NetworkPerformance: "Up to 12.5 Gigabit", EnaSupport: ena },
  PlacementGroupInfo: { SupportedStrategies: name.startsWith("t") ? ["partition", "spread"] : ["cluster", "partition", "spread"] },
});

export const RESPONSES: Record<Ec2Operation, Record<string, unknown[]>> = {
  DescribeInstances: {
    Reservations: instances.map((item, index) => ({
      ReservationId: `r-0${String(index).padStart(16, "0")}`,
      OwnerId: ACCOUNT,
      Groups: [],
      Instances: [item],
    })),
  },
  DescribeAddresses: { Addresses: addresses },
  DescribeSecurityGroups: { SecurityGroups: securityGroups },
  DescribeNetworkInterfaces: { NetworkInterfaces: networkInterfaces },
  DescribeSubnets: { Subnets: subnets },
  DescribeRouteTables: { RouteTables: routeTables },
  DescribeVpcEndpoints: { VpcEndpoints: vpcEndpoints },
  DescribePrefixLists: {
    PrefixLists: [
      { PrefixListId: PL_S3, PrefixListName: `com.amazonaws.${REGION}.s3`, Cidrs: ["52.218.0.0/17", "3.5.64.0/21"] },
      { PrefixListId: PL_DDB, PrefixListName: `com.amazonaws.${REGION}.dynamodb`, Cidrs: ["52.94.24.0/23"] },
    ],
  },
  DescribeInternetGateways: {
    InternetGateways: [
      { InternetGatewayId: "igw-0a1b2c3d4e5f60001", OwnerId: ACCOUNT, Attachments: [{ State: "available", VpcId: VPC }], Tags: [] },
    ],
  },
  DescribePlacementGroups: { PlacementGroups: placementGroups },
  DescribeInstanceTypes: {
    InstanceTypes: [
      instanceType("c6in.large", "required"),
      instanceType("c5.large", "required"),
      instanceType("m7g.large", "required"),
      instanceType("t3.medium", "required"),
      instanceType("t3.small", "required"),
      instanceType("t3.micro", "required"),
    ],
  },
};

export function recordedSnapshot() {
  return {
    schemaVersion: "1.0",
    accountId: ACCOUNT,
    capturedAt: CAPTURED_AT,
    tool: { name: "ec2-config-rules", version: "0.1.0" },
    regions: { [REGION]: RESPONSES },
  };
}

/** What AWS Config's snapshot delivery would hold: recorded types only, no terminated instance. */
export function configSnapshot() {
  const configurationItems = (Object.entries(RESPONSES) as [Ec2Operation, Record<string, unknown[]>][])
    .filter(([operation]) => EC2_OPERATIONS[operation].recordedByConfig)
    .flatMap(([operation, response]) =>
      (response[EC2_OPERATIONS[operation].listKey] ?? []).flatMap((item) =>
        ec2ItemToConfigItem(operation, item, { region: REGION, accountId: ACCOUNT }, "notification", "OK", CAPTURED_AT),
      ),
    )
    .filter((item) => (item.configuration as { state?: { name?: string } }).state?.name !== "terminated");
  return { fileVersion: "1.0", configSnapshotId: "5c0d3f2e-1a2b-4c3d-9e8f-0a1b2c3d4e5f", configurationItems };
}

/** The Config snapshot lacks what Config does not record; this recorded snapshot supplies it. */
export function notRecordedByConfig() {
  const { DescribePlacementGroups, DescribeInstanceTypes, DescribePrefixLists } = RESPONSES;
  return { ...recordedSnapshot(), regions: { [REGION]: { DescribePlacementGroups, DescribeInstanceTypes, DescribePrefixLists } } };
}

export const EXAMPLE_FILES = {
  "account-snapshot.json": () => `${JSON.stringify(recordedSnapshot(), null, 1)}\n`,
  "config-snapshot.json.gz": () => gzipSync(`${JSON.stringify(configSnapshot())}\n`, { level: 9 }),
  "not-recorded-by-config.json": () => `${JSON.stringify(notRecordedByConfig(), null, 1)}\n`,
} as const;
