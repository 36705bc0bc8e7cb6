/** The printed figures and the performance targets of issues 2 and 13, each with PASS/FAIL. */
import type { ConfigDatasetMeta } from "./config-files";
import type { DatasetMeta } from "./generate";

/** A recorded snapshot (one plain JSON file), or AWS Config snapshot files (compact, gzipped). */
export type Source = "recorded" | "config-files";

export interface Run {
  source: Source;
  resources: number;
  /** The input's bytes, decompressed. */
  fileBytes: number;
  /** The floor: JSON.parse alone over the same records (for Config files, gunzip included). */
  parseMs: number;
  /** Recorded snapshots: the same JSON.parse calls with every record kept to the end (what views over parsed records would pay). */
  keptParseMs?: number;
  /** Recorded snapshots: the product's reader normalizing every record as it is parsed, keeping none. */
  unkeptMs?: number;
  /** The product's streaming reader (read + parse), no model. */
  readMs: number;
  /** Normalizing the parsed records and building the indexed model. */
  modelMs: number;
  rulesMs: Record<string, number>;
  /** loadSnapshots alone: read, parse and model build as the CLI does them. */
  loadMs: number;
  /** loadSnapshots plus every rule, one after the other. */
  totalMs: number;
  /** Garbage collection pauses within loadSnapshots, and within the rules (the product process). */
  gcLoadMs: number;
  gcRulesMs: number;
  peakRssBytes: number;
  /** (loadSnapshots + all rules) / parse floor: the median of the rounds' ratios, each round's own product over its own floor. */
  endToEnd: number;
  endToEndByRound: number[];
  /** (model build + all rules) / parse floor, likewise the median of the rounds' ratios. */
  ratio: number;
  ratioByRound: number[];
  repeats: number;
  meta?: DatasetMeta;
  configMeta?: ConfigDatasetMeta;
  verdicts: Record<string, Record<string, number>>;
}

const TARGET_SIZE = 1_000_000;
const BASELINE_SIZE = 10_000;

const ms = (value: number) => `${value.toFixed(value < 100 ? 1 : 0)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const int = (value: number) => Math.round(value).toLocaleString("en-US");
const perResourceUs = (run: Run) => (run.totalMs * 1000) / run.resources;

function row(label: string, value: string, note = ""): string {
  return `  ${label.padEnd(34)} ${value.padStart(12)}${note ? `   ${note}` : ""}\n`;
}

function describeInput(run: Run): string {
  const { meta, configMeta } = run;
  const times = run.repeats > 1 ? ` (median of ${run.repeats} runs, each in fresh processes)` : " (one run, fresh processes)";
  if (configMeta) {
    let out = `\n== AWS Config files, ${int(run.resources)} items in ${configMeta.files.length} gzipped snapshot files${times} ==\n`;
    out += row(
      "size (decompressed)",
      mb(run.fileBytes),
      `${int(run.fileBytes / run.resources)} bytes per item; ${mb(configMeta.compressedBytes)} gzipped`,
    );
    const mix = Object.entries(configMeta.byType)
      .map(([type, stats]) => `${type.replace("AWS::EC2::", "")} ${int(stats.items)} (${int(stats.bytes / Math.max(1, stats.items))} B)`)
      .join(", ");
    return `${out}  mix (items, bytes each): ${mix}\n`;
  }
  if (!meta) return `\n== ${int(run.resources)} resources${times} ==\n`;
  let out = `\n== recorded snapshot, ${int(run.resources)} resources: ${int(meta.vpcs)} VPCs in ${meta.regions} regions, ${int(meta.records)} records${times} ==\n`;
  out += row("file size", mb(run.fileBytes), `${int(run.fileBytes / run.resources)} bytes per resource on average`);
  const mix = Object.entries(meta.byOperation)
    .map(
      ([operation, stats]) =>
        `${operation.replace("Describe", "")} ${int(stats.resources)} (${int(stats.bytes / Math.max(1, stats.resources))} B)`,
    )
    .join(", ");
  return `${out}  mix (resources, bytes each): ${mix}\n`;
}

function formatRun(run: Run): string {
  const rulesTotal = Object.values(run.rulesMs).reduce((sum, value) => sum + value, 0);
  let out = describeInput(run);
  out += row(
    run.source === "config-files" ? "floor (gunzip + JSON.parse per item)" : "parse floor (JSON.parse per record)",
    ms(run.parseMs),
  );
  if (run.keptParseMs !== undefined) {
    out += row(
      "  the same, every record kept",
      ms(run.keptParseMs),
      `${(run.keptParseMs / run.parseMs).toFixed(2)} × floor: a model of views over the parsed records would start here (info)`,
    );
  }
  out += row("read + parse (json-stream reader)", ms(run.readMs), `${(run.readMs / run.parseMs).toFixed(2)} × floor`);
  if (run.unkeptMs !== undefined) {
    out += row(
      "  the same, normalized, none kept",
      ms(run.unkeptMs),
      `${(run.unkeptMs / run.parseMs).toFixed(2)} × floor: where a model of normalized records starts, before it keeps any (info)`,
    );
  }
  out += row("model build (normalize + add)", ms(run.modelMs), "relation indexes are built on first use, within the rules' times");
  for (const [id, value] of Object.entries(run.rulesMs)) {
    const verdicts = Object.entries(run.verdicts[id] ?? {})
      .map(([type, count]) => `${type} ${int(count)}`)
      .join(", ");
    out += row(`rule ${id}`, ms(value), verdicts);
  }
  out += row("all six rules", ms(rulesTotal));
  out += row("loadSnapshots (read+parse+model)", ms(run.loadMs));
  out += row(
    "  of which beyond read + parse",
    ms(run.loadMs - run.readMs),
    "model build plus the GC its growing heap adds to reading (info)",
  );
  out += row("total (loadSnapshots + rules)", ms(run.totalMs), `${perResourceUs(run).toFixed(2)} µs per resource`);
  out += row(
    "  of which garbage collection",
    ms(run.gcLoadMs + run.gcRulesMs),
    `${ms(run.gcLoadMs)} loading, ${ms(run.gcRulesMs)} in the rules: pauses that grow with what the model keeps (info)`,
  );
  out += row("resources per second", int(run.resources / (run.totalMs / 1000)));
  out += row(
    "end to end / floor",
    run.endToEnd.toFixed(2),
    `loadSnapshots + rules over the floor, by round: ${byRound(run.endToEndByRound)}`,
  );
  if (run.unkeptMs !== undefined) {
    out += row(
      "  were keeping records free",
      ((run.unkeptMs + rulesTotal) / run.parseMs).toFixed(2),
      "(normalized, none kept + all rules) / floor: the least this design can reach (info)",
    );
  }
  out += row(
    "peak RSS (product process)",
    mb(run.peakRssBytes),
    `${(run.peakRssBytes / run.fileBytes).toFixed(2)} × ${run.source === "config-files" ? "decompressed size" : "file size"}`,
  );
  out += row("ratio (model + rules) / floor", run.ratio.toFixed(2), `by round: ${byRound(run.ratioByRound)}`);
  return out;
}

export interface Target {
  name: string;
  pass: boolean;
  detail: string;
}

const perResourceTarget = (large: Run, small: Run | undefined): Target[] => {
  if (!small) return [];
  const factor = perResourceUs(large) / perResourceUs(small);
  return [
    {
      name: "time per resource at 1M ≤ 1.2 × at 10k",
      pass: factor <= 1.2,
      detail: `${perResourceUs(large).toFixed(2)} µs vs ${perResourceUs(small).toFixed(2)} µs = ${factor.toFixed(2)} ×`,
    },
  ];
};

const byRound = (ratios: readonly number[]): string => ratios.map((ratio) => ratio.toFixed(2)).join(", ");

const endToEnd = (run: Run, limit: number): Target => ({
  name: `end to end (load + rules) ≤ ${limit} × floor`,
  pass: run.endToEnd <= limit,
  detail: `${run.endToEnd.toFixed(2)} (rounds ${byRound(run.endToEndByRound)}; medians ${ms(run.totalMs)} over ${ms(run.parseMs)})`,
});

const peakRss = (run: Run, of: string): Target => ({
  name: `peak RSS ≤ 1.5 × ${of}`,
  pass: run.peakRssBytes <= 1.5 * run.fileBytes,
  detail: `${mb(run.peakRssBytes)} = ${(run.peakRssBytes / run.fileBytes).toFixed(2)} × ${mb(run.fileBytes)}`,
});

/** The targets of issues 2 and 13, checked on a source's 1M run (and its 10k run for the per-resource target). */
export function checkTargets(runs: readonly Run[], source: Source = "recorded"): Target[] | string {
  const ofSource = runs.filter((run) => run.source === source);
  const large = ofSource.find((run) => run.resources === TARGET_SIZE);
  if (!large) return `targets are set for ${int(TARGET_SIZE)} resources; not run (use the default sizes)`;
  const small = ofSource.find((run) => run.resources === BASELINE_SIZE);
  if (source === "config-files") return [endToEnd(large, 2), peakRss(large, "decompressed size"), ...perResourceTarget(large, small)];
  return [
    endToEnd(large, 1.5),
    {
      name: "(model build + all rules) ≤ 0.5 × parse floor",
      pass: large.ratio <= 0.5,
      detail: `${large.ratio.toFixed(2)} (rounds ${byRound(large.ratioByRound)})`,
    },
    {
      name: "read + parse ≤ 1.5 × parse floor",
      pass: large.readMs <= 1.5 * large.parseMs,
      detail: `${ms(large.readMs)} = ${(large.readMs / large.parseMs).toFixed(2)} × ${ms(large.parseMs)}`,
    },
    peakRss(large, "snapshot size"),
    ...perResourceTarget(large, small),
  ];
}

/** 10k runs are dominated by JIT warm-up, so scaling is also shown against the next size up (not a target). */
function scalingNote(allRuns: readonly Run[], source: Source): string | undefined {
  const runs = allRuns.filter((run) => run.source === source);
  const large = runs.find((run) => run.resources === TARGET_SIZE);
  const middle = runs.filter((run) => run.resources > BASELINE_SIZE && run.resources < TARGET_SIZE).at(-1);
  if (!large || !middle) return undefined;
  const factor = perResourceUs(large) / perResourceUs(middle);
  return `  info  time per resource at 1M vs ${int(middle.resources)}: ${perResourceUs(large).toFixed(2)} µs vs ${perResourceUs(middle).toFixed(2)} µs = ${factor.toFixed(2)} × (not a target)\n`;
}

export function formatReport(
  runs: readonly Run[],
  env: { node: string; cpus: string; cores: number; dataDir: string; loadBefore: number; loadAfter: number },
): string {
  let out = `ec2-config-rules benchmark: Node ${env.node}, ${env.cpus}; data in ${env.dataDir}\n`;
  const busy = Math.max(env.loadBefore, env.loadAfter) > env.cores;
  out += `1-minute load average: ${env.loadBefore.toFixed(1)} before, ${env.loadAfter.toFixed(1)} after${busy ? ` (above ${env.cores} cores: other processes shared the CPUs, wall times are inflated)` : ""}\n`;
  out +=
    "floor = JSON.parse of each record's text alone (lines cut outside the timing); read + parse = lib/sources/json-stream.ts alone;\n";
  out +=
    "model build = normalizeEc2Item (Config files: configItemToRecords) + ModelBuilder + build() timed over batches of records the reader already parsed.\n";
  for (const run of runs) out += formatRun(run);
  for (const source of new Set(runs.map((run) => run.source))) {
    const targets = checkTargets(runs, source);
    out += `\nTargets (${source === "config-files" ? "AWS Config files, issue 13" : "recorded snapshot, issues 2 and 13"}, at ${int(TARGET_SIZE)} resources):\n`;
    if (typeof targets === "string") out += `  ${targets}\n`;
    else for (const target of targets) out += `  ${target.pass ? "PASS" : "FAIL"}  ${target.name.padEnd(46)} ${target.detail}\n`;
    out += scalingNote(runs, source) ?? "";
  }
  return out;
}
