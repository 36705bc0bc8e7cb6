import {
  type _InstanceType,
  DescribeAddressesCommand,
  DescribePlacementGroupsCommand,
  type EC2Client,
  type Filter,
  paginateDescribeInstances,
  paginateDescribeInstanceTypes,
  paginateDescribeInternetGateways,
  paginateDescribeNetworkInterfaces,
  paginateDescribePrefixLists,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
} from "@aws-sdk/client-ec2";
import { EC2_OPERATIONS, type Ec2Operation, KINDS } from "../model/kinds";
import type { ModelBuilder } from "../model/resource-model";
import type { Origin, ResourceKind, ResourceRecord } from "../model/types";
import { normalizeEc2Item } from "../sources/ec2-adapter";

/** What to read of one kind: everything (no filters), or only what matches the filters / names. */
export interface Query {
  filters?: Filter[];
  /** DescribeInstanceTypes only: the type names to describe. */
  instanceTypes?: string[];
}

/** A Describe* call that still failed after the SDK's retries. Never turned into a verdict. */
export class CollectionError extends Error {
  constructor(
    readonly operation: Ec2Operation,
    readonly scope: Origin,
    override readonly cause: unknown,
  ) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`ec2:${operation} failed in ${scope.accountId}/${scope.region} after retries: ${detail}`);
    this.name = "CollectionError";
  }
}

type Page = object;

/**
 * The pages of one operation, each page one request, at the largest page size the API allows
 * (lib/model/kinds.ts; an operation without one is not paginated and returns everything at once).
 */
export function pagesOf(ec2: EC2Client, operation: Ec2Operation, query: Query): AsyncIterable<Page> {
  const { pageSize } = EC2_OPERATIONS[operation];
  const config = { client: ec2, pageSize };
  const Filters = query.filters;
  switch (operation) {
    case "DescribeInstances":
      return paginateDescribeInstances(config, { Filters });
    case "DescribeSecurityGroups":
      return paginateDescribeSecurityGroups(config, { Filters });
    case "DescribeNetworkInterfaces":
      return paginateDescribeNetworkInterfaces(config, { Filters });
    case "DescribeSubnets":
      return paginateDescribeSubnets(config, { Filters });
    case "DescribeRouteTables":
      return paginateDescribeRouteTables(config, { Filters });
    case "DescribeVpcEndpoints":
      return paginateDescribeVpcEndpoints(config, { Filters });
    case "DescribePrefixLists":
      return paginateDescribePrefixLists(config, { Filters });
    case "DescribeInternetGateways":
      return paginateDescribeInternetGateways(config, { Filters });
    case "DescribeInstanceTypes":
      return paginateDescribeInstanceTypes(config, {
        Filters,
        InstanceTypes: query.instanceTypes as _InstanceType[] | undefined,
      });
    case "DescribeAddresses":
      return single(() => ec2.send(new DescribeAddressesCommand({ Filters })));
    case "DescribePlacementGroups":
      return single(() => ec2.send(new DescribePlacementGroupsCommand({ Filters })));
  }
}

async function* single(call: () => Promise<object>): AsyncIterable<Page> {
  yield await call();
}

export interface CollectOptions {
  ec2: EC2Client;
  scope: Origin;
  builder: ModelBuilder;
}

/** Reads every item one query returns into the builder; returns the records added. */
export async function collectQuery(kind: ResourceKind, query: Query, { ec2, scope, builder }: CollectOptions): Promise<ResourceRecord[]> {
  const { operation, listKey } = KINDS[kind];
  const added: ResourceRecord[] = [];
  const pages = pagesOf(ec2, operation, query)[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Page>;
    try {
      next = await pages.next();
    } catch (error) {
      throw new CollectionError(operation, scope, error);
    }
    if (next.done) break;
    const items = (next.value as Record<string, unknown>)[listKey];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      for (const record of normalizeEc2Item(operation, item, scope)) {
        builder.add(record);
        added.push(record);
      }
    }
  }
  return added;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** The instance types of the given instances, described by name (one request per 100 names). */
async function collectInstanceTypesOf(instances: readonly ResourceRecord[], options: CollectOptions): Promise<void> {
  const names = new Set<string>();
  for (const record of instances) {
    if (record.kind === "instance" && record.instanceType) names.add(record.instanceType);
  }
  const { namesPerRequest = 1 } = KINDS["instance-type"];
  for (const batch of chunks([...names].sort(), namesPerRequest)) {
    await collectQuery("instance-type", { instanceTypes: batch }, options);
  }
}

/**
 * Collects every resource of the given kinds in one account and region, each kind with its own
 * paginated walk, all walks at once. Instance types are described only for the types the
 * instances use, when instances are collected too. Any call that still fails after the SDK's
 * retries rejects the whole collection, so the model is either complete or not built at all.
 */
export async function collectAll(kinds: Iterable<ResourceKind>, options: CollectOptions): Promise<void> {
  const wanted = new Set(kinds);
  const typesFromInstances = wanted.has("instance-type") && wanted.has("instance");
  const walks = [...wanted].map(async (kind) => {
    if (kind === "instance-type" && typesFromInstances) return;
    const records = await collectQuery(kind, {}, options);
    if (kind === "instance" && typesFromInstances) {
      await collectInstanceTypesOf(records, options);
      options.builder.markCollected(options.scope, "instance-type");
    }
    options.builder.markCollected(options.scope, kind);
  });
  await settleAll(walks);
}

/** Like Promise.all, but waits for every walk to end before rejecting, so none runs on unobserved. */
async function settleAll(walks: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(walks);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) throw failed.reason;
}

const filter = (Name: string, value: string): Filter[] => [{ Name, Values: [value] }];

/**
 * The narrowest query that returns everything a rule may need of `kind` to judge `subject`
 * (the resource of a change event); `null` when the subject needs nothing of that kind.
 */
export function relatedQuery(kind: ResourceKind, subject: ResourceRecord): Query | null {
  if (kind === "instance-type" && subject.kind === "instance") {
    return subject.instanceType ? { instanceTypes: [subject.instanceType] } : null;
  }
  const { relatedFilters, vpcFilter } = KINDS[kind];
  const related = relatedFilters?.[subject.kind];
  if (related) {
    const value = (subject as unknown as Record<string, unknown>)[related.subjectField];
    return typeof value === "string" && value !== "" ? { filters: filter(related.filter, value) } : null;
  }
  if (kind === subject.kind) return null;
  const vpcId = "vpcId" in subject ? subject.vpcId : undefined;
  if (vpcFilter && vpcId) return { filters: filter(vpcFilter, vpcId) };
  return {};
}

/**
 * Collects, for a change event, what a rule needs around one resource (the event's subject):
 * each kind by the narrowest filter, never the whole account where a filter will do. Every kind
 * read is marked collected, the subject's too: the model then holds all that bears on the
 * subject. The caller adds the subject's own record (from the event) afterwards, so Config's
 * captured state of it wins over a newer EC2 read.
 */
export async function collectRelated(kinds: Iterable<ResourceKind>, subject: ResourceRecord, options: CollectOptions): Promise<void> {
  const wanted = new Set(kinds);
  const typesFromInstances = wanted.has("instance-type") && wanted.has("instance") && subject.kind !== "instance";
  const walks = [...wanted].map(async (kind) => {
    if (kind === "instance-type" && typesFromInstances) return;
    const query = relatedQuery(kind, subject);
    const records = query ? await collectQuery(kind, query, options) : [];
    if (kind === "instance" && typesFromInstances) {
      await collectInstanceTypesOf(records, options);
      options.builder.markCollected(options.scope, "instance-type");
    }
    options.builder.markCollected(options.scope, kind);
  });
  await settleAll(walks);
  options.builder.markCollected(options.scope, subject.kind);
}
