import { KINDS, RESOURCE_KINDS } from "./kinds";
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
 * A record's identity: its id within its account (and region, for regional kinds). Two accounts
 * holding the same ids (a shared VPC, copied environments) hold two sets of resources.
 */
const keyOf = (kind: ResourceKind, id: string, scope: Origin): string =>
  REGIONAL_KINDS.has(kind) ? `${scope.accountId}/${scope.region}/${id}` : `${scope.accountId}/${id}`;

/** A relation's key: the id it points at, within the account of the record that points. */
const inAccount = (scope: Origin, id: string): string => `${scope.accountId}/${id}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Copies each list that push grew to its exact length: push leaves room for half as many again
 * plus 16, and an index holds a list per group, VPC or table for as long as the model lives.
 */
function trimLists(index: Map<string, unknown[]>): void {
  for (const [key, list] of index) if (list.length > 1) index.set(key, list.slice());
}

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
  private readonly records = new Map<ResourceKind, Map<string, ResourceRecord>>();
  private readonly coverage: Coverage = { scopes: new Map(), collected: new Map(), gaps: new Map() };
  private readonly deleted = new Map<string, DeletedResource>();

  add(record: ResourceRecord): this {
    let byId = this.records.get(record.kind);
    if (!byId) {
      byId = new Map();
      this.records.set(record.kind, byId);
    }
    // A later copy of the same resource (history files, several snapshots) replaces the earlier one.
    byId.set(keyOf(record.kind, record.id, record), record);
    return this;
  }

  /** Drops a resource that a later source says is gone (a ResourceDeleted configuration item), and keeps the deletion. */
  markDeleted(resource: DeletedResource): this {
    const key = keyOf(resource.kind, resource.id, resource);
    this.records.get(resource.kind)?.delete(key);
    this.deleted.set(`${resource.kind}/${key}`, resource);
    return this;
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
  private readonly enisBySecurityGroup = new Map<string, NetworkInterface[]>();
  private readonly referencesToGroup = new Map<
    string,
    { fromGroupId: string; reference: SecurityGroupReference }[]
  >();
  private readonly explicitTableBySubnet = new Map<string, RouteTable>();
  private readonly mainTableByVpc = new Map<string, RouteTable>();
  private readonly subnetsByVpc = new Map<string, Subnet[]>();
  private readonly endpointsByVpc = new Map<string, VpcEndpoint[]>();
  private readonly internetGatewaysByVpc = new Map<string, InternetGateway[]>();
  private readonly instancesByPlacementGroup = new Map<string, Instance[]>();
  private readonly prefixListsById = new Map<string, PrefixList>();
  private readonly subnetsByTable = new Map<string, { subnet: Subnet; explicit: boolean }[]>();

  constructor(
    private readonly byKind: Map<ResourceKind, Map<string, ResourceRecord>>,
    readonly coverage: Coverage,
    /** Resources the inputs say were deleted: no rule judges them, each is NOT_APPLICABLE. */
    readonly deleted: readonly DeletedResource[] = EMPTY,
  ) {
    for (const eni of this.all("network-interface")) {
      for (const groupId of eni.groupIds) push(this.enisBySecurityGroup, inAccount(eni, groupId), eni);
    }
    for (const group of this.all("security-group")) {
      for (const reference of group.references) {
        push(this.referencesToGroup, inAccount(group, reference.groupId), { fromGroupId: group.id, reference });
      }
    }
    for (const table of this.all("route-table")) {
      for (const association of table.associations) {
        if (!isLive(association.state)) continue;
        if (association.main) this.mainTableByVpc.set(inAccount(table, table.vpcId), table);
        if (association.subnetId) this.explicitTableBySubnet.set(inAccount(table, association.subnetId), table);
      }
    }
    for (const subnet of this.all("subnet")) {
      push(this.subnetsByVpc, inAccount(subnet, subnet.vpcId), subnet);
      const effective = this.routeTableForSubnet(subnet.id, subnet, subnet.vpcId);
      if (effective) push(this.subnetsByTable, inAccount(subnet, effective.table.id), { subnet, explicit: effective.explicit });
    }
    for (const endpoint of this.all("vpc-endpoint")) push(this.endpointsByVpc, inAccount(endpoint, endpoint.vpcId), endpoint);
    for (const gateway of this.all("internet-gateway")) {
      for (const vpcId of gateway.attachedVpcIds) push(this.internetGatewaysByVpc, inAccount(gateway, vpcId), gateway);
    }
    for (const instance of this.all("instance")) {
      if (instance.placementGroupName) {
        push(this.instancesByPlacementGroup, placementKey(instance, "name", instance.placementGroupName), instance);
      } else if (instance.placementGroupId) {
        push(this.instancesByPlacementGroup, placementKey(instance, "id", instance.placementGroupId), instance);
      }
    }
    for (const list of this.all("prefix-list")) this.prefixListsById.set(inAccount(list, list.id), list);
    for (const index of [
      this.enisBySecurityGroup,
      this.referencesToGroup,
      this.subnetsByVpc,
      this.endpointsByVpc,
      this.internetGatewaysByVpc,
      this.instancesByPlacementGroup,
      this.subnetsByTable,
    ] as Map<string, unknown[]>[]) {
      trimLists(index);
    }
  }

  /** Every record of a kind, in insertion order. */
  all<K extends ResourceKind>(kind: K): Iterable<RecordOfKind<K>> {
    const byId = this.byKind.get(kind);
    return (byId ? byId.values() : EMPTY) as Iterable<RecordOfKind<K>>;
  }

  count(kind: ResourceKind): number {
    return this.byKind.get(kind)?.size ?? 0;
  }

  /** The record of `kind` with this id in the scope's account (and region, for regional kinds). */
  get<K extends ResourceKind>(kind: K, id: string, scope: Origin): RecordOfKind<K> | undefined {
    return this.byKind.get(kind)?.get(keyOf(kind, id, scope)) as RecordOfKind<K> | undefined;
  }

  /** Every account and region that a source read from, sorted. */
  scopes(): Origin[] {
    return [...this.coverage.scopes.values()].sort(
      (a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region),
    );
  }

  /** Whether `kind` was fully collected in this account and region; if not, no rule may judge there. */
  hasCollected(scope: Origin, kind: ResourceKind): boolean {
    return this.coverage.collected.get(scopeKey(scope))?.has(kind) ?? false;
  }

  gapReason(scope: Origin, kind: ResourceKind): string | undefined {
    return this.coverage.gaps.get(scopeKey(scope))?.get(kind);
  }

  networkInterfacesUsingGroup(groupId: string, scope: Origin): readonly NetworkInterface[] {
    return this.enisBySecurityGroup.get(inAccount(scope, groupId)) ?? EMPTY;
  }

  /** Other groups whose ingress or egress rules point at `groupId`. */
  groupsReferencing(groupId: string, scope: Origin): readonly { fromGroupId: string; reference: SecurityGroupReference }[] {
    return this.referencesToGroup.get(inAccount(scope, groupId)) ?? EMPTY;
  }

  /** The route table a subnet uses: its explicit association, else the main table of its VPC. */
  routeTableForSubnet(subnetId: string, scope: Origin, vpcId?: string): EffectiveRouteTable | undefined {
    const explicit = this.explicitTableBySubnet.get(inAccount(scope, subnetId));
    if (explicit) return { table: explicit, explicit: true };
    const vpc = vpcId ?? this.get("subnet", subnetId, scope)?.vpcId;
    const main = vpc === undefined ? undefined : this.mainTableByVpc.get(inAccount(scope, vpc));
    return main ? { table: main, explicit: false } : undefined;
  }

  /** The subnets that use a route table, explicitly or (for a main table) implicitly. */
  subnetsUsingRouteTable(routeTableId: string, scope: Origin): readonly { subnet: Subnet; explicit: boolean }[] {
    return this.subnetsByTable.get(inAccount(scope, routeTableId)) ?? EMPTY;
  }

  mainRouteTable(vpcId: string, scope: Origin): RouteTable | undefined {
    return this.mainTableByVpc.get(inAccount(scope, vpcId));
  }

  subnetsInVpc(vpcId: string, scope: Origin): readonly Subnet[] {
    return this.subnetsByVpc.get(inAccount(scope, vpcId)) ?? EMPTY;
  }

  endpointsInVpc(vpcId: string, scope: Origin): readonly VpcEndpoint[] {
    return this.endpointsByVpc.get(inAccount(scope, vpcId)) ?? EMPTY;
  }

  internetGatewaysOfVpc(vpcId: string, scope: Origin): readonly InternetGateway[] {
    return this.internetGatewaysByVpc.get(inAccount(scope, vpcId)) ?? EMPTY;
  }

  prefixList(id: string, scope: Origin): PrefixList | undefined {
    return this.prefixListsById.get(inAccount(scope, id));
  }

  /** Members of a placement group, matched by name (and by id for instances that carry only the id). */
  instancesInPlacementGroup(group: PlacementGroup): readonly Instance[] {
    const byName = this.instancesByPlacementGroup.get(placementKey(group, "name", group.name)) ?? EMPTY;
    const byId = group.groupId
      ? (this.instancesByPlacementGroup.get(placementKey(group, "id", group.groupId)) ?? EMPTY)
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

/** Placement groups are named per account and region. */
const placementKey = (scope: Origin, by: "name" | "id", value: string): string => `${scopeKey(scope)}/${by}/${value}`;

const isLive = (state: string | undefined): boolean =>
  state === undefined || state === "associated" || state === "associating";
