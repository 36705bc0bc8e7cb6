/**
 * `npm run bench:bounds [-- --resources 1000000] [-- --repeats 3]`: lower bounds on the recorded
 * snapshot's end-to-end time, for designs other than the product's, on this machine. Figures
 * only, like `npm run bench`; each measurement runs in a fresh process, in turn within a round.
 *
 * - floor: JSON.parse alone over every record's text (the bench's floor);
 * - product: loadSnapshots and the six rules, one thread (the bench's end to end);
 * - ids kept: the product's reader keeping each resource's id (and its region and type) and
 *   nothing else, with no normalizing: less than any model can keep, so no single-threaded design
 *   that parses every record can be faster than this plus its rules; "evaluations" adds the least
 *   the rules must make, one evaluation object per resource of each rule's types;
 * - region workers: the snapshot cut into one file per region beforehand (a reader that skips
 *   other regions for free), one worker thread per region loading its file and running the six
 *   rules, and nothing sent back: less than any design that splits the work by region pays.
 *   "sent" is the same with each worker's evaluations posted to the main thread.
 *
 * Wall time and CPU time (every thread of the process) are printed, since on a machine with few
 * cores the product's one thread already keeps more than one core busy (V8's collector threads).
 */
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { pipeline } from "node:stream/promises";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Command, InvalidArgumentError } from "commander";
import type { Evaluation } from "../lib/engine/rule";
import { runRules } from "../lib/engine/run";
import { EC2_OPERATIONS, type Ec2Operation, isEc2Operation } from "../lib/model/kinds";
import { readJsonStream, type ValueMode } from "../lib/sources/json-stream";
import { loadSnapshots } from "../lib/sources/load";
import { RULES } from "../rules";
import { REGIONS } from "./bench/account";
import { jsonFromChild } from "./bench/child";
import { ensureDataset } from "./bench/generate";
import { measureFloor, measureProduct } from "./bench/measure";

const DATA_DIR = "bench-data";

type BoundKind = "floor" | "product" | "ids-kept" | "ids-evaluations" | "region-workers" | "region-workers-sent";
const KINDS: readonly BoundKind[] = ["floor", "product", "ids-kept", "ids-evaluations", "region-workers", "region-workers-sent"];

interface Timing {
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  /** Resources kept, or evaluations made: checked equal across runs of a kind. */
  count: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function timing(started: number, cpuStarted: number, count: number): Timing {
  return { wallMs: performance.now() - started, cpuMs: cpuMs() - cpuStarted, peakRssBytes: process.resourceUsage().maxRSS * 1024, count };
}

function snapshotModes(path: readonly string[]): ValueMode {
  if (path.length === 1) return path[0] === "regions" ? "descend" : "capture";
  if (path[0] !== "regions") return "skip";
  if (path.length <= 3) return "descend";
  const operation = path[2] as string;
  return path.length === 4 && isEc2Operation(operation) && EC2_OPERATIONS[operation].listKey === path[3] ? "records" : "skip";
}

/** The product's reader keeping each resource's id, its region and its AWS Config type, and nothing else. */
async function readIds(path: string): Promise<{ ids: string[]; regions: string[]; types: string[]; accountId: string }> {
  const ids: string[] = [];
  const regions: string[] = [];
  const types: string[] = [];
  let accountId = "";
  await readJsonStream(path, {
    modeOf: snapshotModes,
    onRecord: (where, _index, item) => {
      const operation = where[2] as Ec2Operation;
      const { configType, idFields } = EC2_OPERATIONS[operation];
      const record = item as Record<string, unknown>;
      const kept = ids.length;
      if (operation === "DescribeInstances") {
        for (const instance of record.Instances as Record<string, unknown>[]) ids.push(instance.InstanceId as string);
      } else ids.push(record[idFields[0] as string] as string);
      for (let index = kept; index < ids.length; index++) {
        regions.push(where[1] as string);
        types.push(configType);
      }
    },
    onValue: (where, value) => {
      if (where[0] === "accountId") accountId = String(value);
    },
  });
  return { ids, regions, types, accountId };
}

async function idsKept(path: string, evaluate: boolean): Promise<Timing> {
  const started = performance.now();
  const cpuStarted = cpuMs();
  const { ids, regions, types, accountId } = await readIds(path);
  if (!evaluate) return timing(started, cpuStarted, ids.length);
  // What the rules must make at the least: one evaluation per resource of each rule's types, all
  // compliant with one shared annotation, without reading a single field.
  const evaluations: Evaluation[] = [];
  for (const rule of RULES) {
    const ruleTypes = new Set<string>(rule.meta.resourceTypes);
    const ruleId = rule.meta.id;
    for (let index = 0; index < ids.length; index++) {
      const resourceType = types[index] as string;
      if (!ruleTypes.has(resourceType)) continue;
      const resourceId = ids[index] as string;
      const region = regions[index] as string;
      evaluations.push({ ruleId, resourceType, resourceId, region, accountId, complianceType: "COMPLIANT", annotation: "compliant" });
    }
  }
  return timing(started, cpuStarted, evaluations.length);
}

/** One evaluation list per region file, each made in a worker thread of its own. */
async function regionWorkers(files: readonly string[], send: boolean): Promise<Timing> {
  const started = performance.now();
  const cpuStarted = cpuMs();
  const results = await Promise.all(
    files.map(
      (file) =>
        new Promise<{ count: number; evaluations?: Evaluation[] }>((resolve, reject) => {
          const worker = new Worker(__filename, { workerData: { file, send } });
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
    ),
  );
  const evaluations = send ? ([] as Evaluation[]).concat(...results.map((result) => result.evaluations ?? [])) : [];
  const count = send ? evaluations.length : results.reduce((sum, result) => sum + result.count, 0);
  return timing(started, cpuStarted, count);
}

async function regionWorker({ file, send }: { file: string; send: boolean }): Promise<void> {
  const { model } = await loadSnapshots([file]);
  const evaluations = ([] as Evaluation[]).concat(...RULES.map((rule) => runRules(model, { rules: [rule] })));
  parentPort?.postMessage({ count: evaluations.length, evaluations: send ? evaluations : undefined });
}

async function measure(kind: BoundKind, path: string): Promise<Timing> {
  switch (kind) {
    case "floor": {
      const { parseMs, records } = await measureFloor(path);
      // Its figure is the JSON.parse calls alone, so the whole pass's CPU time would not compare.
      return { wallMs: parseMs, cpuMs: Number.NaN, peakRssBytes: process.resourceUsage().maxRSS * 1024, count: records };
    }
    case "product": {
      const cpuStarted = cpuMs();
      const product = await measureProduct([path]);
      const count = Object.values(product.verdicts).reduce((sum, counts) => sum + Object.values(counts).reduce((a, b) => a + b, 0), 0);
      return { wallMs: product.totalMs, cpuMs: cpuMs() - cpuStarted, peakRssBytes: product.peakRssBytes, count };
    }
    case "ids-kept":
    case "ids-evaluations":
      return idsKept(path, kind === "ids-evaluations");
    case "region-workers":
    case "region-workers-sent":
      return regionWorkers(regionFiles(path), kind === "region-workers-sent");
  }
}

/** The per-region files cut from a generated snapshot (see ensureRegionFiles). */
function regionFiles(path: string): string[] {
  return REGIONS.map((region) => `${path}.${region}.json`);
}

/**
 * Cuts a generated snapshot into one snapshot per region, each with the same header. The
 * generator writes `"regions":{\n`, then each region as `"<region>":{\n…]}}` separated by `,\n`,
 * then `\n}}\n`. Each file is written to a temp name first, so a cut left half done is redone.
 */
async function ensureRegionFiles(path: string, log: (line: string) => void): Promise<void> {
  const files = regionFiles(path);
  if (files.every((file) => existsSync(file))) return;
  log(`cutting ${path} into one file per region …`);
  const size = statSync(path).size;
  const starts = await findRegionStarts(path);
  const headerEnd = starts[0] as number;
  for (const [index, file] of files.entries()) {
    const start = starts[index] as number;
    // Up to the `,\n` before the next region, or the document's closing `\n}}\n`.
    const end = index + 1 < starts.length ? (starts[index + 1] as number) - 2 : size - 4;
    const temp = `${file}.tmp`;
    const out = createWriteStream(temp);
    await pipeline(createReadStream(path, { start: 0, end: headerEnd - 1 }), out, { end: false });
    await pipeline(createReadStream(path, { start, end: end - 1 }), out, { end: false });
    await new Promise<void>((resolve, reject) => out.end("\n}}\n", (error?: Error | null) => (error ? reject(error) : resolve())));
    renameSync(temp, file);
  }
}

async function findRegionStarts(path: string): Promise<number[]> {
  const needles = REGIONS.map((region, index) => Buffer.from(`${index === 0 ? "{\n" : ",\n"}${JSON.stringify(region)}:{\n`));
  const starts: number[] = [];
  let offset = 0;
  // The end of the previous chunk, so that a needle cut in two is still found.
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 16 << 20 }) as AsyncIterable<Buffer>) {
    const text = Buffer.concat([carry, chunk]);
    const base = offset - carry.length;
    for (let at = 0; starts.length < needles.length; ) {
      at = text.indexOf(needles[starts.length] as Buffer, at);
      if (at < 0) break;
      starts.push(base + at + 2);
    }
    if (starts.length === needles.length) return starts;
    offset += chunk.length;
    carry = text.subarray(Math.max(0, text.length - 64));
  }
  throw new Error(`bench:bounds: found ${starts.length} of ${REGIONS.length} regions in ${path}`);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

function parsePositive(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return number;
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf("--child");
  if (childAt >= 0) {
    const kind = process.argv[childAt + 1] as BoundKind;
    process.stdout.write(`${JSON.stringify(await measure(kind, process.argv[childAt + 2] as string))}\n`);
    return;
  }
  const options = new Command("bench:bounds")
    .description("Lower bounds on the recorded snapshot's end-to-end time for other designs (figures, not a test)")
    .option("--resources <n>", "resources in the generated account", parsePositive, 1_000_000)
    .option("--repeats <n>", "rounds; every figure is their median", parsePositive, 3)
    .option("--seed <n>", "generator seed", parsePositive, 1)
    .option("--json", "print one JSON object instead of the table")
    .parse()
    .opts<{ resources: number; repeats: number; seed: number; json?: boolean }>();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const loadBefore = loadavg()[0] as number;
  const { path } = await ensureDataset(DATA_DIR, options.seed, options.resources, log);
  await ensureRegionFiles(path, log);
  const runs = new Map<BoundKind, Timing[]>(KINDS.map((kind) => [kind, []]));
  for (let round = 0; round < options.repeats; round++) {
    log(`  round ${round + 1}/${options.repeats}: ${KINDS.join(", ")} …`);
    for (const kind of KINDS) {
      (runs.get(kind) as Timing[]).push(await jsonFromChild<Timing>(__filename, [kind, path], `bench:bounds: ${kind} of ${path}`));
    }
  }
  const evaluations = (runs.get("product") as Timing[])[0]?.count;
  for (const kind of ["ids-evaluations", "region-workers", "region-workers-sent"] as const) {
    for (const run of runs.get(kind) as Timing[]) {
      if (run.count !== evaluations) throw new Error(`bench:bounds: ${kind} made ${run.count} evaluations, the product ${evaluations}`);
    }
  }
  const floors = (runs.get("floor") as Timing[]).map((run) => run.wallMs);
  const figures = KINDS.map((kind) => {
    const timings = runs.get(kind) as Timing[];
    return {
      kind,
      wallMs: Math.round(median(timings.map((run) => run.wallMs))),
      // Each round's run against that round's floor, as `npm run bench` judges end to end.
      perFloor: Number(median(timings.map((run, round) => run.wallMs / (floors[round] as number))).toFixed(2)),
      cpuMs: kind === "floor" ? undefined : Math.round(median(timings.map((run) => run.cpuMs))),
      peakRssMb: Math.round(Math.max(...timings.map((run) => run.peakRssBytes)) / 2 ** 20),
    };
  });
  const loadAfter = loadavg()[0] as number;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ resources: options.resources, cores: availableParallelism(), figures, loadBefore, loadAfter })}\n`,
    );
    return;
  }
  const lines = [
    `${options.resources} resources, ${availableParallelism()} cores, medians of ${options.repeats}, load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
    `${"".padEnd(22)}${"wall ms".padStart(9)}${"× floor".padStart(9)}${"CPU ms".padStart(9)}${"RSS MB".padStart(8)}`,
    ...figures.map(
      (figure) =>
        `${figure.kind.padEnd(22)}${String(figure.wallMs).padStart(9)}${figure.perFloor.toFixed(2).padStart(9)}${String(figure.cpuMs ?? "—").padStart(9)}${String(figure.peakRssMb).padStart(8)}`,
    ),
    "issue 13's target for the product: end to end ≤ 1.50 × floor",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (isMainThread) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  });
} else {
  // A failure rejects here, which ends the worker with an error the main thread reports.
  void regionWorker(workerData as { file: string; send: boolean });
}
