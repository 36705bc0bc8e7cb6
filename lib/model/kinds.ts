import type { RecordOfKind, ResourceKind } from "./types";

/**
 * The resource kinds: everything the model, the adapters, the collector, recording, IAM and
 * remediation know about each one. Adding a kind is its record type in ./types, one entry here
 * and its normalizer in lib/sources/ec2-adapter.ts (the type checker asks for each).
 */
export interface KindFacts<Operation extends string = string> {
  /** The resource type evaluations name (AWS Config's name for it). */
  readonly configType: string;
  /** Whether AWS Config records the type: its configuration items reach rule events and Config files. */
  readonly recordedByConfig: boolean;
  /** The EC2 Describe* operation that lists the kind (the recorded snapshot's key, the IAM action). */
  readonly operation: Operation;
  /** The list of the operation's response (pages merged) that holds the items. */
  readonly listKey: string;
  /** The largest page the operation accepts; absent: not paginated, one call returns everything. */
  readonly pageSize?: number;
  /**
   * Described only by name, for the names that instances use, at most this many per request
   * (instance types); never listed whole.
   */
  readonly namesPerRequest?: number;
  /** The item's fields that identify it, first present wins (resource ids of Config items and errors). */
  readonly idFields: readonly string[];
  /** Ids unique only within a region (names, instance type names): the model keys them by region too. */
  readonly regional?: boolean;
  /** The prefix of its ids, which tells the kind from an id alone. */
  readonly idPrefix?: string;
  /**
   * The Describe* filter that returns one resource by its id; `otherIdFilter` for an id without
   * `idPrefix` (an Elastic IP without allocation id is named by its public IP).
   */
  readonly idFilter?: string;
  readonly otherIdFilter?: string;
  /** The resource part of its ARN as EC2 writes it (`arn:aws:ec2:<region>:<account>:<arnResource>/<id>`). */
  readonly arnResource?: string;
  /** Its resource type in Security Hub's ASFF; absent: ASFF has none ("Other"). */
  readonly asffType?: string;
  /** Change events: the filter that narrows the listing to one VPC, for a subject in a VPC. */
  readonly vpcFilter?: string;
  /**
   * Change events: the filter that reads only what relates to a subject of another kind, with the
   * subject's field whose value it takes. A subject without that value needs none of this kind.
   */
  readonly relatedFilters?: { readonly [Subject in ResourceKind]?: RelatedFilter<Subject> };
  /** How messages name several of them. */
  readonly plural: string;
}

export interface RelatedFilter<Subject extends ResourceKind> {
  readonly filter: string;
  readonly subjectField: keyof RecordOfKind<Subject> & string;
}

const TABLE = {
  instance: {
    configType: "AWS::EC2::Instance",
    recordedByConfig: true,
    operation: "DescribeInstances",
    listKey: "Reservations",
    pageSize: 1000,
    idFields: ["InstanceId"],
    idPrefix: "i-",
    idFilter: "instance-id",
    arnResource: "instance",
    asffType: "AwsEc2Instance",
    vpcFilter: "vpc-id",
    plural: "instances",
  },
  eip: {
    configType: "AWS::EC2::EIP",
    recordedByConfig: true,
    operation: "DescribeAddresses",
    listKey: "Addresses",
    idFields: ["AllocationId", "PublicIp"],
    idPrefix: "eipalloc-",
    idFilter: "allocation-id",
    otherIdFilter: "public-ip",
    arnResource: "elastic-ip",
    asffType: "AwsEc2Eip",
    relatedFilters: {
      instance: { filter: "instance-id", subjectField: "id" },
      "network-interface": { filter: "network-interface-id", subjectField: "id" },
    },
    plural: "Elastic IP addresses",
  },
  "security-group": {
    configType: "AWS::EC2::SecurityGroup",
    recordedByConfig: true,
    operation: "DescribeSecurityGroups",
    listKey: "SecurityGroups",
    pageSize: 1000,
    idFields: ["GroupId"],
    idPrefix: "sg-",
    idFilter: "group-id",
    arnResource: "security-group",
    asffType: "AwsEc2SecurityGroup",
    vpcFilter: "vpc-id",
    plural: "security groups",
  },
  "network-interface": {
    configType: "AWS::EC2::NetworkInterface",
    recordedByConfig: true,
    operation: "DescribeNetworkInterfaces",
    listKey: "NetworkInterfaces",
    pageSize: 1000,
    idFields: ["NetworkInterfaceId"],
    idPrefix: "eni-",
    idFilter: "network-interface-id",
    arnResource: "network-interface",
    asffType: "AwsEc2NetworkInterface",
    vpcFilter: "vpc-id",
    relatedFilters: {
      eip: { filter: "network-interface-id", subjectField: "networkInterfaceId" },
      "security-group": { filter: "group-id", subjectField: "id" },
      instance: { filter: "attachment.instance-id", subjectField: "id" },
    },
    plural: "network interfaces",
  },
  subnet: {
    configType: "AWS::EC2::Subnet",
    recordedByConfig: true,
    operation: "DescribeSubnets",
    listKey: "Subnets",
    pageSize: 1000,
    idFields: ["SubnetId"],
    idPrefix: "subnet-",
    idFilter: "subnet-id",
    arnResource: "subnet",
    asffType: "AwsEc2Subnet",
    vpcFilter: "vpc-id",
    plural: "subnets",
  },
  "route-table": {
    configType: "AWS::EC2::RouteTable",
    recordedByConfig: true,
    operation: "DescribeRouteTables",
    listKey: "RouteTables",
    pageSize: 100,
    idFields: ["RouteTableId"],
    idPrefix: "rtb-",
    idFilter: "route-table-id",
    arnResource: "route-table",
    asffType: "AwsEc2RouteTable",
    vpcFilter: "vpc-id",
    // A route table is judged with its VPC's other tables: they decide which subnets fall back to the main one.
    relatedFilters: { "route-table": { filter: "vpc-id", subjectField: "vpcId" } },
    plural: "route tables",
  },
  "vpc-endpoint": {
    configType: "AWS::EC2::VPCEndpoint",
    recordedByConfig: true,
    operation: "DescribeVpcEndpoints",
    listKey: "VpcEndpoints",
    pageSize: 1000,
    idFields: ["VpcEndpointId"],
    idPrefix: "vpce-",
    idFilter: "vpc-endpoint-id",
    arnResource: "vpc-endpoint",
    vpcFilter: "vpc-id",
    plural: "VPC endpoints",
  },
  "prefix-list": {
    configType: "AWS::EC2::PrefixList",
    recordedByConfig: false,
    operation: "DescribePrefixLists",
    listKey: "PrefixLists",
    pageSize: 1000,
    idFields: ["PrefixListId"],
    plural: "prefix lists",
  },
  "internet-gateway": {
    configType: "AWS::EC2::InternetGateway",
    recordedByConfig: true,
    operation: "DescribeInternetGateways",
    listKey: "InternetGateways",
    pageSize: 1000,
    idFields: ["InternetGatewayId"],
    idPrefix: "igw-",
    idFilter: "internet-gateway-id",
    arnResource: "internet-gateway",
    vpcFilter: "attachment.vpc-id",
    plural: "internet gateways",
  },
  "placement-group": {
    configType: "AWS::EC2::PlacementGroup",
    recordedByConfig: false,
    operation: "DescribePlacementGroups",
    listKey: "PlacementGroups",
    idFields: ["GroupId", "GroupName"],
    regional: true,
    arnResource: "placement-group",
    plural: "placement groups",
  },
  "instance-type": {
    configType: "AWS::EC2::InstanceType",
    recordedByConfig: false,
    operation: "DescribeInstanceTypes",
    listKey: "InstanceTypes",
    pageSize: 100,
    namesPerRequest: 100,
    idFields: ["InstanceType"],
    regional: true,
    plural: "instance types",
  },
} as const satisfies Record<ResourceKind, KindFacts>;

export type Ec2Operation = (typeof TABLE)[ResourceKind]["operation"];

export const KINDS: Readonly<Record<ResourceKind, KindFacts<Ec2Operation>>> = TABLE;

/** Every kind, in the table's order (the order of recorded snapshots and listings). */
export const RESOURCE_KINDS = Object.keys(KINDS) as readonly ResourceKind[];

/** A kind AWS Config records. */
export type ConfigRecordedKind = { [K in ResourceKind]: (typeof TABLE)[K]["recordedByConfig"] extends true ? K : never }[ResourceKind];

/** The kinds AWS Config records, in the table's order. */
export const CONFIG_RECORDED_KINDS = RESOURCE_KINDS.filter((kind): kind is ConfigRecordedKind => KINDS[kind].recordedByConfig);

/** The table by operation name, each entry with its kind. */
export const EC2_OPERATIONS = Object.fromEntries(
  RESOURCE_KINDS.map((kind) => [KINDS[kind].operation, { kind, ...KINDS[kind] }]),
) as Readonly<Record<Ec2Operation, KindFacts<Ec2Operation> & { kind: ResourceKind }>>;

export const EC2_OPERATION_NAMES = Object.keys(EC2_OPERATIONS) as readonly Ec2Operation[];

export function isEc2Operation(name: string): name is Ec2Operation {
  return Object.hasOwn(EC2_OPERATIONS, name);
}

const KIND_BY_CONFIG_TYPE = new Map<string, ResourceKind>(RESOURCE_KINDS.map((kind) => [KINDS[kind].configType, kind]));

/** The kind an evaluation's resource type names; undefined for a type no kind has (the account). */
export const kindOfConfigType = (resourceType: string): ResourceKind | undefined => KIND_BY_CONFIG_TYPE.get(resourceType);

/** The kind whose ids start as this one does (only kinds whose ids have a prefix of their own). */
export const kindOfResourceId = (id: string, among: readonly ResourceKind[] = RESOURCE_KINDS): ResourceKind | undefined =>
  among.find((kind) => {
    const prefix = KINDS[kind].idPrefix;
    return prefix !== undefined && id.startsWith(prefix);
  });

/** The Describe* filter that returns exactly one resource of a kind by its id; undefined when the kind has none. */
export function idFilterOf(kind: ResourceKind, id: string): { Name: string; Values: string[] } | undefined {
  const { idFilter, otherIdFilter, idPrefix } = KINDS[kind];
  const name = otherIdFilter !== undefined && idPrefix !== undefined && !id.startsWith(idPrefix) ? otherIdFilter : idFilter;
  return name === undefined ? undefined : { Name: name, Values: [id] };
}
