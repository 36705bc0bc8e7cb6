import { DescribeRegionsCommand } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { AwsClients } from "../aws/clients";
import { ec2Client } from "../aws/ec2";
import { stsClient } from "../aws/sts";
import { pagesOf } from "../collect/ec2-collector";
import { InputError } from "../errors";
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

/** Where the recorded responses go, in the file's order: one operation's items at a time, regions one after another. */
export interface SnapshotSink {
  /** Opens `operation`'s list in `region` (opening the region first if it is new). */
  openOperation(region: string, operation: Ec2Operation): Promise<void>;
  /** Opens a region that no operation wrote to (all failed), so it is still in the snapshot. */
  openRegion(region: string): Promise<void>;
  items(items: readonly unknown[]): Promise<void>;
  closeOperation(): Promise<void>;
}

/**
 * Gives the sink to one (region, operation) at a time, and to one region at a time, so each list
 * is whole in the output. An operation that waits keeps its pages, up to a budget shared by all
 * (then it stops fetching): memory stays bounded whatever the account's size.
 */
class OrderedWriter {
  private region: string | undefined;
  private holder = false;
  private readonly waiters: { region: string; grant: () => void }[] = [];
  private bufferedPages = 0;

  constructor(
    readonly sink: SnapshotSink,
    private readonly pageBudget: number,
  ) {}

  tryAcquire(region: string): boolean {
    if (this.holder || (this.region !== undefined && this.region !== region)) return false;
    this.region = region;
    this.holder = true;
    return true;
  }

  acquire(region: string): Promise<void> {
    if (this.tryAcquire(region)) return Promise.resolve();
    return new Promise((grant) => this.waiters.push({ region, grant }));
  }

  release(): void {
    this.holder = false;
    this.grantNext();
  }

  /** Every operation of the region is done: the next region may write. */
  async endRegion(region: string): Promise<void> {
    if (this.region !== region) {
      await this.acquire(region);
      await this.sink.openRegion(region);
      this.holder = false;
    }
    this.region = undefined;
    this.grantNext();
  }

  private grantNext(): void {
    if (this.holder) return;
    const index = this.region === undefined ? 0 : this.waiters.findIndex((waiter) => waiter.region === this.region);
    if (index < 0 || index >= this.waiters.length) return;
    const [waiter] = this.waiters.splice(index, 1);
    if (!waiter) return;
    this.region = waiter.region;
    this.holder = true;
    waiter.grant();
  }

  tryBuffer(): boolean {
    if (this.bufferedPages >= this.pageBudget) return false;
    this.bufferedPages += 1;
    return true;
  }

  unbuffer(pages: number): void {
    this.bufferedPages -= pages;
  }
}

/**
 * Fetches one operation's pages into the writer: straight through while it holds the sink, kept
 * (within the budget) while it waits. A failure before anything is written leaves the operation
 * absent; after, its list is closed as far as it got (the failure listed beside it makes it a gap).
 */
async function streamOperation(
  writer: OrderedWriter,
  region: string,
  operation: Ec2Operation,
  pages: AsyncIterable<unknown>,
  onPage: (items: unknown[]) => void,
): Promise<{ items: number; pages: number }> {
  const { listKey } = EC2_OPERATIONS[operation];
  let held = false;
  const kept: unknown[][] = [];
  let count = 0;
  let pageCount = 0;
  const takeSink = async () => {
    held = true;
    await writer.sink.openOperation(region, operation);
    for (const page of kept) await writer.sink.items(page);
    writer.unbuffer(kept.length);
    kept.length = 0;
  };
  try {
    for await (const page of pages) {
      const list = (page as Record<string, unknown>)[listKey];
      const items = Array.isArray(list) ? list : [];
      pageCount += 1;
      count += items.length;
      onPage(items);
      if (!held && writer.tryAcquire(region)) await takeSink();
      if (held) await writer.sink.items(items);
      else if (writer.tryBuffer()) kept.push(items);
      else {
        await writer.acquire(region);
        await takeSink();
        await writer.sink.items(items);
      }
    }
    if (!held) {
      await writer.acquire(region);
      await takeSink();
    }
    await writer.sink.closeOperation();
    return { items: count, pages: pageCount };
  } catch (error) {
    if (held) await writer.sink.closeOperation();
    writer.unbuffer(kept.length);
    throw error;
  } finally {
    if (held) writer.release();
  }
}

/** Every page of one operation, the client destroyed at the end. */
async function* pagesFrom(clients: AwsClients, operation: Ec2Operation, instanceTypes?: string[]): AsyncGenerator<unknown> {
  const ec2 = ec2Client(clients);
  try {
    yield* pagesOf(ec2, operation, { instanceTypes });
  } finally {
    ec2.destroy();
  }
}

/** DescribeInstanceTypes for the names in use, in requests of at most {@link INSTANCE_TYPES_PER_REQUEST} names. */
async function* instanceTypePages(clients: AwsClients, names: string[]): AsyncGenerator<unknown> {
  for (let start = 0; start < names.length; start += INSTANCE_TYPES_PER_REQUEST) {
    yield* pagesFrom(clients, "DescribeInstanceTypes", names.slice(start, start + INSTANCE_TYPES_PER_REQUEST));
  }
}

/** Adds the instance types of a DescribeInstances page's reservations to `names`. */
function addInstanceTypes(reservations: readonly unknown[], names: Set<string>): void {
  for (const reservation of reservations) {
    for (const instance of ((reservation as { Instances?: unknown[] }).Instances ?? []) as { InstanceType?: string }[]) {
      if (instance.InstanceType) names.add(instance.InstanceType);
    }
  }
}

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Records one region: every operation at once; a failure is kept, never turned into an empty list. */
async function recordRegion(region: string, options: RecordOptions, writer: OrderedWriter, failures: RecordFailure[]): Promise<void> {
  const clients = options.clientsFor(region);
  const fail = (operation: Ec2Operation, error: string) => {
    failures.push({ region, operation, error });
    options.onProgress?.({ region, operation, items: 0, pages: 0, error });
  };
  const run = async (operation: Ec2Operation, pages: AsyncIterable<unknown>, onPage: (items: unknown[]) => void = () => {}) => {
    try {
      const done = await streamOperation(writer, region, operation, pages, onPage);
      options.onProgress?.({ region, operation, ...done });
      return true;
    } catch (error) {
      fail(operation, describeError(error));
      return false;
    }
  };
  await Promise.all(
    ACCOUNT_WIDE_OPERATIONS.map(async (operation) => {
      if (operation !== "DescribeInstances") return run(operation, pagesFrom(clients, operation));
      // Only the names of the instance types in use are kept, not the reservations.
      const names = new Set<string>();
      const described = await run(operation, pagesFrom(clients, operation), (reservations) => addInstanceTypes(reservations, names));
      if (!described)
        return fail("DescribeInstanceTypes", "not described: DescribeInstances failed, so the instance types in use are unknown");
      return run("DescribeInstanceTypes", instanceTypePages(clients, [...names].sort()));
    }),
  );
  await writer.endRegion(region);
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
    if (names.length === 0)
      throw new InputError(`DescribeRegions in ${homeRegion} named no enabled region; give the regions to record`, { field: "--regions" });
    return names;
  } finally {
    ec2.destroy();
  }
}

export interface RecordedHeader {
  accountId: string;
  capturedAt: string;
}

/** Pages buffered by operations waiting for the sink, all operations together (each at most 1,000 items). */
export const WAITING_PAGE_BUDGET = 8;

/**
 * Records a live account into a sink: every Describe* call the six rules need, all pages,
 * regions in parallel (bounded), each page handed on as it arrives. Calls that still fail after
 * the SDK's retries are returned (sorted) and their operation is a gap in the snapshot.
 * `open` receives the account and capture time (known before the first call) and returns the sink.
 */
export async function recordAccountInto(
  options: RecordOptions,
  homeRegion: string,
  open: (header: RecordedHeader) => Promise<SnapshotSink> | SnapshotSink,
): Promise<RecordedHeader & { regions: string[]; failures: RecordFailure[] }> {
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
  const writer = new OrderedWriter(await open({ accountId, capturedAt }), WAITING_PAGE_BUDGET);
  const failures: RecordFailure[] = [];
  await mapBounded(regions, options.concurrency, (region) => recordRegion(region, options, writer, failures));
  failures.sort((a, b) => (a.region + a.operation < b.region + b.operation ? -1 : 1));
  return { accountId, capturedAt, regions, failures };
}

/** An in-memory sink: the whole snapshot as one object (small accounts and tests; a big one goes to {@link recordAccountInto} with the file writer). */
function collectingSink(regions: Record<string, RegionResponses>): SnapshotSink {
  let list: unknown[] = [];
  return {
    async openRegion(region) {
      regions[region] ??= {};
    },
    async openOperation(region, operation) {
      list = [];
      regions[region] ??= {};
      (regions[region] as RegionResponses)[operation] = { [EC2_OPERATIONS[operation].listKey]: list };
    },
    async items(items) {
      for (const item of items) list.push(item);
    },
    async closeOperation() {},
  };
}

/**
 * Records a live account into a snapshot held in memory (see {@link recordAccountInto} to stream
 * it to a file). Regions are in the order given; failed calls are listed in `failures`.
 */
export async function recordAccount(options: RecordOptions, homeRegion: string): Promise<RecordedSnapshot> {
  const collected: Record<string, RegionResponses> = {};
  const { accountId, capturedAt, regions, failures } = await recordAccountInto(options, homeRegion, () => collectingSink(collected));
  const snapshot: RecordedSnapshot = {
    schemaVersion: "1.0",
    accountId,
    capturedAt,
    tool: options.tool,
    regions: Object.fromEntries(regions.map((region) => [region, collected[region] ?? {}])),
  };
  if (failures.length > 0) snapshot.failures = failures;
  return snapshot;
}
