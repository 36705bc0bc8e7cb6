/**
 * Report benchmark: generation time for 100k findings (reading and validating the previous JSON
 * report, building the report with its diff, rendering each format) and the HTML's size per
 * finding, raw and gzipped. Targets (issue 6): under 10 s, under 300 bytes per finding.
 *
 *   npm run bench:report [-- --findings 100000] [-- --json]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { writeFileAtomic } from "../lib/io/atomic-write";
import { REPORT_FORMATS, renderReport } from "../lib/reports";
import { readReport, renderJson } from "../lib/reports/json";
import { buildReport, reportRuleOf } from "../lib/reports/model";
import { RULES } from "../rules";
import { SYNTHETIC_SCOPES, syntheticEvaluations } from "./synthetic-findings";

const TARGET_MS = 10_000;
const TARGET_BYTES_PER_FINDING = 300;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** Wall time, plus this process's CPU time: on a shared, loaded machine the CPU figure is the steadier one. */
const cpuMs: Record<string, number> = {};

async function timed<T>(phase: string, work: () => T | Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(cpu);
  cpuMs[phase] = Math.round((used.user + used.system) / 1000);
  return [result, performance.now() - started];
}

async function main(): Promise<void> {
  const count = Number(argument("--findings") ?? 100_000);
  const asJson = process.argv.includes("--json");
  const dir = mkdtempSync(join(tmpdir(), "bench-report-"));
  const rules = RULES.map(reportRuleOf);
  const tool = { name: "ec2-config-rules", version: "bench" };
  try {
    // The previous run, written as the JSON report that --previous reads (set-up, not timed).
    const previousPath = join(dir, "previous.json");
    const firstRun = buildReport({
      evaluations: syntheticEvaluations(count),
      rules,
      scopes: SYNTHETIC_SCOPES,
      tool,
      now: () => new Date("2026-11-01T00:00:00Z"),
    });
    await writeFileAtomic(previousPath, renderJson(firstRun));
    const evaluations = syntheticEvaluations(count, { changed: true });

    const [previous, readPreviousMs] = await timed("readPrevious", () => readReport(previousPath));
    const [report, buildMs] = await timed("build", () => buildReport({ evaluations, rules, scopes: SYNTHETIC_SCOPES, previous, tool }));
    const renderMs: Record<string, number> = {};
    const bytes: Record<string, number> = {};
    let htmlGzipBytes = 0;
    for (const format of REPORT_FORMATS) {
      const output = join(dir, `report.${format}`);
      const [text, ms] = await timed(format, async () => {
        const rendered = renderReport(report, format);
        await writeFileAtomic(output, rendered);
        return rendered;
      });
      renderMs[format] = ms;
      bytes[format] = Buffer.byteLength(text);
      if (format === "html") htmlGzipBytes = gzipSync(text).length;
    }
    const htmlTotalMs = readPreviousMs + buildMs + (renderMs.html ?? 0);
    const htmlBytes = bytes.html ?? 0;
    const figures = {
      findings: report.findings.length,
      diff: report.diff?.counts,
      readPreviousMs: Math.round(readPreviousMs),
      buildMs: Math.round(buildMs),
      renderAndWriteMs: Object.fromEntries(Object.entries(renderMs).map(([format, ms]) => [format, Math.round(ms)])),
      htmlTotalMs: Math.round(htmlTotalMs),
      cpuMs,
      htmlTotalCpuMs: (cpuMs.readPrevious ?? 0) + (cpuMs.build ?? 0) + (cpuMs.html ?? 0),
      bytes,
      htmlBytesPerFinding: Math.round((htmlBytes / report.findings.length) * 10) / 10,
      htmlGzipBytesPerFinding: Math.round((htmlGzipBytes / report.findings.length) * 10) / 10,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    if (asJson) {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      return;
    }
    const mb = (value: number) => `${(value / 1024 / 1024).toFixed(1)} MB`;
    const lines = [
      `Report benchmark: ${figures.findings} findings (${Object.entries(figures.diff ?? {})
        .map(([change, n]) => `${n} ${change}`)
        .join(", ")})`,
      "  (wall ms / CPU ms of this process)",
      `  read + validate previous JSON report: ${figures.readPreviousMs} / ${cpuMs.readPrevious} ms`,
      `  build report (summary, diff, first seen): ${figures.buildMs} / ${cpuMs.build} ms`,
      ...REPORT_FORMATS.map(
        (format) =>
          `  render + write ${format.padEnd(5)}: ${String(figures.renderAndWriteMs[format]).padStart(6)} / ${String(cpuMs[format]).padStart(6)} ms  ${mb(bytes[format] ?? 0)}`,
      ),
      `  HTML report generation in all (read previous + build + render + write): ${figures.htmlTotalMs} / ${figures.htmlTotalCpuMs} ms (target < ${TARGET_MS} ms: ${htmlTotalMs < TARGET_MS ? "met" : "MISSED"})`,
      `  HTML bytes per finding: ${figures.htmlBytesPerFinding} raw (target < ${TARGET_BYTES_PER_FINDING}: ${figures.htmlBytesPerFinding < TARGET_BYTES_PER_FINDING ? "met" : "MISSED"}), ${figures.htmlGzipBytesPerFinding} gzip`,
      `  peak RSS: ${mb(figures.peakRssBytes)}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-report: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
