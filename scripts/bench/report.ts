/** The printed figures and the issue-2 performance targets, each with PASS/FAIL. */
import type { DatasetMeta } from "./generate";

export interface Run {
  resources: number;
  fileBytes: number;
  /** The floor: JSON.parse alone over the same records. */
  parseMs: number;
  /** The product's streaming reader (read + parse), no model. */
  readMs: number;
  /** Normalizing the parsed records and building the indexed model. */
  modelMs: number;
  rulesMs: Record<string, number>;
  /** loadSnapshots alone: read, parse and model build as the CLI does them. */
  loadMs: number;
  /** loadSnapshots plus every rule, one after the other. */
  totalMs: number;
  peakRssBytes: number;
  /** (model build + all rules) / parse floor. */
  ratio: number;
  repeats: number;
  meta: DatasetMeta;
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

function formatRun(run: Run): string {
  const rulesTotal = Object.values(run.rulesMs).reduce((sum, value) => sum + value, 0);
  const { meta } = run;
  let out = `\n== ${int(run.resources)} resources: ${int(meta.vpcs)} VPCs in ${meta.regions} regions, ${int(meta.records)} records` +
    `${run.repeats > 1 ? ` (median of ${run.repeats} runs, each in fresh processes)` : " (one run, fresh processes)"} ==\n`;
  out += row("file size", mb(run.fileBytes), `${int(run.fileBytes / run.resources)} bytes per resource on average`);
  const mix = Object.entries(meta.byOperation)
    .map(([operation, stats]) => `${operation.replace("Describe", "")} ${int(stats.resources)} (${int(stats.bytes / Math.max(1, stats.resources))} B)`)
    .join(", ");
  out += `  mix (resources, bytes each): ${mix}\n`;
  out += row("parse floor (JSON.parse per record)", ms(run.parseMs));
  out += row("read + parse (json-stream reader)", ms(run.readMs), `${(run.readMs / run.parseMs).toFixed(2)} × floor`);
  out += row("model build (normalize + index)", ms(run.modelMs));
  for (const [id, value] of Object.entries(run.rulesMs)) {
    const verdicts = Object.entries(run.verdicts[id] ?? {})
      .map(([type, count]) => `${type} ${int(count)}`)
      .join(", ");
    out += row(`rule ${id}`, ms(value), verdicts);
  }
  out += row("all six rules", ms(rulesTotal));
  out += row("loadSnapshots (read+parse+model)", ms(run.loadMs));
  out += row("  of which beyond read + parse", ms(run.loadMs - run.readMs), "model build plus the GC its growing heap adds to reading (info)");
  out += row("total (loadSnapshots + rules)", ms(run.totalMs), `${perResourceUs(run).toFixed(2)} µs per resource`);
  out += row("resources per second", int(run.resources / (run.totalMs / 1000)));
  out += row("peak RSS (product process)", mb(run.peakRssBytes), `${(run.peakRssBytes / run.fileBytes).toFixed(2)} × file size`);
  out += row("ratio (model + rules) / floor", run.ratio.toFixed(2));
  return out;
}

export interface Target {
  name: string;
  pass: boolean;
  detail: string;
}

/** The issue-2 targets, checked on the 1M run (and the 10k run for the per-resource target). */
export function checkTargets(runs: readonly Run[]): Target[] | string {
  const large = runs.find((run) => run.resources === TARGET_SIZE);
  if (!large) return `targets are set for ${int(TARGET_SIZE)} resources; not run (use the default sizes)`;
  const targets: Target[] = [
    {
      name: "(model build + all rules) / parse floor ≤ 1.0",
      pass: large.ratio <= 1.0,
      detail: large.ratio.toFixed(2),
    },
    {
      name: "read + parse ≤ 1.5 × parse floor",
      pass: large.readMs <= 1.5 * large.parseMs,
      detail: `${ms(large.readMs)} = ${(large.readMs / large.parseMs).toFixed(2)} × ${ms(large.parseMs)}`,
    },
    {
      name: "peak RSS ≤ 1.5 × snapshot size",
      pass: large.peakRssBytes <= 1.5 * large.fileBytes,
      detail: `${mb(large.peakRssBytes)} = ${(large.peakRssBytes / large.fileBytes).toFixed(2)} × ${mb(large.fileBytes)}`,
    },
  ];
  const small = runs.find((run) => run.resources === BASELINE_SIZE);
  if (small) {
    const factor = perResourceUs(large) / perResourceUs(small);
    targets.push({
      name: "time per resource at 1M ≤ 1.2 × at 10k",
      pass: factor <= 1.2,
      detail: `${perResourceUs(large).toFixed(2)} µs vs ${perResourceUs(small).toFixed(2)} µs = ${factor.toFixed(2)} ×`,
    });
  }
  return targets;
}

/** 10k runs are dominated by JIT warm-up, so scaling is also shown against the next size up (not a target). */
function scalingNote(runs: readonly Run[]): string | undefined {
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
  out += "floor = JSON.parse of each record's text alone (lines cut outside the timing); read + parse = lib/sources/json-stream.ts alone;\n";
  out += "model build = normalizeEc2Item + ModelBuilder + build() timed over batches of records the reader already parsed.\n";
  for (const run of runs) out += formatRun(run);
  const targets = checkTargets(runs);
  out += `\nTargets (issue 2, at ${int(TARGET_SIZE)} resources):\n`;
  if (typeof targets === "string") out += `  ${targets}\n`;
  else for (const target of targets) out += `  ${target.pass ? "PASS" : "FAIL"}  ${target.name.padEnd(46)} ${target.detail}\n`;
  out += scalingNote(runs) ?? "";
  return out;
}
