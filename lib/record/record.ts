import { DescribeRegionsCommand } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { AwsClients } from "../aws/clients";
import { ec2Client } from "../aws/ec2";
import { InputError } from "../errors";
import { stsClient } from "../aws/sts";
import { pagesOf } from "../collect/ec2-collector";
import { EC2_OPERATION_NAMES, EC2_OPERATIONS, type Ec2Operation, KINDS } from "../model/kinds";

const { namesPerRequest: INSTANCE_TYPES_PER_REQUEST = 1 } = KINDS["instance-type"];

/** Every operation but DescribeInstanceTypes, which follows DescribeInstances (only the types in use). */
const ACCOUNT_WIDE_OPERATIONS = EC2_OPERATION_NAMES.filter((operation) => EC2_OPERATIONS[operation].namesPerRequest === undefined);

export const RECORDED_OPERATIONS = EC2_OPERATION_NAMES;

export interface RecordFailure {
  region: string;
  operation: Ec2Operation;
  error: string;
}

export type RegionResponses = Partial<Record<Ec2Operation, Record<string, unknown[]>>>;

/** The recorded snapshot (schemaVersion 1.0), with each response's pages merged into one list. */
export interface RecordedSnapshot {
  schemaVersion: "1.0";
  accountId: string;
  capturedAt: string;
  tool: { name: string; version: string };
  regions: Record<string, RegionResponses>;
  failures?: RecordFailure[];
}

export interface RecordProgress {
  region: string;
  operation: Ec2Operation;
  items: number;
  pages: number;
  error?: string;
}

export interface RecordOptions {
  /** Clients for a region, built with the standard SDK configuration (lib/aws/clients). */
  clientsFor: (region: string) => AwsClients;
  /** Region names, or "all" for every region enabled in the account. */
  regions: string[] | "all";
  /** Regions recorded at once. */
  concurrency: number;
  tool: { name: string; version: string };
  onProgress?: (progress: RecordProgress) => void;
  now?: () => Date;
}

/** Merges every page of one operation into the response's list. */
async function readAll(clients: AwsClients, operation: Ec2Operation, instanceTypes?: string[]) {
  const { listKey } = EC2_OPERATIONS[operation];
  const items: unknown[] = [];
  let pages = 0;
  const ec2 = ec2Client(clients);
  try {
    for await (const page of pagesOf(ec2, operation, { instanceTypes })) {
      pages += 1;
      const list = (page as Record<string, unknown>)[listKey];
      if (Array.isArray(list)) for (const item of list) items.push(item);
    }
  } finally {
    ec2.destroy();
  }
  return { items, pages };
}

function instanceTypesIn(reservations: unknown[]): string[] {
  const names = new Set<string>();
  for (const reservation of reservations) {
    for (const instance of ((reservation as { Instances?: unknown[] }).Instances ?? []) as { InstanceType?: string }[]) {
      if (instance.InstanceType) names.add(instance.InstanceType);
    }
  }
  return [...names].sort();
}

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Records one region: every operation at once; a failure is kept, never turned into an empty list. */
async function recordRegion(region: string, options: RecordOptions, failures: RecordFailure[]): Promise<RegionResponses> {
  const clients = options.clientsFor(region);
  const responses: RegionResponses = {};
  const run = async (operation: Ec2Operation, instanceTypes?: string[]) => {
    try {
      const { items, pages } = await readAll(clients, operation, instanceTypes);
      responses[operation] = { [EC2_OPERATIONS[operation].listKey]: items };
      options.onProgress?.({ region, operation, items: items.length, pages });
      return items;
    } catch (error) {
      const message = describeError(error);
      failures.push({ region, operation, error: message });
      options.onProgress?.({ region, operation, items: 0, pages: 0, error: message });
      return undefined;
    }
  };
  await Promise.all(
    ACCOUNT_WIDE_OPERATIONS.map(async (operation) => {
      const items = await run(operation);
      if (operation !== "DescribeInstances") return;
      if (!items) {
        const error = "not described: DescribeInstances failed, so the instance types in use are unknown";
        failures.push({ region, operation: "DescribeInstanceTypes", error });
        options.onProgress?.({ region, operation: "DescribeInstanceTypes", items: 0, pages: 0, error });
        return;
      }
      const names = instanceTypesIn(items);
      const merged: unknown[] = [];
      for (let start = 0; start < names.length; start += INSTANCE_TYPES_PER_REQUEST) {
        const batch = await readAll(clients, "DescribeInstanceTypes", names.slice(start, start + INSTANCE_TYPES_PER_REQUEST)).catch(
          (error: unknown) => error as Error,
        );
        if (batch instanceof Error) {
          failures.push({ region, operation: "DescribeInstanceTypes", error: describeError(batch) });
          options.onProgress?.({ region, operation: "DescribeInstanceTypes", items: 0, pages: 0, error: describeError(batch) });
          return;
        }
        merged.push(...batch.items);
      }
      responses.DescribeInstanceTypes = { InstanceTypes: merged };
      options.onProgress?.({ region, operation: "DescribeInstanceTypes", items: merged.length, pages: Math.ceil(names.length / INSTANCE_TYPES_PER_REQUEST) });
    }),
  );
  return responses;
}

/** Runs `work` over `items` with at most `limit` at once, keeping the input order in the result. */
async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/** The regions to record: those given, or every region enabled in the account. */
export async function resolveRegions(options: Pick<RecordOptions, "regions" | "clientsFor">, homeRegion: string): Promise<string[]> {
  if (options.regions !== "all") return options.regions;
  const ec2 = ec2Client(options.clientsFor(homeRegion));
  try {
    const { Regions = [] } = await ec2.send(new DescribeRegionsCommand({}));
    const names = Regions.map((region) => region.RegionName)
      .filter((name): name is string => typeof name === "string")
      .sort();
    // A snapshot of no region would judge nothing (and is refused when read): say so now instead.
    if (names.length === 0) throw new InputError(`DescribeRegions in ${homeRegion} named no enabled region; give the regions to record`, { field: "--regions" });
    return names;
  } finally {
    ec2.destroy();
  }
}

/**
 * Records a live account into a snapshot: every Describe* call the six rules need, all pages,
 * regions in parallel (bounded). Calls that still fail after the SDK's retries are listed in
 * `failures` with their operation absent from the region, so evaluation reports a gap there.
 */
export async function recordAccount(options: RecordOptions, homeRegion: string): Promise<RecordedSnapshot> {
  const sts = stsClient(options.clientsFor(homeRegion));
  let accountId: string;
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new Error("sts:GetCallerIdentity returned no account");
    accountId = identity.Account;
  } finally {
    sts.destroy();
  }
  const regions = await resolveRegions(options, homeRegion);
  const capturedAt = (options.now?.() ?? new Date()).toISOString();
  const failures: RecordFailure[] = [];
  const recorded = await mapBounded(regions, options.concurrency, (region) => recordRegion(region, options, failures));
  const snapshot: RecordedSnapshot = {
    schemaVersion: "1.0",
    accountId,
    capturedAt,
    tool: options.tool,
    regions: Object.fromEntries(regions.map((region, index) => [region, recorded[index] ?? {}])),
  };
  if (failures.length > 0) {
    failures.sort((a, b) => (a.region + a.operation < b.region + b.operation ? -1 : 1));
    snapshot.failures = failures;
  }
  return snapshot;
}
