import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import type { Evaluation } from "../engine/rule";
import { InputError } from "../errors";

/** One (account, region) of the organization scan: one Distributed Map item, one findings file. */
export interface ScanItem {
  accountId: string;
  region: string;
}

/** Items and findings sort on code points (never localeCompare): the same order on every machine. */
export const itemKey = (item: ScanItem): string => `${item.accountId}\u0000${item.region}`;

/**
 * A finding's sort key: account, region, rule, resource type, resource id. Every item file is sorted
 * on it and the manifest on {@link itemKey}, so the item files read in manifest order are one sorted
 * stream, and the diff against the previous scan is a merge-join of two sorted streams. Within a
 * rule's block the account-level finding (AWS::::Account, ':' < any letter) comes first.
 */
export const scanFindingKey = (finding: Evaluation): string =>
  `${finding.accountId}\u0000${finding.region}\u0000${finding.ruleId}\u0000${finding.resourceType}\u0000${finding.resourceId}`;

export const compareItems = (a: ScanItem, b: ScanItem): number => {
  const left = itemKey(a);
  const right = itemKey(b);
  return left < right ? -1 : left > right ? 1 : 0;
};

/** One item's evaluations sorted by {@link scanFindingKey}, as JSON lines. */
export function sortedFindingLines(evaluations: readonly Evaluation[]): string[] {
  const keyed = evaluations.map((evaluation) => ({ key: scanFindingKey(evaluation), evaluation }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map(({ evaluation }) => JSON.stringify(evaluation));
}

/** Lines of a gzipped JSON-lines stream, one at a time (blank lines skipped). */
export async function* gunzipLines(source: Readable): AsyncGenerator<string> {
  const gunzip = createGunzip();
  source.on("error", (error) => gunzip.destroy(error));
  const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) if (line.length > 0) yield line;
}

/** A gzip writer of lines that honours back-pressure: `write` waits while the destination is full. */
export interface LineWriter {
  write(line: string): Promise<void>;
  /** Flushes the gzip stream; resolves once the destination has taken everything. */
  end(): Promise<void>;
  /** Uncompressed bytes written. */
  readonly bytes: number;
}

/** Lines are handed to gzip in batches of about this many characters: one zlib call per line would cost more than the line. */
const WRITE_BATCH = 64 * 1024;

export function gzipLineWriter(destination: Writable, finished: () => Promise<unknown>): LineWriter {
  const gzip = createGzip();
  gzip.pipe(destination);
  let bytes = 0;
  let pending = "";
  let ending = false;
  let failure: Error | undefined;
  let rejectWaiting: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    rejectWaiting = reject;
  });
  failed.catch(() => undefined);
  // A destination that fails or closes early (an aborted upload) must fail the writer, not leave it waiting for a drain.
  const fail = (error: Error) => {
    failure ??= error;
    rejectWaiting(failure);
  };
  gzip.on("error", fail);
  destination.on("error", fail);
  destination.on("close", () => {
    if (!ending) fail(new Error("the findings destination closed before the last line"));
  });
  const flush = async () => {
    if (failure) throw failure;
    if (pending.length === 0) return;
    const chunk = pending;
    pending = "";
    if (!gzip.write(chunk)) await Promise.race([new Promise<void>((resolve) => gzip.once("drain", resolve)), failed]);
  };
  return {
    get bytes() {
      return bytes;
    },
    async write(line: string) {
      bytes += Buffer.byteLength(line) + 1;
      pending += `${line}\n`;
      if (pending.length >= WRITE_BATCH || failure) await flush();
    },
    async end() {
      await flush();
      ending = true;
      await Promise.race([new Promise<void>((resolve) => gzip.end(() => resolve())), failed]);
      await Promise.race([finished(), failed]);
      if (failure) throw failure;
    },
  };
}

/** Parses one line of an item or findings file, naming the file and line of bad input. */
export function parseLine<T>(line: string, where: string, lineNumber: number): T {
  try {
    return JSON.parse(line) as T;
  } catch (error) {
    throw new InputError(`line ${lineNumber} is not JSON: ${(error as Error).message}`, { file: where });
  }
}
