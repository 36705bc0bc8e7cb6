import { InputError } from "../errors";
import { EC2_OPERATIONS, type Ec2Operation } from "../model/kinds";
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
  SecurityGroup,
  SecurityGroupReference,
  Subnet,
  Tags,
  VpcEndpoint,
} from "../model/types";

type Item = Record<string, unknown>;

/** A JSON path below an item; the item itself is the empty path. */
const join = (field: string, key: string): string => (field ? `${field}.${key}` : key);

// Readers that tolerate absent fields but refuse wrongly typed ones, naming the field.

function asObject(value: unknown, field: string): Item {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Item;
  throw new InputError(`expected an object, got ${describeValue(value)}`, { field });
}

const NO_ITEMS: Item[] = [];

/** The array itself once its entries are checked: no copy, since the caller only reads it. */
function list(item: Item, key: string, field: string): Item[] {
  const value = item[key];
  if (value === undefined || value === null) return NO_ITEMS;
  if (!Array.isArray(value)) throw new InputError(`expected an array, got ${describeValue(value)}`, { field: join(field, key) });
  for (let index = 0; index < value.length; index++) {
    const entry = value[index];
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) asObject(entry, `${join(field, key)}[${index}]`);
  }
  return value as Item[];
}

/**
 * One copy of each string value that repeats across many records (account ids, VPC and subnet
 * ids, zones, types): parsed JSON gives every record its own copies (V8 shares only values of up
 * to 10 characters), and a million-resource model would keep them all. Only for values of few
 * distinct strings: ids of groups or instances would fill it and start it over. Bounded, so that
 * a long-lived process (a warm Lambda) never grows it without end.
 */
const sharedStrings = new Map<string, string>();
const SHARED_STRINGS_LIMIT = 1 << 18;

function shared(value: string): string;
function shared(value: string | undefined): string | undefined;
function shared(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const known = sharedStrings.get(value);
  if (known !== undefined) return known;
  if (sharedStrings.size >= SHARED_STRINGS_LIMIT) sharedStrings.clear();
  sharedStrings.set(value, value);
  return value;
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null;
const isStringOrAbsent = (value: unknown): boolean => typeof value === "string" || isAbsent(value);

/** Shared by every record without tags or without entries in a list; model records are never mutated in place. */
const NO_TAGS: Tags = Object.freeze({});
const none = <T>(): T[] => NO_VALUES as unknown as T[];
const NO_VALUES: readonly never[] = Object.freeze([]);

/**
 * The string `key` of each entry of a list that has one (group ids of `Groups`, VPC ids of
 * attachments). Built by map when every entry has one: an array grown by push from empty keeps
 * room for 17 elements, and the model keeps these arrays for good.
 */
function idsOf(entries: Item[], key: string): string[] {
  if (entries.length === 0) return none();
  if (entries.every((entry) => typeof entry[key] === "string")) return entries.map((entry) => entry[key] as string);
  return entries.map((entry) => entry[key]).filter((id): id is string => typeof id === "string");
}

function optionalString(item: Item, key: string, field: string): string | undefined {
  const value = item[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  throw new InputError(`expected a string, got ${describeValue(value)}`, { field: join(field, key) });
}

function requiredString(item: Item, key: string, field: string): string {
  const value = optionalString(item, key, field);
  if (value === undefined || value === "") throw new InputError("required", { field: join(field, key) });
  return value;
}

function optionalNumber(item: Item, key: string, field: string): number | undefined {
  const value = item[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  throw new InputError(`expected a number, got ${describeValue(value)}`, { field: join(field, key) });
}

function optionalBoolean(item: Item, key: string, field: string): boolean | undefined {
  const value = item[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  throw new InputError(`expected a boolean, got ${describeValue(value)}`, { field: join(field, key) });
}

/**
 * An enum the EC2 API nests in an object (`State: {Code, Name}`, `AssociationState: {State}`),
 * also accepted bare, as AWS Config may write it.
 */
function nestedEnum(item: Item, key: string, inner: string, field: string): string | undefined {
  const value = item[key];
  if (typeof value === "string") return value;
  const object = optionalObject(item, key, field);
  return object && optionalString(object, inner, join(field, key));
}

function optionalObject(item: Item, key: string, field: string): Item | undefined {
  const value = item[key];
  return value === undefined || value === null ? undefined : asObject(value, join(field, key));
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : JSON.stringify(value);
}

const lower = (value: string | undefined): string | undefined => value?.toLowerCase();

/** EC2 tags (`[{Key, Value}]`, or very old Config items' `[{TagName, TagValue}]`) as a map. */
function tagsOf(item: Item, key: "Tags" | "TagSet", field: string): Tags {
  const entries = list(item, key, field);
  if (entries.length === 0) return NO_TAGS;
  const tags: Record<string, string> = {};
  for (const tag of entries) {
    const name = tag.Key ?? tag.TagName;
    const value = tag.Value ?? tag.TagValue;
    if (typeof name === "string") tags[name] = typeof value === "string" ? value : "";
  }
  return tags;
}

/**
 * Public IPv4 addresses of a network interface, from its own association and each private
 * address's association (secondary private IPs can carry EIPs too). An `IpOwnerId` of `amazon`
 * marks an auto-assigned address; an account id marks an Elastic IP.
 */
function publicIpsOf(eni: Item, field: string): PublicIpv4[] {
  let found: PublicIpv4[] | undefined;
  const addFrom = (association: Item | undefined, privateIp: string | undefined, at: string) => {
    const ip = association && optionalString(association, "PublicIp", at);
    if (!association || !ip || found?.some((known) => known.ip === ip)) return;
    const owner = optionalString(association, "IpOwnerId", at);
    const address: PublicIpv4 = { ip, source: owner === undefined || owner === "amazon" ? "auto-assigned" : "eip", privateIp };
    // A literal, not push onto [], so that the kept array has no spare room.
    if (found) found.push(address);
    else found = [address];
  };
  const addresses = list(eni, "PrivateIpAddresses", field);
  for (let index = 0; index < addresses.length; index++) {
    const address = addresses[index] as Item;
    if (isAbsent(address.Association) && isStringOrAbsent(address.PrivateIpAddress)) continue;
    const at = `${join(field, "PrivateIpAddresses")}[${index}]`;
    addFrom(optionalObject(address, "Association", at), optionalString(address, "PrivateIpAddress", at), `${at}.Association`);
  }
  if (!isAbsent(eni.Association) || !isStringOrAbsent(eni.PrivateIpAddress)) {
    addFrom(optionalObject(eni, "Association", field), optionalString(eni, "PrivateIpAddress", field), join(field, "Association"));
  }
  return found ?? none();
}

function nameOf(tags: Tags): string | undefined {
  return tags.Name;
}

function normalizeInstance(instance: Item, origin: Origin, field: string): Instance {
  const id = requiredString(instance, "InstanceId", field);
  const tags = tagsOf(instance, "Tags", field);
  const placement = optionalObject(instance, "Placement", field);
  const metadata = optionalObject(instance, "MetadataOptions", field);
  let networkInterfaces: InstanceNetworkInterface[] = list(instance, "NetworkInterfaces", field).map((eni, index) => {
    const at = `${join(field, "NetworkInterfaces")}[${index}]`;
    const attachment = optionalObject(eni, "Attachment", at);
    return {
      id: requiredString(eni, "NetworkInterfaceId", at),
      deviceIndex: attachment && optionalNumber(attachment, "DeviceIndex", `${at}.Attachment`),
      publicIps: publicIpsOf(eni, at),
    };
  });
  // An instance record with a public address but no interface details still has that address.
  const publicIp = optionalString(instance, "PublicIpAddress", field);
  if (publicIp && !networkInterfaces.some((eni) => eni.publicIps.some((address) => address.ip === publicIp))) {
    networkInterfaces = [
      { id: "primary network interface", deviceIndex: 0, publicIps: [{ ip: publicIp, source: "auto-assigned" }], undescribed: true },
      ...networkInterfaces,
    ];
  }
  const placementField = join(field, "Placement");
  const metadataField = join(field, "MetadataOptions");
  const groupName = placement && optionalString(placement, "GroupName", placementField);
  return {
    kind: "instance",
    id,
    name: nameOf(tags),
    region: origin.region,
    accountId: origin.accountId,
    state: lower(nestedEnum(instance, "State", "Name", field)) ?? "unknown",
    instanceType: shared(optionalString(instance, "InstanceType", field)),
    vpcId: shared(optionalString(instance, "VpcId", field)),
    subnetId: shared(optionalString(instance, "SubnetId", field)),
    availabilityZone: placement && shared(optionalString(placement, "AvailabilityZone", placementField)),
    placementGroupName: groupName === "" ? undefined : groupName,
    placementGroupId: (placement && optionalString(placement, "GroupId", placementField)) || undefined,
    partitionNumber: placement && optionalNumber(placement, "PartitionNumber", placementField),
    tenancy: placement && optionalString(placement, "Tenancy", placementField),
    enaSupport: optionalBoolean(instance, "EnaSupport", field),
    networkInterfaces,
    metadataOptions: metadata && {
      httpTokens: lower(optionalString(metadata, "HttpTokens", metadataField)),
      httpEndpoint: lower(optionalString(metadata, "HttpEndpoint", metadataField)),
      hopLimit: optionalNumber(metadata, "HttpPutResponseHopLimit", metadataField),
      state: lower(optionalString(metadata, "State", metadataField)),
    },
    monitoringState: lower(nestedEnum(instance, "Monitoring", "State", field)),
    securityGroupIds: idsOf(list(instance, "SecurityGroups", field), "GroupId"),
    tags,
  };
}

function normalizeAddress(address: Item, origin: Origin, field: string): ElasticIp {
  const allocationId = optionalString(address, "AllocationId", field);
  const publicIp = optionalString(address, "PublicIp", field);
  const id = allocationId ?? publicIp;
  if (!id) throw new InputError("required (neither AllocationId nor PublicIp is set)", { field: join(field, "AllocationId") });
  const tags = tagsOf(address, "Tags", field);
  return {
    kind: "eip",
    id,
    name: nameOf(tags),
    region: origin.region,
    accountId: origin.accountId,
    allocationId,
    publicIp,
    associationId: optionalString(address, "AssociationId", field),
    instanceId: optionalString(address, "InstanceId", field) || undefined,
    networkInterfaceId: optionalString(address, "NetworkInterfaceId", field),
    networkInterfaceOwnerId: shared(optionalString(address, "NetworkInterfaceOwnerId", field)),
    privateIpAddress: optionalString(address, "PrivateIpAddress", field),
    domain: optionalString(address, "Domain", field),
    serviceManaged: optionalString(address, "ServiceManaged", field),
    tags,
  };
}

function normalizeSecurityGroup(group: Item, origin: Origin, field: string): SecurityGroup {
  const id = requiredString(group, "GroupId", field);
  let references: Map<string, SecurityGroupReference> | undefined;
  for (const [key, direction] of [
    ["IpPermissions", "ingress"],
    ["IpPermissionsEgress", "egress"],
  ] as const) {
    list(group, key, field).forEach((permission, index) => {
      const at = `${join(field, key)}[${index}]`;
      for (const pair of list(permission, "UserIdGroupPairs", at)) {
        const groupId = optionalString(pair, "GroupId", at);
        if (!groupId || groupId === id || references?.has(`${direction}/${groupId}`)) continue;
        references ??= new Map();
        references.set(`${direction}/${groupId}`, {
          groupId,
          direction,
          userId: shared(optionalString(pair, "UserId", at)),
          vpcPeeringConnectionId: optionalString(pair, "VpcPeeringConnectionId", at),
        });
      }
    });
  }
  return {
    kind: "security-group",
    id,
    name: optionalString(group, "GroupName", field) ?? id,
    region: origin.region,
    accountId: origin.accountId,
    vpcId: shared(optionalString(group, "VpcId", field)),
    ownerId: shared(optionalString(group, "OwnerId", field)),
    description: optionalString(group, "Description", field),
    references: references ? [...references.values()] : none(),
    tags: tagsOf(group, "Tags", field),
  };
}

function normalizeNetworkInterface(eni: Item, origin: Origin, field: string): NetworkInterface {
  const tags = tagsOf(eni, eni.TagSet === undefined ? "Tags" : "TagSet", field);
  const attachment = optionalObject(eni, "Attachment", field);
  return {
    kind: "network-interface",
    id: requiredString(eni, "NetworkInterfaceId", field),
    name: nameOf(tags),
    region: origin.region,
    accountId: origin.accountId,
    status: lower(optionalString(eni, "Status", field)),
    interfaceType: shared(optionalString(eni, "InterfaceType", field)),
    requesterManaged: optionalBoolean(eni, "RequesterManaged", field),
    description: optionalString(eni, "Description", field),
    ownerId: shared(optionalString(eni, "OwnerId", field)),
    vpcId: shared(optionalString(eni, "VpcId", field)),
    subnetId: shared(optionalString(eni, "SubnetId", field)),
    availabilityZone: shared(optionalString(eni, "AvailabilityZone", field)),
    groupIds: idsOf(list(eni, "Groups", field), "GroupId"),
    attachmentInstanceId: attachment && optionalString(attachment, "InstanceId", join(field, "Attachment")),
    publicIps: publicIpsOf(eni, field),
    tags,
  };
}

function normalizeSubnet(subnet: Item, origin: Origin, field: string): Subnet {
  const tags = tagsOf(subnet, "Tags", field);
  return {
    kind: "subnet",
    id: requiredString(subnet, "SubnetId", field),
    name: nameOf(tags),
    region: origin.region,
    accountId: origin.accountId,
    vpcId: shared(requiredString(subnet, "VpcId", field)),
    availabilityZone: shared(optionalString(subnet, "AvailabilityZone", field)),
    cidrBlock: optionalString(subnet, "CidrBlock", field),
    mapPublicIpOnLaunch: optionalBoolean(subnet, "MapPublicIpOnLaunch", field),
    tags,
  };
}

/** EC2's route keys and the model's, which only lowercase the first letter. */
const ROUTE_FIELDS = (
  [
    "DestinationCidrBlock",
    "DestinationIpv6CidrBlock",
    "DestinationPrefixListId",
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "NetworkInterfaceId",
    "VpcPeeringConnectionId",
    "Origin",
  ] as const
).map((key) => [key, (key.charAt(0).toLowerCase() + key.slice(1)) as keyof Route] as const);

function normalizeRoute(route: Item, field: string): Route {
  const normalized: Route = {};
  for (const [key, modelKey] of ROUTE_FIELDS) {
    const value = optionalString(route, key, field);
    if (value !== undefined) normalized[modelKey] = shared(value);
  }
  const state = lower(optionalString(route, "State", field));
  if (state !== undefined) normalized.state = state;
  return normalized;
}

function normalizeRouteTable(table: Item, origin: Origin, field: string): RouteTable {
  const tags = tagsOf(table, "Tags", field);
  return {
    kind: "route-table",
    id: requiredString(table, "RouteTableId", field),
    name: nameOf(tags),
    region: origin.region,
    accountId: origin.accountId,
    vpcId: shared(requiredString(table, "VpcId", field)),
    routes: list(table, "Routes", field).map((route, index) => normalizeRoute(route, `${join(field, "Routes")}[${index}]`)),
    associations: list(table, "Associations", field).map((association, index) => {
      const at = `${join(field, "Associations")}[${index}]`;
      return {
        main: optionalBoolean(association, "Main", at) ?? false,
        subnetId: shared(optionalString(association, "SubnetId", at)),
        gatewayId: optionalString(association, "GatewayId", at),
        state: lower(nestedEnum(association, "AssociationState", "State", at)),
      };
    }),
    tags,
  };
}

const stringList = (item: Item, key: string, field: string): string[] => {
  const value = item[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) {
    throw new InputError("expected an array of strings", { field: join(field, key) });
  }
  return value as string[];
};

function normalizeVpcEndpoint(endpoint: Item, origin: Origin, field: string): VpcEndpoint {
  const tags = tagsOf(endpoint, "Tags", field);
  return {
    kind: "vpc-endpoint",
    id: requiredString(endpoint, "VpcEndpointId", field),
    name: nameOf(tags),
    region: origin.region,
    accountId: origin.accountId,
    vpcId: shared(requiredString(endpoint, "VpcId", field)),
    // CreateVpcEndpoint's default type is Gateway.
    type: lower(optionalString(endpoint, "VpcEndpointType", field)) ?? "gateway",
    serviceName: requiredString(endpoint, "ServiceName", field),
    state: lower(optionalString(endpoint, "State", field)) ?? "unknown",
    routeTableIds: stringList(endpoint, "RouteTableIds", field),
    subnetIds: stringList(endpoint, "SubnetIds", field),
    privateDnsEnabled: optionalBoolean(endpoint, "PrivateDnsEnabled", field),
    requesterManaged: optionalBoolean(endpoint, "RequesterManaged", field),
    tags,
  };
}

function normalizePrefixList(prefixList: Item, origin: Origin, field: string): PrefixList {
  return {
    kind: "prefix-list",
    id: requiredString(prefixList, "PrefixListId", field),
    name: requiredString(prefixList, "PrefixListName", field),
    region: origin.region,
    accountId: origin.accountId,
  };
}

function normalizeInternetGateway(gateway: Item, origin: Origin, field: string): InternetGateway {
  const tags = tagsOf(gateway, "Tags", field);
  return {
    kind: "internet-gateway",
    id: requiredString(gateway, "InternetGatewayId", field),
    name: nameOf(tags),
    region: origin.region,
    accountId: origin.accountId,
    attachedVpcIds: idsOf(
      list(gateway, "Attachments", field).filter((attachment) => {
        const state = lower(optionalString(attachment, "State", field));
        return state === undefined || state === "available" || state === "attached";
      }),
      "VpcId",
    ),
    tags,
  };
}

function normalizePlacementGroup(group: Item, origin: Origin, field: string): PlacementGroup {
  const name = requiredString(group, "GroupName", field);
  const groupId = optionalString(group, "GroupId", field);
  return {
    kind: "placement-group",
    id: groupId ?? name,
    name,
    groupId,
    region: origin.region,
    accountId: origin.accountId,
    state: lower(optionalString(group, "State", field)) ?? "unknown",
    strategy: lower(requiredString(group, "Strategy", field)) ?? "",
    partitionCount: optionalNumber(group, "PartitionCount", field),
    spreadLevel: lower(optionalString(group, "SpreadLevel", field)),
    tags: tagsOf(group, "Tags", field),
  };
}

function normalizeInstanceType(info: Item, origin: Origin, field: string): InstanceTypeInfo {
  const network = optionalObject(info, "NetworkInfo", field);
  return {
    kind: "instance-type",
    id: requiredString(info, "InstanceType", field),
    region: origin.region,
    accountId: origin.accountId,
    enaSupport: lower(network && optionalString(network, "EnaSupport", join(field, "NetworkInfo"))),
  };
}

/** One item of a kind's response list into its records (a reservation holds any number of instances). */
type ListItemNormalizer<K extends ResourceKind> = (item: Item, origin: Origin) => RecordOfKind<K>[];

const one =
  <K extends ResourceKind>(normalize: (item: Item, origin: Origin, field: string) => RecordOfKind<K>): ListItemNormalizer<K> =>
  (item, origin) => [normalize(item, origin, "")];

/** The normalizer of each kind of lib/model/kinds.ts: a kind without one, or one without its kind, does not typecheck. */
export const NORMALIZERS: { readonly [K in ResourceKind]: ListItemNormalizer<K> } = {
  instance: (reservation, origin) =>
    list(reservation, "Instances", "").map((instance, index) => normalizeInstance(instance, origin, `Instances[${index}]`)),
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
