import { grown } from "../io/text-column";
import { KINDS, RESOURCE_KINDS } from "./kinds";
import { StringTable } from "./string-table";
import type {
  Coverage,
  DeletedResource,
  ElasticIp,
  Instance,
  InstanceTypeInfo,
  InternetGateway,
  NetworkInterface,
  Origin,
  PlacementGroup,
  PrefixList,
  RecordOfKind,
  ResourceKind,
  ResourceRecord,
  RouteTable,
  SecurityGroup,
  SecurityGroupReference,
  Subnet,
  VpcEndpoint,
} from "./types";

/** Kinds whose ids are only unique within a region (names, instance type names). */
const REGIONAL_KINDS: ReadonlySet<ResourceKind> = new Set(RESOURCE_KINDS.filter((kind) => KINDS[kind].regional));

/**
 * A record's identity within its account: its id (with its region, for regional kinds). Two
 * accounts holding the same ids (a shared VPC, copied environments) hold two sets of resources.
 */
const keyInAccount = (kind: ResourceKind, id: string, scope: Origin): string => (REGIONAL_KINDS.has(kind) ? `${scope.region}/${id}` : id);

const deletionKey = (kind: ResourceKind, id: string, scope: Origin): string =>
  `${kind}/${scope.accountId}/${keyInAccount(kind, id, scope)}`;

/** A value per account, made on first use. The account asked for last is kept at hand: records mostly come account by account. */
class PerAccount<T> {
  private readonly values = new Map<string, T>();
  private last?: { accountId: string; value: T };

  constructor(private readonly make: () => T) {}

  /** The account's value, made if it has none. */
  of(accountId: string): T {
    let last = this.last;
    if (last?.accountId !== accountId) {
      let value = this.values.get(accountId);
      if (value === undefined) {
        value = this.make();
        this.values.set(accountId, value);
      }
      last = { accountId, value };
      this.last = last;
    }
    return last.value;
  }

  /** The account's value, if it has one. */
  get(accountId: string): T | undefined {
    return this.values.get(accountId);
  }

  all(): Iterable<T> {
    return this.values.values();
  }
}

/**
 * Values by account, then by a key within it (an id, mostly): neither a record nor a lookup
 * builds a key string, and the ids parsed once are the keys. Most models hold one account.
 */
class ByAccount<V> {
  private readonly accounts = new PerAccount(() => new Map<string, V>());

  get(accountId: string, key: string): V | undefined {
    return this.accounts.get(accountId)?.get(key);
  }

  set(accountId: string, key: string, value: V): void {
    this.accounts.of(accountId).set(key, value);
  }

  inAccount(accountId: string): Map<string, V> {
    return this.accounts.of(accountId);
  }

  maps(): Iterable<Map<string, V>> {
    return this.accounts.all();
  }
}

function push<V>(index: ByAccount<V[]>, accountId: string, key: string, value: V): void {
  const keys = index.inAccount(accountId);
  const list = keys.get(key);
  if (list) list.push(value);
  else keys.set(key, [value]);
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Copies each list that push grew to its exact length: push leaves room for half as many again
 * plus 16, and an index holds a list per group, VPC or table for as long as the model lives.
 */
function trimLists<V>(index: ByAccount<V[]>): ByAccount<V[]> {
  for (const keys of index.maps()) for (const [key, list] of keys) if (list.length > 1) keys.set(key, list.slice());
  return index;
}

/** The version of a record or deletion given none: older than any given one. */
const UNVERSIONED = Number.NEGATIVE_INFINITY;

/**
 * The records of one kind in the order first added, each found by account and id. A later copy
 * of a resource takes the earlier one's place unless it is an older version. A deleted one leaves
 * a hole until build(); the hole keeps the deletion's version, and a later copy goes after the others.
 *
 * Records are placed (found by id, a copy put in its original's place) in one pass when the
 * model is built, or from the first deletion on, rather than one by one between the reader's
 * parses: at a million records the one pass is 0.2 s faster (the table of ids stays in the CPU's
 * caches, most likely, instead of being evicted by each parse).
 */
class KindRecords {
  list: (ResourceRecord | undefined)[] = [];
  /** Each account's keys, with the position in `list` of each. */
  private positions = newPositions();
  /** The version of each position of `list`: numbers, not objects, so that a million records cost no allocation here. */
  private versions: number[] = [];
  private holes = 0;
  /** Records (and their versions) added and not yet placed. */
  private unplaced: ResourceRecord[] = [];
  private unplacedVersions: number[] = [];
  /** Whether records are placed as they are added: from the first deletion on, whose outcome depends on them. */
  private placing = false;

  /** The position in `list` of a resource, or -1. */
  positionOf(accountId: string, key: string): number {
    return this.positions.get(accountId)?.get(key) ?? -1;
  }

  /**
   * Whether the record undid a deletion of the resource. Until the first deletion of this kind
   * there is none to undo, and the record waits to be placed.
   */
  add(record: ResourceRecord, version: number): boolean {
    if (!this.placing) {
      this.unplaced.push(record);
      this.unplacedVersions.push(version);
      return false;
    }
    return this.place(record, version) === "undeleted";
  }

  /** Places every record added so far, and each one added from now on as it comes. */
  private placeAll(): void {
    if (this.placing) return;
    this.placing = true;
    const records = this.unplaced;
    const versions = this.unplacedVersions;
    this.unplaced = [];
    this.unplacedVersions = [];
    for (let at = 0; at < records.length; at++) this.place(records[at] as ResourceRecord, versions[at] as number);
  }

  /** Whether the record went in, as a new one (not replacing, or after a deletion) or in place of an older version. */
  private place(record: ResourceRecord, version: number): "added" | "undeleted" | "older" {
    const positions = this.positions.of(record.accountId);
    const end = this.list.length;
    const entry = positions.add(keyInAccount(record.kind, record.id, record), end);
    const at = positions.valueAt(entry);
    if (at !== end) {
      if ((this.versions[at] as number) > version) return "older";
      if (this.list[at] !== undefined) {
        this.list[at] = record;
        this.versions[at] = version;
        return "added";
      }
      positions.setValueAt(entry, end);
    }
    this.list.push(record);
    this.versions.push(version);
    return at === end ? "added" : "undeleted";
  }

  /** Whether the deletion holds (no later version of the resource was added). */
  delete(kind: ResourceKind, id: string, scope: Origin, version: number): boolean {
    this.placeAll();
    const positions = this.positions.of(scope.accountId);
    const end = this.list.length;
    const at = positions.valueAt(positions.add(keyInAccount(kind, id, scope), end));
    if (at === end) {
      // Nothing to remove yet: the hole keeps the version, so that an older copy read later stays out.
      this.list.push(undefined);
      this.versions.push(version);
      this.holes++;
      return true;
    }
    if ((this.versions[at] as number) > version) return false;
    if (this.list[at] !== undefined) {
      this.list[at] = undefined;
      this.holes++;
    }
    this.versions[at] = version;
    return true;
  }

  /** Places the records, then closes the holes deletions left (rare: only AWS Config inputs delete). */
  build(): void {
    this.placeAll();
    if (this.holes === 0) return;
    const records = this.list.filter((record) => record !== undefined);
    const versions = this.versions.filter((_, at) => this.list[at] !== undefined);
    this.list = [];
    this.versions = [];
    this.positions = newPositions();
    this.holes = 0;
    for (let at = 0; at < records.length; at++) this.place(records[at] as ResourceRecord, versions[at] as number);
  }
}

const newPositions = (): PerAccount<StringTable> => new PerAccount(() => new StringTable());

/** A subnet's effective route table: its explicit association, else its VPC's main table. */
export interface EffectiveRouteTable {
  table: RouteTable;
  explicit: boolean;
}

/**
 * Accumulates normalized records one at a time (so sources can stream) and the coverage of
 * what was collected, then freezes them into a {@link ResourceModel}.
 */
export class ModelBuilder {
  private readonly records = new Map<ResourceKind, KindRecords>();
  private readonly coverage: Coverage = { scopes: new Map(), collected: new Map(), gaps: new Map() };
  private readonly deleted = new Map<string, DeletedResource>();

  /**
   * Adds a record: a later copy of the same resource (history files, several snapshots) replaces
   * the earlier one and undoes its deletion, unless the copy is an older version (`version`: an
   * AWS Config item's capture time; of two equal, the one added last wins; none is older than any).
   */
  add(record: ResourceRecord, version = UNVERSIONED): this {
    if (this.recordsOf(record.kind).add(record, version)) this.deleted.delete(deletionKey(record.kind, record.id, record));
    return this;
  }

  /**
   * Drops a resource that a source says is gone (a ResourceDeleted configuration item), and keeps
   * the deletion, unless a later version of it was added (see add).
   */
  markDeleted(resource: DeletedResource, version = UNVERSIONED): this {
    if (this.recordsOf(resource.kind).delete(resource.kind, resource.id, resource, version)) {
      this.deleted.set(deletionKey(resource.kind, resource.id, resource), resource);
    }
    return this;
  }

  private recordsOf(kind: ResourceKind): KindRecords {
    let records = this.records.get(kind);
    if (!records) {
      records = new KindRecords();
      this.records.set(kind, records);
    }
    return records;
  }

  /** Says that every resource of `kind` in this account and region was read. */
  markCollected(scope: Origin, kind: ResourceKind): this {
    const key = scopeKey(scope);
    this.coverage.scopes.set(key, { region: scope.region, accountId: scope.accountId });
    let kinds = this.coverage.collected.get(key);
    if (!kinds) {
      kinds = new Set();
      this.coverage.collected.set(key, kinds);
    }
    kinds.add(kind);
    this.coverage.gaps.get(key)?.delete(kind);
    return this;
  }

  /**
   * Says that what was read of `kind` in this account and region is incomplete (a truncated
   * listing), whatever another source supplied: its resources may have changed since.
   */
  markIncomplete(scope: Origin, kind: ResourceKind, reason: string): this {
    this.coverage.collected.get(scopeKey(scope))?.delete(kind);
    this.coverage.gaps.get(scopeKey(scope))?.delete(kind);
    return this.markGap(scope, kind, reason);
  }

  /** Records why a kind is missing in an account and region, unless another source supplied it. */
  markGap(scope: Origin, kind: ResourceKind, reason: string): this {
    const key = scopeKey(scope);
    this.coverage.scopes.set(key, { region: scope.region, accountId: scope.accountId });
    if (this.coverage.collected.get(key)?.has(kind)) return this;
    let gaps = this.coverage.gaps.get(key);
    if (!gaps) {
      gaps = new Map();
      this.coverage.gaps.set(key, gaps);
    }
    if (!gaps.has(kind)) gaps.set(kind, reason);
    return this;
  }

  build(): ResourceModel {
    for (const records of this.records.values()) records.build();
    return new ResourceModel(this.records, this.coverage, [...this.deleted.values()]);
  }
}

/**
 * The resources of any number of accounts and regions, indexed by id and by the relations the
 * rules follow, so that no rule scans one list inside another. Every lookup is within an account
 * (a record's own, given as `scope`): a relation in one account never serves another's resource.
 * Immutable once built.
 */
export class ResourceModel {
  /**
   * The relation indexes, each built on its first use: a run of one rule (a Lambda, `--rule`)
   * builds only the ones that rule follows.
   */
  private readonly indexes: Partial<Indexes> = {};

  constructor(
    private readonly byKind: ReadonlyMap<ResourceKind, KindRecords>,
    readonly coverage: Coverage,
    /** Resources the inputs say were deleted: no rule judges them, each is NOT_APPLICABLE. */
    readonly deleted: readonly DeletedResource[] = EMPTY,
  ) {}

  private index<K extends keyof Indexes>(name: K): Indexes[K] {
    let index = this.indexes[name];
    if (index === undefined) {
      index = INDEX_BUILDERS[name](this);
      this.indexes[name] = index;
    }
    return index as Indexes[K];
  }

  /** Every record of a kind, in insertion order. */
  all<K extends ResourceKind>(kind: K): Iterable<RecordOfKind<K>> {
    return (this.byKind.get(kind)?.list ?? EMPTY) as readonly RecordOfKind<K>[];
  }

  count(kind: ResourceKind): number {
    return this.byKind.get(kind)?.list.length ?? 0;
  }

  /** The record of `kind` with this id in the scope's account (and region, for regional kinds). */
  get<K extends ResourceKind>(kind: K, id: string, scope: Origin): RecordOfKind<K> | undefined {
    const at = this.positionOf(kind, id, scope);
    return (at < 0 ? undefined : this.byKind.get(kind)?.list[at]) as RecordOfKind<K> | undefined;
  }

  /** Where that record is in all(kind), or -1. */
  positionOf(kind: ResourceKind, id: string, scope: Origin): number {
    return this.byKind.get(kind)?.positionOf(scope.accountId, keyInAccount(kind, id, scope)) ?? -1;
  }

  /** Every account and region that a source read from, sorted. */
  scopes(): Origin[] {
    return [...this.coverage.scopes.values()].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  }

  /** Whether `kind` was fully collected in this account and region; if not, no rule may judge there. */
  hasCollected(scope: Origin, kind: ResourceKind): boolean {
    return this.coverage.collected.get(scopeKey(scope))?.has(kind) ?? false;
  }

  gapReason(scope: Origin, kind: ResourceKind): string | undefined {
    return this.coverage.gaps.get(scopeKey(scope))?.get(kind);
  }

  /** The network interfaces that use a security group of the model (none for a group it does not hold). */
  networkInterfacesUsingGroup(groupId: string, scope: Origin): readonly NetworkInterface[] {
    const at = this.positionOf("security-group", groupId, scope);
    return membersAt(this.index("enisBySecurityGroup"), at, this.all("network-interface") as readonly NetworkInterface[]);
  }

  /** Other groups whose ingress or egress rules point at `groupId`, a group of the model. */
  groupsReferencing(groupId: string, scope: Origin): readonly { fromGroupId: string; reference: SecurityGroupReference }[] {
    const references = this.index("referencesToGroup");
    return membersAt(references, this.positionOf("security-group", groupId, scope), references.items);
  }

  /** The route table a subnet uses: its explicit association, else the main table of its VPC. */
  routeTableForSubnet(subnetId: string, scope: Origin, vpcId?: string): EffectiveRouteTable | undefined {
    const explicit = this.index("explicitTableBySubnet").get(scope.accountId, subnetId);
    if (explicit) return { table: explicit, explicit: true };
    const vpc = vpcId ?? this.get("subnet", subnetId, scope)?.vpcId;
    const main = vpc === undefined ? undefined : this.index("mainTableByVpc").get(scope.accountId, vpc);
    return main ? { table: main, explicit: false } : undefined;
  }

  /** The subnets that use a route table, explicitly or (for a main table) implicitly. */
  subnetsUsingRouteTable(routeTableId: string, scope: Origin): readonly { subnet: Subnet; explicit: boolean }[] {
    return this.index("subnetsByTable").get(scope.accountId, routeTableId) ?? EMPTY;
  }

  mainRouteTable(vpcId: string, scope: Origin): RouteTable | undefined {
    return this.index("mainTableByVpc").get(scope.accountId, vpcId);
  }

  subnetsInVpc(vpcId: string, scope: Origin): readonly Subnet[] {
    return this.index("subnetsByVpc").get(scope.accountId, vpcId) ?? EMPTY;
  }

  endpointsInVpc(vpcId: string, scope: Origin): readonly VpcEndpoint[] {
    return this.index("endpointsByVpc").get(scope.accountId, vpcId) ?? EMPTY;
  }

  internetGatewaysOfVpc(vpcId: string, scope: Origin): readonly InternetGateway[] {
    return this.index("internetGatewaysByVpc").get(scope.accountId, vpcId) ?? EMPTY;
  }

  prefixList(id: string, scope: Origin): PrefixList | undefined {
    return this.index("prefixListsById").get(scope.accountId, id);
  }

  /** Members of a placement group, matched by name (and by id for instances that carry only the id). */
  instancesInPlacementGroup(group: PlacementGroup): readonly Instance[] {
    const byName = this.index("instancesByPlacementGroup").get(group.accountId, placementKey(group, "name", group.name)) ?? EMPTY;
    const byId = group.groupId
      ? (this.index("instancesByPlacementGroup").get(group.accountId, placementKey(group, "id", group.groupId)) ?? EMPTY)
      : EMPTY;
    return byId.length === 0 ? byName : [...byName, ...byId];
  }

  instanceType(scope: Origin, instanceType: string): InstanceTypeInfo | undefined {
    return this.get("instance-type", instanceType, scope);
  }

  elasticIp(id: string, scope: Origin): ElasticIp | undefined {
    return this.get("eip", id, scope);
  }

  securityGroup(id: string, scope: Origin): SecurityGroup | undefined {
    return this.get("security-group", id, scope);
  }
}

export const scopeKey = (scope: Origin): string => `${scope.accountId}/${scope.region}`;

/** Placement groups are named per account and region (the account is the index's first key). */
const placementKey = (scope: Origin, by: "name" | "id", value: string): string => `${scope.region}/${by}/${value}`;

/**
 * The positions of the records that point at each record of a kind, all in one array: those
 * pointing at the record at position `at` are `members[offsets[at]]` up to `members[offsets[at + 1]]`.
 * Typed arrays, not a list per record: the ENIs by group index would otherwise hold a hundred
 * thousand lists at a million resources, which the garbage collector walks for as long as the model lives.
 */
interface Members {
  offsets: Int32Array;
  members: Int32Array;
}

/**
 * Members from `counts` (the number of members of the record at position `at` in
 * `counts[at + 1]`), filled in the order `each` gives them.
 */
function membersByPosition(counts: Int32Array, each: (fill: (at: number, member: number) => void) => void): Members {
  const offsets = counts;
  for (let at = 1; at < offsets.length; at++) offsets[at] = (offsets[at] as number) + (offsets[at - 1] as number);
  const members = new Int32Array(offsets[offsets.length - 1] as number);
  const next = offsets.slice(0, -1);
  each((at, member) => {
    members[next[at] as number] = member;
    next[at] = (next[at] as number) + 1;
  });
  return { offsets, members };
}

/** Members that are items, not records of the model: `members` holds positions in `items`. */
interface ItemsByPosition<V> extends Members {
  items: readonly V[];
}

/**
 * Groups items by the record of `kind` each names, found by account and id, each record's in the
 * order they were added.
 */
function itemsByPosition<V>(
  model: ResourceModel,
  kind: ResourceKind,
  each: (add: (scope: Origin, id: string, item: V) => void) => void,
): ItemsByPosition<V> {
  const positions: number[] = [];
  const items: V[] = [];
  const counts = new Int32Array(model.count(kind) + 1);
  each((scope, id, item) => {
    const at = model.positionOf(kind, id, scope);
    if (at < 0) return;
    positions.push(at);
    items.push(item);
    counts[at + 1] = (counts[at + 1] as number) + 1;
  });
  const members = membersByPosition(counts, (fill) => {
    for (let item = 0; item < items.length; item++) fill(positions[item] as number, item);
  });
  return { ...members, items };
}

/** The members of the record at position `at` (-1: a record the model does not hold, so none), taken from `items`. */
function membersAt<V>({ offsets, members }: Members, at: number, items: readonly V[]): readonly V[] {
  if (at < 0) return EMPTY;
  const start = offsets[at] as number;
  const count = (offsets[at + 1] as number) - start;
  if (count === 0) return EMPTY;
  const list = new Array<V>(count);
  for (let member = 0; member < count; member++) list[member] = items[members[start + member] as number] as V;
  return list;
}

/**
 * The positions of the groups each list of group ids names (-1 for a group the model does not
 * hold), one flat array for all lists. Interfaces share their lists of group ids (the EC2 adapter
 * gives equal lists once), so each list is looked up once per account, not once per interface:
 * group ids are unique within an account, whatever the region.
 */
class GroupPositions {
  positions = new Int32Array(1024);
  private used = 0;
  private readonly starts = new PerAccount(() => new Map<readonly string[], number>());

  constructor(private readonly model: ResourceModel) {}

  /** Where the positions of `groupIds`, named by a record of `scope`, start in `positions`. */
  startOf(groupIds: readonly string[], scope: Origin): number {
    const starts = this.starts.of(scope.accountId);
    const known = starts.get(groupIds);
    if (known !== undefined) return known;
    const start = this.used;
    if (start + groupIds.length > this.positions.length) {
      this.positions = grown(this.positions, new Int32Array(Math.max(this.positions.length * 2, start + groupIds.length)));
    }
    for (const groupId of groupIds) this.positions[this.used++] = this.model.positionOf("security-group", groupId, scope);
    starts.set(groupIds, start);
    return start;
  }
}

interface Indexes {
  enisBySecurityGroup: Members;
  referencesToGroup: ItemsByPosition<{ fromGroupId: string; reference: SecurityGroupReference }>;
  explicitTableBySubnet: ByAccount<RouteTable>;
  mainTableByVpc: ByAccount<RouteTable>;
  subnetsByVpc: ByAccount<Subnet[]>;
  subnetsByTable: ByAccount<{ subnet: Subnet; explicit: boolean }[]>;
  endpointsByVpc: ByAccount<VpcEndpoint[]>;
  internetGatewaysByVpc: ByAccount<InternetGateway[]>;
  instancesByPlacementGroup: ByAccount<Instance[]>;
  prefixListsById: ByAccount<PrefixList>;
}

/** How each relation index is built from the records, keyed within the account of the record that points. */
const INDEX_BUILDERS: { readonly [K in keyof Indexes]: (model: ResourceModel) => Indexes[K] } = {
  enisBySecurityGroup(model) {
    const enis = model.all("network-interface") as readonly NetworkInterface[];
    const groups = new GroupPositions(model);
    // Where each interface's groups are in `groups.positions`, so that the second pass reads neither records nor lookups.
    const starts = new Int32Array(enis.length);
    const ends = new Int32Array(enis.length);
    const counts = new Int32Array(model.count("security-group") + 1);
    for (let eni = 0; eni < enis.length; eni++) {
      const { groupIds } = enis[eni] as NetworkInterface;
      const start = groups.startOf(groupIds, enis[eni] as NetworkInterface);
      starts[eni] = start;
      ends[eni] = start + groupIds.length;
      for (let at = start; at < start + groupIds.length; at++) {
        const group = groups.positions[at] as number;
        if (group >= 0) counts[group + 1] = (counts[group + 1] as number) + 1;
      }
    }
    return membersByPosition(counts, (fill) => {
      for (let eni = 0; eni < enis.length; eni++) {
        for (let at = starts[eni] as number; at < (ends[eni] as number); at++) {
          const group = groups.positions[at] as number;
          if (group >= 0) fill(group, eni);
        }
      }
    });
  },
  referencesToGroup(model) {
    return itemsByPosition(model, "security-group", (add) => {
      for (const group of model.all("security-group")) {
        for (const reference of group.references) add(group, reference.groupId, { fromGroupId: group.id, reference });
      }
    });
  },
  explicitTableBySubnet(model) {
    const index = new ByAccount<RouteTable>();
    for (const table of model.all("route-table")) {
      for (const association of table.associations) {
        if (isLive(association.state) && association.subnetId) index.set(table.accountId, association.subnetId, table);
      }
    }
    return index;
  },
  mainTableByVpc(model) {
    const index = new ByAccount<RouteTable>();
    for (const table of model.all("route-table")) {
      for (const association of table.associations)
        if (isLive(association.state) && association.main) index.set(table.accountId, table.vpcId, table);
    }
    return index;
  },
  subnetsByVpc(model) {
    const index = new ByAccount<Subnet[]>();
    for (const subnet of model.all("subnet")) push(index, subnet.accountId, subnet.vpcId, subnet);
    return trimLists(index);
  },
  subnetsByTable(model) {
    const index: Indexes["subnetsByTable"] = new ByAccount();
    for (const subnet of model.all("subnet")) {
      const effective = model.routeTableForSubnet(subnet.id, subnet, subnet.vpcId);
      if (effective) push(index, subnet.accountId, effective.table.id, { subnet, explicit: effective.explicit });
    }
    return trimLists(index);
  },
  endpointsByVpc(model) {
    const index = new ByAccount<VpcEndpoint[]>();
    for (const endpoint of model.all("vpc-endpoint")) push(index, endpoint.accountId, endpoint.vpcId, endpoint);
    return trimLists(index);
  },
  internetGatewaysByVpc(model) {
    const index = new ByAccount<InternetGateway[]>();
    for (const gateway of model.all("internet-gateway")) {
      for (const vpcId of gateway.attachedVpcIds) push(index, gateway.accountId, vpcId, gateway);
    }
    return trimLists(index);
  },
  instancesByPlacementGroup(model) {
    const index = new ByAccount<Instance[]>();
    for (const instance of model.all("instance")) {
      if (instance.placementGroupName) {
        push(index, instance.accountId, placementKey(instance, "name", instance.placementGroupName), instance);
      } else if (instance.placementGroupId) {
        push(index, instance.accountId, placementKey(instance, "id", instance.placementGroupId), instance);
      }
    }
    return trimLists(index);
  },
  prefixListsById(model) {
    const index = new ByAccount<PrefixList>();
    for (const list of model.all("prefix-list")) index.set(list.accountId, list.id, list);
    return index;
  },
};

const isLive = (state: string | undefined): boolean => state === undefined || state === "associated" || state === "associating";
