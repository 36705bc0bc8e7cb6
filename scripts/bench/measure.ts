/**
 * The measurements, each run in a fresh child process (see bench.ts) so that one phase's heap and
 * peak RSS never leak into another's figures.
 */
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { runRules } from "../../lib/engine/run";
import { EC2_OPERATIONS, type Ec2Operation, isEc2Operation, RESOURCE_KINDS } from "../../lib/model/kinds";
import { ModelBuilder } from "../../lib/model/resource-model";
import { configItemToRecords } from "../../lib/sources/config-items";
import { normalizeEc2Item } from "../../lib/sources/ec2-adapter";
import { type JsonStreamHandler, readJsonStream, type ValueMode } from "../../lib/sources/json-stream";
import { loadSnapshots } from "../../lib/sources/load";
import { RULES } from "../../rules";
import { type ConfigDatasetMeta, ITEM_START } from "./config-files";

export type ChildKind =
  | "floor"
  | "floor-kept"
  | "unkept"
  | "read"
  | "model"
  | "product"
  | "config-floor"
  | "config-read"
  | "config-model"
  | "config-product";

export interface FloorResult {
  parseMs: number;
  records: number;
}
export interface ReadResult {
  readMs: number;
  records: number;
}
export interface UnkeptResult {
  unkeptMs: number;
  resources: number;
}
export interface ModelResult {
  modelMs: number;
  records: number;
  resources: number;
}
export interface ProductResult {
  loadMs: number;
  rulesMs: Record<string, number>;
  /** Verdict counts per rule: evidence that the synthetic account exercises every verdict. */
  verdicts: Record<string, Record<string, number>>;
  resources: number;
  totalMs: number;
  peakRssBytes: number;
  /** Garbage collection pauses (perf_hooks "gc" entries) while loading and while the rules ran. */
  gcMs: { load: number; rules: number };
}

const READ_CHUNK = 16 << 20;
/**
 * Parsed records held between timed model steps. Thousands of them (a few MB) would be alive at
 * each young-generation collection and copied by it, a cost the product, which normalizes each
 * record as it is parsed, never pays: at 1M, batches of 2,000 made the recorded model build 10–20 %
 * slower, and the Config items' one half again as slow.
 */
const MODEL_BATCH = 16;

/**
 * The floor: JSON.parse alone over every record's text. The generator writes one record per
 * line, so lines are cut outside the timed section and only the JSON.parse calls are timed.
 * With `keep`, every parsed record stays referenced to the end, as a model of views over the
 * parsed records would keep them: the difference is what the garbage collector then costs.
 */
export async function measureFloor(path: string, keep = false): Promise<FloorResult> {
  const kept: unknown[] = [];
  const decoder = new StringDecoder("utf8");
  let leftover = "";
  let parseMs = 0;
  let records = 0;
  let keys = 0;
  const flush = (lines: string[]) => {
    const texts: string[] = [];
    for (const line of lines) {
      if (line.charCodeAt(0) !== 0x7b) continue; // records start with '{'
      const last = line.charCodeAt(line.length - 1);
      if (last === 0x7d) texts.push(line);
      else if (last === 0x2c && line.charCodeAt(line.length - 2) === 0x7d) texts.push(line.slice(0, -1));
    }
    const started = performance.now();
    for (const text of texts) {
      const parsed = JSON.parse(text) as object;
      keys += parsed === null ? 0 : 1;
      if (keep) kept.push(parsed);
    }
    parseMs += performance.now() - started;
    records += texts.length;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) {
    const lines = (leftover + decoder.write(chunk as Buffer)).split("\n");
    leftover = lines.pop() ?? "";
    flush(lines);
  }
  flush([leftover + decoder.end()]);
  if (keys !== records || (keep && kept.length !== records)) throw new Error("unreachable: every record parses to an object");
  return { parseMs, records };
}

/** Walks a recorded snapshot down to its record lists: regions.<region>.<Operation>.<listKey>[]. */
function snapshotModes(path: readonly string[]): ValueMode {
  if (path.length === 1) return path[0] === "regions" ? "descend" : "capture";
  if (path[0] !== "regions") return "skip";
  if (path.length <= 3) return "descend";
  const operation = path[2] as string;
  return path.length === 4 && isEc2Operation(operation) && EC2_OPERATIONS[operation].listKey === path[3] ? "records" : "skip";
}

/** The product's streaming reader alone (lib/sources/json-stream.ts): bytes to parsed records. */
export async function measureRead(path: string): Promise<ReadResult> {
  let records = 0;
  const started = performance.now();
  await readJsonStream(path, {
    modeOf: snapshotModes,
    onRecord: () => {
      records++;
    },
    onValue: () => {},
  });
  return { readMs: performance.now() - started, records };
}

/**
 * The product's reader with every record normalized (normalizeEc2Item) as it is parsed, and then
 * dropped: no model keeps it. What any model built from normalized records pays before it keeps
 * anything, so (this − floor) is the least normalizing costs, and (product load − this) what
 * keeping the records and building the model add.
 */
export async function measureUnkept(path: string): Promise<UnkeptResult> {
  let resources = 0;
  let accountId = "";
  const started = performance.now();
  await readJsonStream(path, {
    modeOf: snapshotModes,
    onRecord: (where, _index, item) => {
      const operation = where[2] as Ec2Operation;
      resources += normalizeEc2Item(operation, item, { region: where[1] as string, accountId }).length;
    },
    onValue: (where, value) => {
      if (where[0] === "accountId") accountId = String(value);
    },
  });
  return { unkeptMs: performance.now() - started, resources };
}

/**
 * Model build as a pass of its own: the reader fills batches of parsed records untimed, and only
 * normalizing them (normalizeEc2Item), adding them to a ModelBuilder and building the indexed
 * ResourceModel are timed: the same steps loadSnapshots takes per record. Batches are small
 * (MODEL_BATCH), as the product holds one parsed record at a time.
 */
export async function measureModel(path: string): Promise<ModelResult> {
  const builder = new ModelBuilder();
  const accountId = { value: "" };
  let batch: { operation: Ec2Operation; region: string; item: unknown }[] = [];
  let modelMs = 0;
  let records = 0;
  let resources = 0;
  const regions = new Set<string>();
  const drain = () => {
    const started = performance.now();
    for (const { operation, region, item } of batch) {
      for (const record of normalizeEc2Item(operation, item, { region, accountId: accountId.value })) {
        builder.add(record);
        resources++;
      }
    }
    modelMs += performance.now() - started;
    records += batch.length;
    batch = [];
  };
  const handler: JsonStreamHandler = {
    modeOf: (where) => {
      if (where.length === 2 && where[0] === "regions") regions.add(where[1] as string);
      return snapshotModes(where);
    },
    onRecord: (where, _index, item) => {
      batch.push({ operation: where[2] as Ec2Operation, region: where[1] as string, item });
      if (batch.length === MODEL_BATCH) drain();
    },
    onValue: (where, value) => {
      if (where[0] === "accountId") accountId.value = String(value);
    },
  };
  await readJsonStream(path, handler);
  drain();
  const started = performance.now();
  for (const region of regions) {
    for (const kind of RESOURCE_KINDS) builder.markCollected({ region, accountId: accountId.value }, kind);
  }
  const model = builder.build();
  modelMs += performance.now() - started;
  if (model.count("instance") === 0) throw new Error("model build produced no instances");
  return { modelMs, records, resources };
}

/**
 * The product path end to end: loadSnapshots (read, parse, normalize, build), then each rule on
 * its own through runRules, with default parameters and no exemptions file.
 */
export async function measureProduct(paths: string[]): Promise<ProductResult> {
  const pauses: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
  observer.observe({ entryTypes: ["gc"] });
  const started = performance.now();
  const { model } = await loadSnapshots(paths);
  const loaded = performance.now();
  const rulesMs: Record<string, number> = {};
  const verdicts: Record<string, Record<string, number>> = {};
  for (const rule of RULES) {
    const ruleStarted = performance.now();
    const evaluations = runRules(model, { rules: [rule] });
    rulesMs[rule.meta.id] = performance.now() - ruleStarted;
    const counts: Record<string, number> = {};
    for (const evaluation of evaluations) counts[evaluation.complianceType] = (counts[evaluation.complianceType] ?? 0) + 1;
    verdicts[rule.meta.id] = counts;
  }
  const finished = performance.now();
  // Node queues each pause's entry for the event loop: let the last ones arrive.
  await new Promise((resolve) => setImmediate(resolve));
  const gcMs = { load: 0, rules: 0 };
  for (const pause of [...pauses, ...observer.takeRecords()]) {
    if (pause.startTime < started || pause.startTime > finished) continue;
    gcMs[pause.startTime < loaded ? "load" : "rules"] += pause.duration;
  }
  observer.disconnect();
  let resources = 0;
  for (const kind of RESOURCE_KINDS) resources += model.count(kind);
  return {
    loadMs: loaded - started,
    rulesMs,
    verdicts,
    resources,
    totalMs: finished - started,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    gcMs,
  };
}

export async function runChild(kind: ChildKind, path: string): Promise<unknown> {
  switch (kind) {
    case "floor":
      return measureFloor(path);
    case "floor-kept":
      return measureFloor(path, true);
    case "unkept":
      return measureUnkept(path);
    case "read":
      return measureRead(path);
    case "model":
      return measureModel(path);
    case "product":
      return measureProduct([path]);
    case "config-floor":
      return measureConfigFloor(configFiles(path));
    case "config-read":
      return measureConfigRead(configFiles(path));
    case "config-model":
      return measureConfigModel(configFiles(path));
    case "config-product":
      return measureProduct(configFiles(path));
  }
}

/** The files of an AWS Config dataset folder (scripts/bench/config-files.ts). */
function configFiles(folder: string): string[] {
  return (JSON.parse(readFileSync(join(folder, "meta.json"), "utf8")) as ConfigDatasetMeta).files;
}

const ITEM_SEPARATOR = `,${ITEM_START}`;
/** The chunk size of the product's reader (lib/sources/json-stream.ts). */
const GUNZIP_CHUNK = 1 << 20;

/**
 * The floor of AWS Config files: gunzip and JSON.parse of each item alone. The generator starts
 * every item with the same bytes (ITEM_START), so the decompressed text is cut into items there;
 * only that cutting is left out of the time. It inflates in chunks of the product's size
 * ({@link GUNZIP_CHUNK}), so that, as in the product, zlib works on libuv's threadpool while the
 * main thread parses: inflating in large chunks would leave the two mostly in turn, and the floor
 * would then be slower than the product's own read.
 */
export async function measureConfigFloor(files: readonly string[]): Promise<FloorResult> {
  let cutMs = 0;
  let records = 0;
  let keys = 0;
  const parse = (texts: readonly string[]) => {
    for (const text of texts) keys += (JSON.parse(text) as object) === null ? 0 : 1;
    records += texts.length;
  };
  const started = performance.now();
  for (const file of files) {
    const decoder = new StringDecoder("utf8");
    // The text of the item being cut, from its first byte (the file's header for the first one).
    let open = "";
    let first = true;
    const cut = (text: string, last: boolean): string[] => {
      const pieces = (open + text).split(ITEM_SEPARATOR);
      const tail = pieces.pop() as string;
      const texts = pieces.map((piece, index) => (index === 0 ? piece : ITEM_START + piece));
      open = pieces.length === 0 ? tail : ITEM_START + tail;
      if (last) texts.push(open.slice(0, open.lastIndexOf("]")));
      if (first && texts.length > 0) {
        texts[0] = (texts[0] as string).slice((texts[0] as string).indexOf("[") + 1);
        first = false;
      }
      return texts.filter((item) => item.length > 0);
    };
    for await (const chunk of createReadStream(file, { highWaterMark: GUNZIP_CHUNK }).pipe(createGunzip({ chunkSize: GUNZIP_CHUNK }))) {
      const cutStarted = performance.now();
      const texts = cut(decoder.write(chunk as Buffer), false);
      cutMs += performance.now() - cutStarted;
      parse(texts);
    }
    const cutStarted = performance.now();
    const texts = cut(decoder.end(), true);
    cutMs += performance.now() - cutStarted;
    parse(texts);
  }
  if (keys !== records) throw new Error("unreachable: every item parses to an object");
  return { parseMs: performance.now() - started - cutMs, records };
}

function configModes(path: readonly string[]): ValueMode {
  return path.length === 1 && path[0] === "configurationItems" ? "records" : "skip";
}

/** The product's streaming reader alone over the Config files: bytes to parsed items. */
export async function measureConfigRead(files: readonly string[]): Promise<ReadResult> {
  let records = 0;
  const started = performance.now();
  for (const file of files) {
    await readJsonStream(file, {
      modeOf: configModes,
      onRecord: () => {
        records++;
      },
      onValue: () => {},
    });
  }
  return { readMs: performance.now() - started, records };
}

/** Normalizing Config items (configItemToRecords) and building the model, over items already parsed. */
export async function measureConfigModel(files: readonly string[]): Promise<ModelResult> {
  const builder = new ModelBuilder();
  let batch: unknown[] = [];
  let modelMs = 0;
  let records = 0;
  let resources = 0;
  const scopes = new Map<string, { region: string; accountId: string }>();
  const drain = () => {
    const started = performance.now();
    for (const raw of batch) {
      const item = configItemToRecords(raw);
      scopes.set(`${item.accountId}/${item.region}`, { region: item.region, accountId: item.accountId });
      for (const record of item.records) {
        builder.add(record);
        resources++;
      }
    }
    modelMs += performance.now() - started;
    records += batch.length;
    batch = [];
  };
  for (const file of files) {
    await readJsonStream(file, {
      modeOf: configModes,
      onRecord: (_path, _index, item) => {
        batch.push(item);
        if (batch.length === MODEL_BATCH) drain();
      },
      onValue: () => {},
    });
  }
  drain();
  const started = performance.now();
  for (const scope of scopes.values()) for (const kind of RESOURCE_KINDS) builder.markCollected(scope, kind);
  const model = builder.build();
  modelMs += performance.now() - started;
  if (model.count("instance") === 0) throw new Error("model build produced no instances");
  return { modelMs, records, resources };
}
