/**
 * Report benchmark: for each format, rendering and writing a report of N findings (default 100k),
 * each in a fresh child process, since peak RSS is per process. Each child does what
 * `report --previous previous.json` does: takes this run's evaluations (synthetic, about one
 * finding in ten changed) into the report as they are made, as the report command takes the
 * rules', reads the previous JSON report as a stream against them while it builds this run's report
 * with its diff, and writes the report as it renders. So the peak RSS includes the report model of
 * N findings, as a real run holds it; the child also prints what it holds at each step, and another
 * child what the N evaluations would take if they were held all at once.
 * Targets: the streamed formats (JSON, CSV, SARIF, JUnit) peak at most 1.5 × their output (issue
 * 13); the HTML report in under 10 s, under 300 bytes per finding (issue 6). Figures only: a
 * missed target prints MISSED, never fails.
 *
 *   npm run bench:report [-- --findings 1000000] [-- --formats json,csv] [-- --json]
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { Command, InvalidArgumentError } from "commander";
import { REPORT_FORMATS, type ReportFormat, writeReportFile } from "../lib/reports";
import { readReport, streamReport } from "../lib/reports/json";
import { buildReportAgainst, type Report, type ReportDiff, reportRuleOf } from "../lib/reports/model";
import { RULES } from "../rules";
import { jsonFromChild } from "./bench/child";
import { SYNTHETIC_SCOPES, syntheticEvaluationStream, syntheticEvaluations, syntheticReport } from "./synthetic-findings";

/** Streamed formats: peak RSS at most this many times the output's bytes. */
const STREAMED: readonly ReportFormat[] = ["json", "csv", "sarif", "junit"];
const TARGET_RSS_PER_OUTPUT_BYTE = 1.5;
const TARGET_HTML_MS = 10_000;
const TARGET_HTML_BYTES_PER_FINDING = 300;

const CHILD_HOLDS =
  "each render child takes N synthetic evaluations into this run's report model as they are made (as `report --previous` takes the rules'), reads the previous report (N findings) as a stream matched against them while it builds the model (N findings with its diff), then renders and writes one format";

const TOOL = { name: "ec2-config-rules", version: "bench" };

interface Timing {
  ms: number;
  cpuMs: number;
}

async function timed<T>(work: () => T | Promise<T>): Promise<[T, Timing]> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return [result, { ms: Math.round(performance.now() - started), cpuMs: Math.round((used.user + used.system) / 1000) }];
}

const peakRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

const collectGarbage = (globalThis as { gc?: () => void }).gc;

interface EvaluationsResult {
  evaluations: number;
  heapBytes: number;
  baseRssBytes: number;
}

interface PreviousResult {
  bytes: number;
}

interface ReadResult extends Timing {
  findings: number;
  peakRssBytes: number;
}

interface RenderResult {
  format: ReportFormat;
  findings: number;
  diff?: ReportDiff["counts"];
  /** Reading the previous report as a stream, matched against the evaluations, and building the report. */
  build: Timing;
  render: Timing;
  bytes: number;
  holds: Holdings;
  /** RSS (and V8 heap in use) with the report model built, after a full GC, just before rendering. */
  rssBeforeRenderBytes: number;
  heapBeforeRenderBytes: number;
  peakRssBytes: number;
  gzipBytes?: number;
}

/** What the child holds at each step, measured after a full GC: so a missed target can be explained. */
interface Holdings {
  /** The process before any findings: Node, the modules, the rules. */
  baseRssBytes: number;
  baseHeapBytes: number;
  /** Peak RSS before rendering: taking the evaluations, reading the previous report and building. */
  peakRssBuildingBytes: number;
  /** Heap the built report takes (it shares the evaluations' id and annotation strings). */
  reportHeapBytes: number;
}

const heapAfterGc = (): { rss: number; heapUsed: number } => {
  collectGarbage?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

/**
 * The report of a second run against the first, as `report --previous` builds it: the evaluations
 * taken as they are made, the previous report read as a stream against them.
 */
async function currentReport(previousPath: string, count: number): Promise<[Report, Timing, Holdings]> {
  const base = heapAfterGc();
  const rules = RULES.map(reportRuleOf);
  const [report, timing] = await timed(() =>
    buildReportAgainst(
      { evaluations: syntheticEvaluationStream(count, { changed: true }), rules, scopes: SYNTHETIC_SCOPES, tool: TOOL },
      (take) => streamReport(previousPath, take),
    ),
  );
  const peakRssBuildingBytes = peakRssBytes();
  const built = heapAfterGc();
  return [
    report,
    timing,
    { baseRssBytes: base.rss, baseHeapBytes: base.heapUsed, peakRssBuildingBytes, reportHeapBytes: built.heapUsed - base.heapUsed },
  ];
}

/** What the N evaluations take when they are all held at once (as `evaluate` holds them): V8 heap, objects and strings. */
function evaluationsHeld(count: number): EvaluationsResult {
  const base = heapAfterGc();
  const evaluations = syntheticEvaluations(count, { changed: true });
  const held = heapAfterGc();
  return { evaluations: evaluations.length, heapBytes: held.heapUsed - base.heapUsed, baseRssBytes: base.rss };
}

async function gzipBytesOf(path: string): Promise<number> {
  let bytes = 0;
  await pipeline(createReadStream(path), createGzip(), async (compressed: AsyncIterable<Buffer>) => {
    for await (const chunk of compressed) bytes += chunk.length;
  });
  return bytes;
}

async function child(kind: string, dir: string, count: number, format?: ReportFormat): Promise<unknown> {
  const previousPath = join(dir, "previous.json");
  if (kind === "previous") {
    const first = syntheticReport(count, TOOL);
    await writeReportFile(previousPath, first, "json");
    return { bytes: statSync(previousPath).size } satisfies PreviousResult;
  }
  if (kind === "evaluations") return evaluationsHeld(count);
  if (kind === "read") {
    const [previous, timing] = await timed(() => readReport(previousPath));
    return { ...timing, findings: previous.findings.length, peakRssBytes: peakRssBytes() } satisfies ReadResult;
  }
  const reportFormat = format as ReportFormat;
  const [report, build, holds] = await currentReport(previousPath, count);
  const { rss, heapUsed } = heapAfterGc();
  const output = join(dir, `report.${reportFormat}`);
  const [, render] = await timed(() => writeReportFile(output, report, reportFormat));
  const result: RenderResult = {
    format: reportFormat,
    findings: report.findings.length,
    diff: report.diff?.counts,
    build,
    render,
    bytes: statSync(output).size,
    holds,
    rssBeforeRenderBytes: rss,
    heapBeforeRenderBytes: heapUsed,
    peakRssBytes: peakRssBytes(),
  };
  // After the peak is taken: the gzip size is the HTML's figure (what a mail or a browser downloads).
  if (reportFormat === "html") result.gzipBytes = await gzipBytesOf(output);
  rmSync(output, { force: true });
  return result;
}

/** Runs one measurement in a fresh Node process (this script with `--child`) and returns the JSON it prints. */
function inChild<T>(args: string[]): Promise<T> {
  return jsonFromChild<T>(__filename, args, `bench-report: the ${args[0]} child`, ["--expose-gc"]);
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count <= 0) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return count;
}

function parseFormats(value: string): ReportFormat[] {
  const formats = value.split(",").map((part) => part.trim());
  for (const format of formats) {
    if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw new InvalidArgumentError(`"${format}" is not one of ${REPORT_FORMATS.join(", ")}`);
    }
  }
  return formats as ReportFormat[];
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const childAt = process.argv.indexOf("--child");
  if (childAt >= 0) {
    const [kind, dir, count, format] = process.argv.slice(childAt + 1) as [string, string, string, ReportFormat | undefined];
    process.stdout.write(`${JSON.stringify(await child(kind, dir, Number(count), format))}\n`);
    return;
  }
  const program = new Command("bench-report")
    .description("Benchmark rendering and writing reports of many findings, each format in its own process (figures, not a test)")
    .option("--findings <n>", "findings per report", parseCount, 100_000)
    .option("--formats <list>", `comma-separated formats: ${REPORT_FORMATS.join(", ")}`, parseFormats, [...REPORT_FORMATS])
    .option("--json", "print one JSON object with every figure instead of the text")
    .parse();
  const options = program.opts<{ findings: number; formats: ReportFormat[]; json?: boolean }>();
  const count = options.findings;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), "bench-report-"));
  try {
    log(`bench-report: writing the previous report of ${count} findings …`);
    const previous = await inChild<PreviousResult>(["previous", dir, String(count)]);
    log("bench-report: reading it back …");
    const read = await inChild<ReadResult>(["read", dir, String(count)]);
    log("bench-report: the evaluations, held …");
    const held = await inChild<EvaluationsResult>(["evaluations", dir, String(count)]);
    const renders: RenderResult[] = [];
    // A format that cannot render at this size (a whole-string one past V8's string limit) is reported, not fatal.
    const failed: Record<string, string> = {};
    for (const format of options.formats) {
      log(`bench-report: ${format} …`);
      try {
        renders.push(await inChild<RenderResult>(["render", dir, String(count), format]));
      } catch (error) {
        failed[format] = (error as Error).message;
      }
    }
    const loadAfter = loadavg();
    const formats = Object.fromEntries(
      renders.map((result) => {
        const ratio = round(result.peakRssBytes / result.bytes);
        const streamed = STREAMED.includes(result.format);
        return [
          result.format,
          {
            ...result,
            bytesPerFinding: round(result.bytes / result.findings, 1),
            peakRssPerOutputByte: ratio,
            // What rendering and writing added to the RSS the built report model had already reached.
            renderRssGrowthBytes: Math.max(0, result.peakRssBytes - result.rssBeforeRenderBytes),
            // What a build that held the evaluations all at once would start from; and what this one holds once built (before V8's young generation and uncollected garbage).
            evaluationsFloorBytes: result.holds.baseRssBytes + held.heapBytes,
            builtFloorBytes: result.holds.baseRssBytes + result.holds.reportHeapBytes,
            ...(streamed ? { targetMet: ratio <= TARGET_RSS_PER_OUTPUT_BYTE } : {}),
          },
        ];
      }),
    );
    const html = formats.html;
    const htmlTotalMs = html ? html.build.ms + html.render.ms : undefined;
    const figures = {
      findings: count,
      childHolds: CHILD_HOLDS,
      node: process.version,
      cpus: `${availableParallelism()} × ${cpus()[0]?.model ?? "unknown CPU"}`,
      loadBefore,
      loadAfter,
      previousReportBytes: previous.bytes,
      readPrevious: read,
      evaluationsHeld: held,
      formats,
      failed,
      targets: {
        peakRssPerOutputByte: TARGET_RSS_PER_OUTPUT_BYTE,
        htmlMs: TARGET_HTML_MS,
        htmlBytesPerFinding: TARGET_HTML_BYTES_PER_FINDING,
      },
      ...(html && htmlTotalMs !== undefined
        ? {
            htmlTotalMs,
            htmlGzipBytesPerFinding: round((html.gzipBytes ?? 0) / html.findings, 1),
          }
        : {}),
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      return;
    }
    const diff = renders[0]?.diff;
    const lines = [
      `Report benchmark: ${count} findings${
        diff
          ? ` (${Object.entries(diff)
              .map(([change, n]) => `${n} ${change}`)
              .join(", ")})`
          : ""
      }`,
      `  ${figures.cpus}, Node ${figures.node}; load average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`,
      `  What a child holds: ${CHILD_HOLDS}.`,
      "  (times: wall ms / CPU ms of the child)",
      `  read + validate the previous JSON report whole (as gate --baseline and remediate do; ${mb(previous.bytes)}): ${read.ms} / ${read.cpuMs} ms, peak RSS ${mb(read.peakRssBytes)}`,
      "  format  render+write ms   output      B/finding  RSS before render  peak RSS    render's RSS growth  peak RSS / output",
      ...renders.map((result) => {
        const entry = formats[result.format] as (typeof formats)[string];
        const verdict =
          entry.targetMet === undefined ? "" : ` (target ≤ ${TARGET_RSS_PER_OUTPUT_BYTE}: ${entry.targetMet ? "met" : "MISSED"})`;
        return `  ${result.format.padEnd(6)}  ${`${result.render.ms} / ${result.render.cpuMs}`.padStart(15)}  ${mb(result.bytes).padStart(10)}  ${String(entry.bytesPerFinding).padStart(9)}  ${mb(result.rssBeforeRenderBytes).padStart(17)}  ${mb(result.peakRssBytes).padStart(9)}  ${mb(entry.renderRssGrowthBytes).padStart(19)}  ${entry.peakRssPerOutputByte}${verdict}`;
      }),
      ...Object.entries(failed).map(([format, message]) => `  ${format.padEnd(6)}  failed: ${message}`),
      `  the ${held.evaluations} evaluations, if held all at once (as evaluate holds them): ${mb(held.heapBytes)} of V8 heap`,
      "  what each child holds, after a full GC (heap: V8 heap in use; peak RSS building: before rendering):",
      "  format  base RSS / heap       peak RSS building  report's heap  take evaluations + read previous + build ms",
      ...renders.map(({ format, holds, build }) =>
        [
          `  ${format.padEnd(6)}`,
          `${mb(holds.baseRssBytes)} / ${mb(holds.baseHeapBytes)}`.padStart(19),
          mb(holds.peakRssBuildingBytes).padStart(18),
          mb(holds.reportHeapBytes).padStart(14),
          `${build.ms} / ${build.cpuMs}`.padStart(44),
        ].join(" "),
      ),
      "  against the target (× output): base RSS + the evaluations' heap, what a build holding them all would start from; base RSS +",
      "  the report's heap, what this one holds once built, before V8's young generation and garbage not yet collected:",
      "  format  1.5 × output  base + evaluations  base + report  peak RSS",
      ...renders
        .filter(({ format }) => STREAMED.includes(format))
        .map(({ format, bytes, peakRssBytes }) => {
          const entry = formats[format] as (typeof formats)[string];
          const times = (value: number) => `${mb(value)} (${round(value / bytes)})`;
          return [
            `  ${format.padEnd(6)}`,
            mb(TARGET_RSS_PER_OUTPUT_BYTE * bytes).padStart(12),
            times(entry.evaluationsFloorBytes).padStart(18),
            times(entry.builtFloorBytes).padStart(14),
            times(peakRssBytes).padStart(17),
          ].join(" ");
        }),
      ...(html && htmlTotalMs !== undefined
        ? [
            `  HTML report generation in all (read previous + build, render + write): ${htmlTotalMs} ms (target < ${TARGET_HTML_MS} ms: ${htmlTotalMs < TARGET_HTML_MS ? "met" : "MISSED"})`,
            `  HTML bytes per finding: ${formats.html?.bytesPerFinding} raw (target < ${TARGET_HTML_BYTES_PER_FINDING}: ${(formats.html?.bytesPerFinding ?? Infinity) < TARGET_HTML_BYTES_PER_FINDING ? "met" : "MISSED"}), ${figures.htmlGzipBytesPerFinding} gzip`,
          ]
        : []),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
