/**
 * The normalized resource model: the only view of an account that rules see.
 *
 * Every source (EC2 API responses, AWS Config configuration items, recorded snapshots) is
 * reduced to these slim records, holding only what some rule or report needs. Raw records are
 * dropped as soon as they are normalized, so a million-resource account fits in memory.
 */

export type Tags = Readonly<Record<string, string>>;

/** Where a record came from; every record carries it so evaluations can name region and account. */
export interface Origin {
  region: string;
  accountId: string;
}

export type InstanceStateName = "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";

/** A public IPv4 address on a network interface; `eip` when its owner is an account (an Elastic IP). */
export interface PublicIpv4 {
  ip: string;
  source: "auto-assigned" | "eip";
}

export interface InstanceNetworkInterface {
  id: string;
  deviceIndex?: number;
  publicIps: PublicIpv4[];
  /**
   * Set on the stand-in for an interface the record does not describe: its address was seen only
   * in the instance's PublicIpAddress, so `id` names no real ENI.
   */
  undescribed?: true;
}

export interface MetadataOptions {
  httpTokens?: string;
  httpEndpoint?: string;
  hopLimit?: number;
  state?: string;
}

export interface Instance extends Origin {
  kind: "instance";
  id: string;
  name?: string;
  state: InstanceStateName | string;
  instanceType?: string;
  subnetId?: string;
  availabilityZone?: string;
  placementGroupName?: string;
  placementGroupId?: string;
  partitionNumber?: number;
  enaSupport?: boolean;
  networkInterfaces: InstanceNetworkInterface[];
  metadataOptions?: MetadataOptions;
  /** Monitoring.State: detailed (1-minute) CloudWatch monitoring, "enabled" or "disabled". */
  monitoringState?: string;
  tags: Tags;
}

export interface ElasticIp extends Origin {
  kind: "eip";
  /** Allocation id, or the public IP for an EC2-Classic style address with none. */
  id: string;
  name?: string;
  allocationId?: string;
  publicIp?: string;
  associationId?: string;
  instanceId?: string;
  networkInterfaceId?: string;
  domain?: string;
  /** Set by AWS for addresses a service manages (alb, nlb, rnat, rds). */
  serviceManaged?: string;
  tags: Tags;
}

export interface SecurityGroupReference {
  /** The group this group's rule points at. */
  groupId: string;
  direction: "ingress" | "egress";
}

export interface SecurityGroup extends Origin {
  kind: "security-group";
  id: string;
  name: string;
  ownerId?: string;
  /** Groups that this group's own ingress and egress rules reference (self references excluded). */
  references: SecurityGroupReference[];
  tags: Tags;
}

export interface NetworkInterface extends Origin {
  kind: "network-interface";
  id: string;
  status?: string;
  interfaceType?: string;
  /** Shared by the interfaces that have the same groups: never changed in place. */
  groupIds: readonly string[];
}

export interface Subnet extends Origin {
  kind: "subnet";
  id: string;
  vpcId: string;
  mapPublicIpOnLaunch?: boolean;
}

export interface Route {
  destinationCidrBlock?: string;
  destinationPrefixListId?: string;
  gatewayId?: string;
  /** active | blackhole | filtered, lowercased. */
  state?: string;
}

export interface RouteTableAssociation {
  main: boolean;
  subnetId?: string;
  /** associated | associating | disassociating | disassociated | failed; absent = associated. */
  state?: string;
}

export interface RouteTable extends Origin {
  kind: "route-table";
  id: string;
  name?: string;
  vpcId: string;
  routes: Route[];
  associations: RouteTableAssociation[];
  tags: Tags;
}

export interface VpcEndpoint extends Origin {
  kind: "vpc-endpoint";
  id: string;
  name?: string;
  vpcId: string;
  /** gateway | interface | gatewayloadbalancer | …, lowercased. */
  type: string;
  serviceName: string;
  /** available | pending | deleting | deleted | …, lowercased (the wire value is lowercase, the SDK enum is not). */
  state: string;
  privateDnsEnabled?: boolean;
  /** Created and managed by an AWS service (e.g. Transfer Family): the account cannot modify it. */
  requesterManaged?: boolean;
  tags: Tags;
}

export interface PrefixList extends Origin {
  kind: "prefix-list";
  id: string;
  name: string;
}

export interface InternetGateway extends Origin {
  kind: "internet-gateway";
  id: string;
  attachedVpcIds: string[];
}

export interface PlacementGroup extends Origin {
  kind: "placement-group";
  /** The group id (pg-…) when known, else the name (unique per account and region). */
  id: string;
  name: string;
  groupId?: string;
  state: string;
  strategy: string;
  partitionCount?: number;
  spreadLevel?: string;
  tags: Tags;
}

export interface InstanceTypeInfo extends Origin {
  kind: "instance-type";
  /** The instance type name, e.g. c6in.large. */
  id: string;
  /** unsupported | supported | required */
  enaSupport?: string;
}

export type ResourceRecord =
  | Instance
  | ElasticIp
  | SecurityGroup
  | NetworkInterface
  | Subnet
  | RouteTable
  | VpcEndpoint
  | PrefixList
  | InternetGateway
  | PlacementGroup
  | InstanceTypeInfo;

export type ResourceKind = ResourceRecord["kind"];

/** Configuration item statuses that say the resource no longer exists (ConfigurationItem.configurationItemStatus in Config's API reference). */
export const DELETED_ITEM_STATUSES: ReadonlySet<string> = new Set(["ResourceDeleted", "ResourceDeletedNotRecorded"]);

/**
 * A resource an AWS Config input says was deleted (its latest item is ResourceDeleted or
 * ResourceDeletedNotRecorded). Kept beside the live records so that every rule whose resource
 * type it is reports it NOT_APPLICABLE, and a report's diff shows it resolved by deletion.
 */
export interface DeletedResource extends Origin {
  kind: ResourceKind;
  id: string;
  status: string;
  /** The deleted item's configurationItemCaptureTime. */
  deletedAt: string;
}

export type RecordOfKind<K extends ResourceKind> = Extract<ResourceRecord, { kind: K }>;

/**
 * What the sources could and could not collect, per account and region ("scope", keyed
 * `accountId/region`) and kind. A kind absent from a scope's `collected` set was never read there
 * (the source does not hold it, or the call failed), so a rule that needs it must report the gap
 * rather than a verdict.
 */
export interface Coverage {
  scopes: Map<string, Origin>;
  /** scope → kinds fully collected there. */
  collected: Map<string, Set<ResourceKind>>;
  /** scope → kind → why it is missing (a failed call, a source that does not record it). */
  gaps: Map<string, Map<ResourceKind, string>>;
}
