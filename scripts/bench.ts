/**
 * `npm run bench [-- --json] [-- --sizes 10000,100000]`: generates synthetic accounts (cached in
 * bench-data/), measures the parse floor, the product's read and parse, model build and each rule,
 * and checks the performance targets of issue 2. Figures only: this is not a test and never fails
 * on a missed target (it prints FAIL).
 *
 * Every measurement runs in a fresh child process (this same script with `--child`), so peaks
 * and heaps of one phase or size never mix with another's.
 */
import { availableParallelism, cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { jsonFromChild } from "./bench/child";
import { type ConfigDatasetMeta, configDatasetDir, ensureConfigDataset } from "./bench/config-files";
import { type DatasetMeta, ensureDataset } from "./bench/generate";
import {
  type ChildKind,
  type FloorResult,
  type ModelResult,
  type ProductResult,
  type ReadResult,
  runChild,
  type UnkeptResult,
} from "./bench/measure";
import { checkTargets, formatReport, type Run, type Source } from "./bench/report";

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];
const SOURCES: readonly Source[] = ["recorded", "config-files"];
const DATA_DIR = "bench-data";
/** Every figure is the median of this many runs (each in fresh processes): one run can be lucky, and small sizes vary with JIT and GC timing. */
const DEFAULT_REPEATS = 3;

function parseSizes(value: string): number[] {
  const sizes = value.split(",").map((part) => Number(part.trim()));
  for (const [index, size] of sizes.entries()) {
    if (!Number.isInteger(size) || size <= 0) {
      throw new InvalidArgumentError(`size ${index + 1} ("${value.split(",")[index]}") is not a positive integer`);
    }
  }
  return sizes;
}

function parseSources(value: string): Source[] {
  const sources = value.split(",").map((part) => part.trim());
  for (const source of sources) {
    if (!(SOURCES as readonly string[]).includes(source)) throw new InvalidArgumentError(`"${source}" is not one of ${SOURCES.join(", ")}`);
  }
  return sources as Source[];
}

function parseRepeats(value: string): number {
  const repeats = Number(value);
  if (!Number.isInteger(repeats) || repeats < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return repeats;
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError(`"${value}" is not a non-negative integer`);
  return seed;
}

/** Runs one measurement in a fresh Node process and returns the JSON it prints. */
const inChild = <T>(kind: ChildKind, path: string): Promise<T> =>
  jsonFromChild<T>(__filename, [kind, path], `bench: ${kind} measurement of ${path}`);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** The child measurements of each source; config-files children read the dataset folder's meta.json. */
const CHILDREN: Readonly<Record<Source, Record<"floor" | "read" | "model" | "product", ChildKind>>> = {
  recorded: { floor: "floor", read: "read", model: "model", product: "product" },
  "config-files": { floor: "config-floor", read: "config-read", model: "config-model", product: "config-product" },
};

interface Dataset {
  source: Source;
  path: string;
  resources: number;
  /** Decompressed bytes of the input. */
  fileBytes: number;
  /** Records as the input lists them (reservations for a recorded snapshot, items for Config files). */
  records: number;
  meta?: DatasetMeta;
  configMeta?: ConfigDatasetMeta;
}

async function measureSize(dataset: Dataset, repeats: number, log: (line: string) => void): Promise<Run> {
  const children = CHILDREN[dataset.source];
  const { path } = dataset;
  const floors: FloorResult[] = [];
  const keptFloors: FloorResult[] = [];
  const unkepts: UnkeptResult[] = [];
  const reads: ReadResult[] = [];
  const models: ModelResult[] = [];
  const products: ProductResult[] = [];
  for (let round = 0; round < repeats; round++) {
    const phases = dataset.source === "recorded" ? "floor, product, model, read, kept floor, unkept" : "floor, product, model, read";
    log(`  ${dataset.source} ${dataset.resources} resources, round ${round + 1}/${repeats}: ${phases} …`);
    // The judged figures' parts first and back to back, so that the host's drift within a round
    // (up to a third in minutes here) falls on the floor and the product alike.
    floors.push(await inChild<FloorResult>(children.floor, path));
    products.push(await inChild<ProductResult>(children.product, path));
    models.push(await inChild<ModelResult>(children.model, path));
    reads.push(await inChild<ReadResult>(children.read, path));
    if (dataset.source === "recorded") {
      keptFloors.push(await inChild<FloorResult>("floor-kept", path));
      unkepts.push(await inChild<UnkeptResult>("unkept", path));
    }
  }
  for (const [what, count] of [
    ["floor", floors[0]?.records],
    ["read", reads[0]?.records],
    ["model", models[0]?.records],
  ] as const) {
    if (count !== dataset.records) throw new Error(`bench: the ${what} pass saw ${count} records, the input has ${dataset.records}`);
  }
  for (const unkept of unkepts) {
    if (unkept.resources !== dataset.resources) {
      throw new Error(`bench: the unkept pass normalized ${unkept.resources} resources, the input has ${dataset.resources}`);
    }
  }
  for (const product of products) {
    if (product.resources !== dataset.resources) {
      throw new Error(`bench: loadSnapshots built ${product.resources} resources, the input has ${dataset.resources}`);
    }
  }
  const rulesMs: Record<string, number> = {};
  for (const id of Object.keys(products[0]?.rulesMs ?? {})) rulesMs[id] = median(products.map((p) => p.rulesMs[id] as number));
  const parseMs = median(floors.map((f) => f.parseMs));
  const modelMs = median(models.map((m) => m.modelMs));
  // Each round's floor and product ran back to back, in that round's machine: their ratios drift
  // less than the ratio of medians taken from different rounds.
  const endToEndByRound = products.map((product, round) => product.totalMs / (floors[round] as FloorResult).parseMs);
  const ratioByRound = products.map((product, round) => {
    const rules = Object.values(product.rulesMs).reduce((sum, ms) => sum + ms, 0);
    return ((models[round] as ModelResult).modelMs + rules) / (floors[round] as FloorResult).parseMs;
  });
  return {
    source: dataset.source,
    resources: dataset.resources,
    fileBytes: dataset.fileBytes,
    parseMs,
    keptParseMs: keptFloors.length > 0 ? median(keptFloors.map((f) => f.parseMs)) : undefined,
    unkeptMs: unkepts.length > 0 ? median(unkepts.map((u) => u.unkeptMs)) : undefined,
    readMs: median(reads.map((r) => r.readMs)),
    modelMs,
    rulesMs,
    loadMs: median(products.map((p) => p.loadMs)),
    totalMs: median(products.map((p) => p.totalMs)),
    peakRssBytes: Math.max(...products.map((p) => p.peakRssBytes)),
    gcLoadMs: median(products.map((p) => p.gcMs.load)),
    gcRulesMs: median(products.map((p) => p.gcMs.rules)),
    endToEnd: median(endToEndByRound),
    endToEndByRound,
    ratio: median(ratioByRound),
    ratioByRound,
    repeats,
    meta: dataset.meta,
    configMeta: dataset.configMeta,
    verdicts: products[0]?.verdicts ?? {},
  };
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf("--child");
  if (childAt >= 0) {
    const kind = process.argv[childAt + 1] as ChildKind;
    const path = process.argv[childAt + 2] as string;
    process.stdout.write(`${JSON.stringify(await runChild(kind, path))}\n`);
    return;
  }
  const program = new Command("bench")
    .description("Benchmark the offline evaluation path on synthetic accounts (figures, not a test)")
    .option("--json", "print one JSON object {runs:[…]} instead of the table")
    .option("--sizes <list>", "comma-separated resource counts", parseSizes, DEFAULT_SIZES)
    .option("--sources <list>", `comma-separated inputs to measure: ${SOURCES.join(", ")}`, parseSources, [...SOURCES])
    .option("--seed <n>", "generator seed (same seed, same bytes)", parseSeed, 1)
    .option("--repeats <n>", "runs per size; every figure is their median", parseRepeats, DEFAULT_REPEATS)
    .parse();
  const options = program.opts<{ json?: boolean; sizes: number[]; sources: Source[]; seed: number; repeats: number }>();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const runs: Run[] = [];
  const loadBefore = loadavg()[0] as number;
  for (const source of options.sources) {
    for (const resources of options.sizes) {
      runs.push(await measureSize(await prepare(source, options.seed, resources, log), options.repeats, log));
    }
  }
  if (options.json) {
    // Every figure, without the dataset's description and the verdict counts the table prints.
    const json = runs.map(({ meta: _meta, configMeta: _configMeta, verdicts: _verdicts, ...figures }) => figures);
    const targets = Object.fromEntries(options.sources.map((source) => [source, checkTargets(runs, source)]));
    process.stdout.write(`${JSON.stringify({ runs: json, targets, loadBefore, loadAfter: loadavg()[0] })}\n`);
  } else {
    process.stdout.write(
      formatReport(runs, {
        node: process.version,
        cpus: cpuModel(),
        cores: availableParallelism(),
        dataDir: join(process.cwd(), DATA_DIR),
        loadBefore,
        loadAfter: loadavg()[0] as number,
      }),
    );
  }
}

async function prepare(source: Source, seed: number, resources: number, log: (line: string) => void): Promise<Dataset> {
  if (source === "recorded") {
    const { path, meta } = await ensureDataset(DATA_DIR, seed, resources, log);
    return { source, path, resources, fileBytes: meta.fileBytes, records: meta.records, meta };
  }
  const configMeta = await ensureConfigDataset(DATA_DIR, seed, resources, log);
  const path = configDatasetDir(DATA_DIR, seed, resources);
  return { source, path, resources, fileBytes: configMeta.bytes, records: configMeta.items, configMeta };
}

function cpuModel(): string {
  return `${availableParallelism()} × ${cpus()[0]?.model ?? "unknown CPU"}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
