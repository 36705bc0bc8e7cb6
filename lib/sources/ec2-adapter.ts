import { InputError } from "../errors";
import { type ConfigRecordedKind, EC2_OPERATIONS, type Ec2Operation } from "../model/kinds";
import type {
  ElasticIp,
  Instance,
  InstanceNetworkInterface,
  InstanceTypeInfo,
  InternetGateway,
  NetworkInterface,
  Origin,
  PlacementGroup,
  PrefixList,
  PublicIpv4,
  RecordOfKind,
  ResourceKind,
  ResourceRecord,
  Route,
  RouteTable,
  RouteTableAssociation,
  SecurityGroup,
  SecurityGroupReference,
  Subnet,
  Tags,
  VpcEndpoint,
} from "../model/types";

type Item = Record<string, unknown>;

/*
 * Speed matters here: a million-resource account passes every item through these functions.
 * Each normalizer reads its fields by name (item.VpcId), so that every read site sees one shape
 * of object, and the readers below take the value and a constant field name, so the happy path
 * builds no path strings: an error's field is only put together when it is thrown, each list
 * level adding its `Key[index]` on the way out (see `within`).
 */

/** A JSON path below an item; the item itself is the empty path. */
const join = (field: string, key: string): string => (field ? `${field}.${key}` : key);

/** Rethrows an InputError from an entry of a list with the entry's path before its field. */
function within(error: unknown, path: string): never {
  if (!(error instanceof InputError)) throw error;
  const inner = error.location.field;
  throw new InputError(error.problem, { ...error.location, field: inner ? join(path, inner) : path });
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : JSON.stringify(value);
}

// Readers that tolerate absent fields but refuse wrongly typed ones, naming the field.

function asObject(value: unknown, field: string): Item {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Item;
  throw new InputError(`expected an object, got ${describeValue(value)}`, { field });
}

function optionalObject(value: unknown, field: string): Item | undefined {
  return value === undefined || value === null ? undefined : asObject(value, field);
}

const NO_ITEMS: Item[] = [];

/** The array itself once its entries are checked to be objects: no copy, since the caller only reads it. */
function list(value: unknown, field: string): Item[] {
  if (value === undefined || value === null) return NO_ITEMS;
  if (!Array.isArray(value)) throw new InputError(`expected an array, got ${describeValue(value)}`, { field });
  for (let index = 0; index < value.length; index++) {
    const entry = value[index];
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) asObject(entry, `${field}[${index}]`);
  }
  return value as Item[];
}

function optionalString(value: unknown, field: string): string | undefined {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return undefined;
  throw new InputError(`expected a string, got ${describeValue(value)}`, { field });
}

function requiredString(value: unknown, field: string): string {
  if (typeof value === "string" && value !== "") return value;
  if (value === undefined || value === null || value === "") throw new InputError("required", { field });
  throw new InputError(`expected a string, got ${describeValue(value)}`, { field });
}

function optionalNumber(value: unknown, field: string): number | undefined {
  if (typeof value === "number") return value;
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  throw new InputError(`expected a number, got ${describeValue(value)}`, { field });
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === undefined || value === null) return undefined;
  if (value === "true" || value === "false") return value === "true";
  throw new InputError(`expected a boolean, got ${describeValue(value)}`, { field });
}

/**
 * An enum the EC2 API nests in an object (`State: {Code, Name}`, `AssociationState: {State}`),
 * also accepted bare, as AWS Config may write it.
 */
function nestedEnum(value: unknown, inner: string, field: string): string | undefined {
  if (typeof value === "string") return value;
  const object = optionalObject(value, field);
  if (object === undefined) return undefined;
  const named = object[inner];
  return typeof named === "string" ? named : optionalString(named, `${field}.${inner}`);
}

/**
 * One copy of each string value that repeats across many records (account ids, VPC and subnet
 * ids, zones, types): parsed JSON gives every record its own copies (V8 shares only values of up
 * to 10 characters), and a million-resource model would keep them all. Only for values of few
 * distinct strings: ids of groups or instances would fill it and start it over. Bounded, so that
 * a long-lived process (a warm Lambda) never grows it without end. A Map, not a StringTable: for
 * fresh strings V8's native hash is 2.5 × faster than hashing them in JavaScript.
 */
const sharedStrings = new Map<string, string>();
const SHARED_LIMIT = 1 << 18;

/** Keeps `value` under `key` in a table of shared values, started over when full. */
function keepShared<T>(table: Map<string, T>, key: string, value: T): T {
  if (table.size >= SHARED_LIMIT) table.clear();
  table.set(key, value);
  return value;
}

function shared(value: string): string;
function shared(value: string | undefined): string | undefined;
function shared(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return sharedStrings.get(value) ?? keepShared(sharedStrings, value, value);
}

/** Shared by every record without tags or without entries in a list; model records are never mutated in place. */
const NO_TAGS: Tags = Object.freeze({});
const none = <T>(): T[] => NO_VALUES as unknown as T[];
const NO_VALUES: readonly never[] = Object.freeze([]);

/**
 * One frozen list of each set of groups, found by its ids: the model keeps these lists for good,
 * and interfaces mostly share their groups with many others.
 */
const sharedGroupIds = new Map<string, readonly string[]>();

/**
 * The GroupId of each entry of a network interface's `Groups` that has one, a wrongly typed one
 * refused (a group whose use is dropped would look unused).
 */
function groupIdsOf(groups: Item[]): readonly string[] {
  if (groups.length === 0) return none();
  let key = "";
  // Ids with a space in them (no real one has) would make two lists' keys alike: not shared.
  let shareable = true;
  for (let index = 0; index < groups.length; index++) {
    const id = (groups[index] as Item).GroupId;
    if (typeof id !== "string") return presentValues(eachOf(groups, "Groups", (group) => optionalString(group.GroupId, "GroupId")));
    if (id.includes(" ")) shareable = false;
    key = index === 0 ? id : `${key} ${id}`;
  }
  const known = shareable ? sharedGroupIds.get(key) : undefined;
  if (known) return known;
  const ids = Object.freeze(groups.map((group) => group.GroupId as string));
  return shareable ? keepShared(sharedGroupIds, key, ids) : ids;
}

const presentValues = <T>(values: (T | undefined)[]): T[] => values.filter((value): value is T => value !== undefined);

const lower = (value: string | undefined): string | undefined => value?.toLowerCase();

/** EC2 tags (`[{Key, Value}]`, or very old Config items' `[{TagName, TagValue}]`) as a map. */
function tagsOf(value: unknown, field: string): Tags {
  const entries = list(value, field);
  if (entries.length === 0) return NO_TAGS;
  const tags: Record<string, string> = {};
  for (const tag of entries) {
    const name = tag.Key ?? tag.TagName;
    const tagValue = tag.Value ?? tag.TagValue;
    if (typeof name === "string") tags[name] = typeof tagValue === "string" ? tagValue : "";
  }
  return tags;
}

/** The public IPv4 address an association carries, unless the list already has it. */
function addPublicIp(found: PublicIpv4[] | undefined, association: Item): PublicIpv4[] | undefined {
  const ip = optionalString(association.PublicIp, "Association.PublicIp");
  if (!ip || found?.some((known) => known.ip === ip)) return found;
  const owner = optionalString(association.IpOwnerId, "Association.IpOwnerId");
  const address: PublicIpv4 = { ip, source: owner === undefined || owner === "amazon" ? "auto-assigned" : "eip" };
  // A literal, not push onto [], so that the kept array has no spare room.
  if (found) found.push(address);
  else found = [address];
  return found;
}

/**
 * Public IPv4 addresses of a network interface, from its own association and each private
 * address's association (secondary private IPs can carry EIPs too). An `IpOwnerId` of `amazon`
 * marks an auto-assigned address; an account id marks an Elastic IP.
 */
function publicIpsOf(eni: Item): PublicIpv4[] {
  let found: PublicIpv4[] | undefined;
  const addresses = list(eni.PrivateIpAddresses, "PrivateIpAddresses");
  for (let index = 0; index < addresses.length; index++) {
    const address = addresses[index] as Item;
    const association = address.Association;
    if (association === undefined || association === null) continue;
    try {
      found = addPublicIp(found, asObject(association, "Association"));
    } catch (error) {
      within(error, `PrivateIpAddresses[${index}]`);
    }
  }
  const association = optionalObject(eni.Association, "Association");
  if (association) found = addPublicIp(found, association);
  return found ?? none();
}

function instanceInterface(eni: Item): InstanceNetworkInterface {
  const attachment = optionalObject(eni.Attachment, "Attachment");
  return {
    id: requiredString(eni.NetworkInterfaceId, "NetworkInterfaceId"),
    deviceIndex: attachment && optionalNumber(attachment.DeviceIndex, "Attachment.DeviceIndex"),
    publicIps: publicIpsOf(eni),
  };
}

function normalizeInstance(instance: Item, origin: Origin): Instance {
  const id = requiredString(instance.InstanceId, "InstanceId");
  const tags = tagsOf(instance.Tags, "Tags");
  const placement = optionalObject(instance.Placement, "Placement");
  const metadata = optionalObject(instance.MetadataOptions, "MetadataOptions");
  const interfaces = list(instance.NetworkInterfaces, "NetworkInterfaces");
  let networkInterfaces = eachOf(interfaces, "NetworkInterfaces", instanceInterface);
  // An instance record with a public address but no interface details still has that address.
  const publicIp = optionalString(instance.PublicIpAddress, "PublicIpAddress");
  if (publicIp && !networkInterfaces.some((eni) => eni.publicIps.some((address) => address.ip === publicIp))) {
    networkInterfaces = [
      { id: "primary network interface", deviceIndex: 0, publicIps: [{ ip: publicIp, source: "auto-assigned" }], undescribed: true },
      ...networkInterfaces,
    ];
  }
  const groupName = placement && optionalString(placement.GroupName, "Placement.GroupName");
  return {
    kind: "instance",
    id,
    name: tags.Name,
    region: origin.region,
    accountId: origin.accountId,
    state: lower(nestedEnum(instance.State, "Name", "State")) ?? "unknown",
    instanceType: shared(optionalString(instance.InstanceType, "InstanceType")),
    subnetId: shared(optionalString(instance.SubnetId, "SubnetId")),
    availabilityZone: placement && shared(optionalString(placement.AvailabilityZone, "Placement.AvailabilityZone")),
    placementGroupName: groupName === "" ? undefined : groupName,
    placementGroupId: (placement && optionalString(placement.GroupId, "Placement.GroupId")) || undefined,
    partitionNumber: placement && optionalNumber(placement.PartitionNumber, "Placement.PartitionNumber"),
    enaSupport: optionalBoolean(instance.EnaSupport, "EnaSupport"),
    networkInterfaces,
    metadataOptions: metadata && {
      httpTokens: lower(optionalString(metadata.HttpTokens, "MetadataOptions.HttpTokens")),
      httpEndpoint: lower(optionalString(metadata.HttpEndpoint, "MetadataOptions.HttpEndpoint")),
      hopLimit: optionalNumber(metadata.HttpPutResponseHopLimit, "MetadataOptions.HttpPutResponseHopLimit"),
      state: lower(optionalString(metadata.State, "MetadataOptions.State")),
    },
    monitoringState: lower(nestedEnum(instance.Monitoring, "State", "Monitoring")),
    tags,
  };
}

function normalizeAddress(address: Item, origin: Origin): ElasticIp {
  const allocationId = optionalString(address.AllocationId, "AllocationId");
  const publicIp = optionalString(address.PublicIp, "PublicIp");
  const id = allocationId ?? publicIp;
  if (!id) throw new InputError("required (neither AllocationId nor PublicIp is set)", { field: "AllocationId" });
  const tags = tagsOf(address.Tags, "Tags");
  return {
    kind: "eip",
    id,
    name: tags.Name,
    region: origin.region,
    accountId: origin.accountId,
    allocationId,
    publicIp,
    associationId: optionalString(address.AssociationId, "AssociationId"),
    instanceId: optionalString(address.InstanceId, "InstanceId") || undefined,
    networkInterfaceId: optionalString(address.NetworkInterfaceId, "NetworkInterfaceId"),
    domain: optionalString(address.Domain, "Domain"),
    serviceManaged: optionalString(address.ServiceManaged, "ServiceManaged"),
    tags,
  };
}

/** Adds the groups that one list of permissions points at (not the group itself) to `references`. */
function addReferences(
  references: Map<string, SecurityGroupReference> | undefined,
  permissions: Item[],
  direction: "ingress" | "egress",
  selfId: string,
): Map<string, SecurityGroupReference> | undefined {
  for (let index = 0; index < permissions.length; index++) {
    try {
      const pairs = list((permissions[index] as Item).UserIdGroupPairs, "UserIdGroupPairs");
      for (let at = 0; at < pairs.length; at++) {
        try {
          const pair = pairs[at] as Item;
          const groupId = optionalString(pair.GroupId, "GroupId");
          if (!groupId || groupId === selfId || references?.has(`${direction}/${groupId}`)) continue;
          references ??= new Map();
          references.set(`${direction}/${groupId}`, {
            groupId,
            direction,
          });
        } catch (error) {
          within(error, `UserIdGroupPairs[${at}]`);
        }
      }
    } catch (error) {
      within(error, `${direction === "ingress" ? "IpPermissions" : "IpPermissionsEgress"}[${index}]`);
    }
  }
  return references;
}

function normalizeSecurityGroup(group: Item, origin: Origin): SecurityGroup {
  const id = requiredString(group.GroupId, "GroupId");
  let references = addReferences(undefined, list(group.IpPermissions, "IpPermissions"), "ingress", id);
  references = addReferences(references, list(group.IpPermissionsEgress, "IpPermissionsEgress"), "egress", id);
  return {
    kind: "security-group",
    id,
    name: optionalString(group.GroupName, "GroupName") ?? id,
    region: origin.region,
    accountId: origin.accountId,
    ownerId: shared(optionalString(group.OwnerId, "OwnerId")),
    references: references ? [...references.values()] : none(),
    tags: tagsOf(group.Tags, "Tags"),
  };
}

function normalizeNetworkInterface(eni: Item, origin: Origin): NetworkInterface {
  return {
    kind: "network-interface",
    id: requiredString(eni.NetworkInterfaceId, "NetworkInterfaceId"),
    region: origin.region,
    accountId: origin.accountId,
    status: lower(optionalString(eni.Status, "Status")),
    interfaceType: shared(optionalString(eni.InterfaceType, "InterfaceType")),
    groupIds: groupIdsOf(list(eni.Groups, "Groups")),
  };
}

function normalizeSubnet(subnet: Item, origin: Origin): Subnet {
  return {
    kind: "subnet",
    id: requiredString(subnet.SubnetId, "SubnetId"),
    region: origin.region,
    accountId: origin.accountId,
    vpcId: shared(requiredString(subnet.VpcId, "VpcId")),
    mapPublicIpOnLaunch: optionalBoolean(subnet.MapPublicIpOnLaunch, "MapPublicIpOnLaunch"),
  };
}

/** EC2's route keys that a rule reads, and the model's, which only lowercase the first letter. */
const ROUTE_FIELDS = (["DestinationCidrBlock", "DestinationPrefixListId", "GatewayId"] as const).map(
  (key) => [key, (key.charAt(0).toLowerCase() + key.slice(1)) as keyof Route] as const,
);

function normalizeRoute(route: Item): Route {
  const normalized: Route = {};
  for (const [key, modelKey] of ROUTE_FIELDS) {
    const value = optionalString(route[key], key);
    if (value !== undefined) normalized[modelKey] = shared(value);
  }
  const state = lower(optionalString(route.State, "State"));
  if (state !== undefined) normalized.state = state;
  return normalized;
}

function normalizeAssociation(association: Item): RouteTableAssociation {
  return {
    main: optionalBoolean(association.Main, "Main") ?? false,
    subnetId: shared(optionalString(association.SubnetId, "SubnetId")),
    state: lower(nestedEnum(association.AssociationState, "State", "AssociationState")),
  };
}

/** Each entry of a list through `normalize`, an error naming the entry (`Routes[3].State`). */
function eachOf<T>(entries: Item[], key: string, normalize: (entry: Item) => T): T[] {
  if (entries.length === 0) return none();
  const normalized = new Array<T>(entries.length);
  for (let index = 0; index < entries.length; index++) {
    try {
      normalized[index] = normalize(entries[index] as Item);
    } catch (error) {
      within(error, `${key}[${index}]`);
    }
  }
  return normalized;
}

function normalizeRouteTable(table: Item, origin: Origin): RouteTable {
  const tags = tagsOf(table.Tags, "Tags");
  return {
    kind: "route-table",
    id: requiredString(table.RouteTableId, "RouteTableId"),
    name: tags.Name,
    region: origin.region,
    accountId: origin.accountId,
    vpcId: shared(requiredString(table.VpcId, "VpcId")),
    routes: eachOf(list(table.Routes, "Routes"), "Routes", normalizeRoute),
    associations: eachOf(list(table.Associations, "Associations"), "Associations", normalizeAssociation),
    tags,
  };
}

function normalizeVpcEndpoint(endpoint: Item, origin: Origin): VpcEndpoint {
  const tags = tagsOf(endpoint.Tags, "Tags");
  return {
    kind: "vpc-endpoint",
    id: requiredString(endpoint.VpcEndpointId, "VpcEndpointId"),
    name: tags.Name,
    region: origin.region,
    accountId: origin.accountId,
    vpcId: shared(requiredString(endpoint.VpcId, "VpcId")),
    // CreateVpcEndpoint's default type is Gateway.
    type: lower(optionalString(endpoint.VpcEndpointType, "VpcEndpointType")) ?? "gateway",
    serviceName: requiredString(endpoint.ServiceName, "ServiceName"),
    state: lower(optionalString(endpoint.State, "State")) ?? "unknown",
    privateDnsEnabled: optionalBoolean(endpoint.PrivateDnsEnabled, "PrivateDnsEnabled"),
    requesterManaged: optionalBoolean(endpoint.RequesterManaged, "RequesterManaged"),
    tags,
  };
}

function normalizePrefixList(prefixList: Item, origin: Origin): PrefixList {
  return {
    kind: "prefix-list",
    id: requiredString(prefixList.PrefixListId, "PrefixListId"),
    name: requiredString(prefixList.PrefixListName, "PrefixListName"),
    region: origin.region,
    accountId: origin.accountId,
  };
}

function normalizeInternetGateway(gateway: Item, origin: Origin): InternetGateway {
  return {
    kind: "internet-gateway",
    id: requiredString(gateway.InternetGatewayId, "InternetGatewayId"),
    region: origin.region,
    accountId: origin.accountId,
    attachedVpcIds: presentValues(
      eachOf(list(gateway.Attachments, "Attachments"), "Attachments", (attachment) => {
        const state = lower(optionalString(attachment.State, "State"));
        const attached = state === undefined || state === "available" || state === "attached";
        return attached ? shared(optionalString(attachment.VpcId, "VpcId")) : undefined;
      }),
    ),
  };
}

function normalizePlacementGroup(group: Item, origin: Origin): PlacementGroup {
  const name = requiredString(group.GroupName, "GroupName");
  const groupId = optionalString(group.GroupId, "GroupId");
  return {
    kind: "placement-group",
    id: groupId ?? name,
    name,
    groupId,
    region: origin.region,
    accountId: origin.accountId,
    state: lower(optionalString(group.State, "State")) ?? "unknown",
    strategy: lower(requiredString(group.Strategy, "Strategy")) ?? "",
    partitionCount: optionalNumber(group.PartitionCount, "PartitionCount"),
    spreadLevel: lower(optionalString(group.SpreadLevel, "SpreadLevel")),
    tags: tagsOf(group.Tags, "Tags"),
  };
}

function normalizeInstanceType(info: Item, origin: Origin): InstanceTypeInfo {
  const network = optionalObject(info.NetworkInfo, "NetworkInfo");
  return {
    kind: "instance-type",
    id: requiredString(info.InstanceType, "InstanceType"),
    region: origin.region,
    accountId: origin.accountId,
    enaSupport: lower(network && optionalString(network.EnaSupport, "NetworkInfo.EnaSupport")),
  };
}

/**
 * The fields a normalizer reads of one resource, path by path: `true` for a value read as it is,
 * an inner tree for an object (a list's entries share the list's tree). A source that turns another
 * shape into the EC2 API's (AWS Config's camelCase `configuration`) converts exactly these paths
 * and visits nothing else, so test/sources/adapter-keys.test.ts fails if a normalizer reads a path
 * its tree lacks (that field would read as absent: a public address never seen) or the tree holds
 * one it never reads.
 */
export interface FieldsRead {
  readonly [field: string]: true | FieldsRead;
}

const TAGS_READ = { Key: true, Value: true, TagName: true, TagValue: true } as const;
const ADDRESS_ASSOCIATION_READ = { PublicIp: true, IpOwnerId: true } as const;
/** What publicIpsOf reads of a network interface. */
const PUBLIC_IPS_READ = {
  PrivateIpAddresses: { Association: ADDRESS_ASSOCIATION_READ },
  Association: ADDRESS_ASSOCIATION_READ,
} as const;
const GROUP_PAIRS_READ = { UserIdGroupPairs: { GroupId: true } } as const;

/** The one resource that an AWS Config item holds (an instance, not a reservation), what its normalizer reads of it and gives. */
export interface ResourceNormalizer<K extends ResourceKind> {
  readonly reads: FieldsRead;
  readonly normalize: (resource: Item, origin: Origin) => RecordOfKind<K>;
}

/** The kinds AWS Config records, each with the fields its normalizer reads: a kind without its entry does not typecheck. */
export const CONFIG_RECORDED_NORMALIZERS: { readonly [K in ConfigRecordedKind]: ResourceNormalizer<K> } = {
  instance: {
    normalize: normalizeInstance,
    reads: {
      InstanceId: true,
      Tags: TAGS_READ,
      Placement: { GroupName: true, AvailabilityZone: true, GroupId: true, PartitionNumber: true },
      MetadataOptions: { HttpTokens: true, HttpEndpoint: true, HttpPutResponseHopLimit: true, State: true },
      NetworkInterfaces: { NetworkInterfaceId: true, Attachment: { DeviceIndex: true }, ...PUBLIC_IPS_READ },
      PublicIpAddress: true,
      State: { Name: true },
      InstanceType: true,
      SubnetId: true,
      EnaSupport: true,
      Monitoring: { State: true },
    },
  },
  eip: {
    normalize: normalizeAddress,
    reads: {
      AllocationId: true,
      PublicIp: true,
      Tags: TAGS_READ,
      AssociationId: true,
      InstanceId: true,
      NetworkInterfaceId: true,
      Domain: true,
      ServiceManaged: true,
    },
  },
  "security-group": {
    normalize: normalizeSecurityGroup,
    reads: {
      GroupId: true,
      IpPermissions: GROUP_PAIRS_READ,
      IpPermissionsEgress: GROUP_PAIRS_READ,
      GroupName: true,
      OwnerId: true,
      Tags: TAGS_READ,
    },
  },
  "network-interface": {
    normalize: normalizeNetworkInterface,
    reads: {
      NetworkInterfaceId: true,
      Status: true,
      InterfaceType: true,
      Groups: { GroupId: true },
    },
  },
  subnet: {
    normalize: normalizeSubnet,
    reads: { SubnetId: true, VpcId: true, MapPublicIpOnLaunch: true },
  },
  "route-table": {
    normalize: normalizeRouteTable,
    reads: {
      Tags: TAGS_READ,
      RouteTableId: true,
      VpcId: true,
      Routes: { ...Object.fromEntries(ROUTE_FIELDS.map(([key]) => [key, true] as const)), State: true },
      Associations: { Main: true, SubnetId: true, AssociationState: { State: true } },
    },
  },
  "vpc-endpoint": {
    normalize: normalizeVpcEndpoint,
    reads: {
      Tags: TAGS_READ,
      VpcEndpointId: true,
      VpcId: true,
      VpcEndpointType: true,
      ServiceName: true,
      State: true,
      PrivateDnsEnabled: true,
      RequesterManaged: true,
    },
  },
  "internet-gateway": {
    normalize: normalizeInternetGateway,
    reads: { InternetGatewayId: true, Attachments: { State: true, VpcId: true } },
  },
};

/** One item of a kind's response list into its records (a reservation holds any number of instances). */
type ListItemNormalizer<K extends ResourceKind> = (item: Item, origin: Origin) => RecordOfKind<K>[];

const one =
  <K extends ResourceKind>(normalize: (item: Item, origin: Origin) => RecordOfKind<K>): ListItemNormalizer<K> =>
  (item, origin) => [normalize(item, origin)];

/** The normalizer of each kind of lib/model/kinds.ts: a kind without one, or one without its kind, does not typecheck. */
export const NORMALIZERS: { readonly [K in ResourceKind]: ListItemNormalizer<K> } = {
  instance: (reservation, origin) =>
    eachOf(list(reservation.Instances, "Instances"), "Instances", (instance) => normalizeInstance(instance, origin)),
  eip: one(normalizeAddress),
  "security-group": one(normalizeSecurityGroup),
  "network-interface": one(normalizeNetworkInterface),
  subnet: one(normalizeSubnet),
  "route-table": one(normalizeRouteTable),
  "vpc-endpoint": one(normalizeVpcEndpoint),
  "prefix-list": one(normalizePrefixList),
  "internet-gateway": one(normalizeInternetGateway),
  "placement-group": one(normalizePlacementGroup),
  "instance-type": one(normalizeInstanceType),
};

/**
 * Normalizes one item of a Describe* response list (PascalCase, as the AWS SDK v3 returns it;
 * for DescribeInstances one reservation) into model records. Bad input throws an InputError
 * whose field is relative to the item (the caller adds the file and the item's path).
 */
export function normalizeEc2Item(operation: Ec2Operation, item: unknown, origin: Origin): ResourceRecord[] {
  return NORMALIZERS[EC2_OPERATIONS[operation].kind](asObject(item, ""), origin);
}
