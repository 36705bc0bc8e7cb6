/**
 * HTML report benchmark at 1M findings (issue 13): for each case, the time to render and write
 * the page, its bytes and how many findings it lists, then the median of 3 opens in Debian's
 * headless Chromium of the time from page.goto(file://…) until the page is usable: the load event,
 * the client script ready, and a search typed in the filter box changing the rows listed.
 * Targets: usable within 10 s, at most 40 MB.
 *
 * Cases: the synthetic mix of verdicts diffed against a previous run; every finding failing (the
 * worst case for a page that lists the failing ones); and a page of every finding at the
 * threshold (HTML_MAX_FINDINGS), which is what the threshold was chosen by.
 *
 *   npm run bench:html [-- --findings 1000000] [-- --max-findings 100000] [-- --json]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { writeFileAtomic } from "../lib/io/atomic-write";
import { HTML_MAX_FINDINGS, listedFindings, renderHtml } from "../lib/reports/html";
import { buildReport, type Report, reportRuleOf } from "../lib/reports/model";
import { RULES } from "../rules";
import { HAVE_BROWSER, launchChromium, MISSING_BROWSER } from "./chromium";
import { SYNTHETIC_SCOPES, syntheticEvaluations } from "./synthetic-findings";

const TARGET_USABLE_MS = 10_000;
/** 40 MB, decimal: the stricter reading. */
const TARGET_BYTES = 40_000_000;
const OPENS = 3;
/** A page that is not usable by then has missed the target anyway; the figure then reads as the timeout. */
const OPEN_TIMEOUT_MS = 120_000;

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

interface Open {
  /** page.goto(file://…) until the load event. */
  loadMs: number;
  /** …until the client script has built the first page of findings (body[data-ready]). */
  readyMs: number;
  /** …until a search typed in the filter box has changed the rows listed: the page is usable. */
  usableMs: number;
}

async function until(condition: () => Promise<boolean>, deadline: number): Promise<void> {
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error("timed out waiting for the page");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Opens the page in a fresh tab and times it until a search has filtered the rows. */
async function openPage(context: BrowserContext, file: string): Promise<Open> {
  const page: Page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  try {
    const started = performance.now();
    const deadline = started + OPEN_TIMEOUT_MS;
    await page.goto(pathToFileURL(file).href, { waitUntil: "load", timeout: OPEN_TIMEOUT_MS });
    const loaded = performance.now();
    await page.waitForSelector("body[data-ready=true]", { timeout: OPEN_TIMEOUT_MS });
    const ready = performance.now();
    // Search for the first listed resource: the listing must narrow to its rows.
    const info = page.locator("#page-info");
    const before = await info.textContent();
    const resource = (await page.locator("#rows tr td:nth-child(4)").first().textContent()) ?? "";
    await page.fill("#f-search", resource.split(" ").pop() ?? "");
    await until(async () => (await info.textContent()) !== before, deadline);
    const usable = performance.now();
    if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
    return { loadMs: loaded - started, readyMs: ready - started, usableMs: usable - started };
  } finally {
    await page.close();
  }
}

interface Case {
  name: string;
  findings: number;
  listed: number;
  renderAndWriteMs: number;
  bytes: number;
  opens: Open[];
  median: Open;
  bytesMet: boolean;
  usableMet: boolean;
}

async function measure(context: BrowserContext, dir: string, name: string, report: Report, maxFindings: number): Promise<Case> {
  const file = join(dir, `${name}.html`);
  const started = performance.now();
  const html = renderHtml(report, { maxFindings, fullReport: "report.json" });
  await writeFileAtomic(file, html);
  const renderAndWriteMs = performance.now() - started;
  const bytes = Buffer.byteLength(html);
  const listed = listedFindings(report, maxFindings).length;
  const opens: Open[] = [];
  for (let index = 0; index < OPENS; index++) opens.push(await openPage(context, file));
  const mid: Open = {
    loadMs: median(opens.map((open) => open.loadMs)),
    readyMs: median(opens.map((open) => open.readyMs)),
    usableMs: median(opens.map((open) => open.usableMs)),
  };
  const rounded = (open: Open): Open => ({
    loadMs: Math.round(open.loadMs),
    readyMs: Math.round(open.readyMs),
    usableMs: Math.round(open.usableMs),
  });
  return {
    name,
    findings: report.findings.length,
    listed,
    renderAndWriteMs: Math.round(renderAndWriteMs),
    bytes,
    opens: opens.map(rounded),
    median: rounded(mid),
    bytesMet: bytes <= TARGET_BYTES,
    usableMet: mid.usableMs <= TARGET_USABLE_MS,
  };
}

async function main(): Promise<void> {
  if (!HAVE_BROWSER) throw new Error(MISSING_BROWSER);
  const count = Number(argument("--findings") ?? 1_000_000);
  const maxFindings = Number(argument("--max-findings") ?? HTML_MAX_FINDINGS);
  const asJson = process.argv.includes("--json");
  const dir = mkdtempSync(join(tmpdir(), "bench-html-"));
  const rules = RULES.map(reportRuleOf);
  const tool = { name: "ec2-config-rules", version: "bench" };
  const build = (evaluations: ReturnType<typeof syntheticEvaluations>, previous?: Report) =>
    buildReport({ evaluations, rules, scopes: SYNTHETIC_SCOPES, previous, tool, now: () => new Date("2026-12-01T00:00:00Z") });
  const context = await launchChromium(join(dir, "profile"));
  try {
    // Each report is built (not timed), measured and dropped before the next, to bound memory.
    const cases: Case[] = [];
    const mixed = (findings: number) => build(syntheticEvaluations(findings, { changed: true }), build(syntheticEvaluations(findings)));
    cases.push(await measure(context, dir, "mixed", mixed(count), maxFindings));
    cases.push(await measure(context, dir, "all-failing", build(syntheticEvaluations(count, { allFailing: true })), maxFindings));
    cases.push(await measure(context, dir, "every-finding-at-threshold", mixed(maxFindings), maxFindings));
    const figures = {
      findings: count,
      maxFindings,
      opensPerCase: OPENS,
      targets: { usableMs: TARGET_USABLE_MS, bytes: TARGET_BYTES },
      cases,
      met: cases.every((each) => each.bytesMet && each.usableMet),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    if (asJson) {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      return;
    }
    const mb = (value: number) => `${(value / 1_000_000).toFixed(1)} MB`;
    const lines = [
      `HTML report benchmark: ${count} findings, pages list at most ${maxFindings}; median of ${OPENS} opens in Chromium`,
      ...cases.flatMap((each) => [
        `  ${each.name}: ${each.findings} findings, ${each.listed} listed`,
        `    render + write: ${each.renderAndWriteMs} ms, ${mb(each.bytes)} (target <= ${mb(TARGET_BYTES)}: ${each.bytesMet ? "met" : "MISSED"})`,
        `    goto → load ${each.median.loadMs} ms, → script ready ${each.median.readyMs} ms, → search filtered the rows ${each.median.usableMs} ms (target <= ${TARGET_USABLE_MS} ms: ${each.usableMet ? "met" : "MISSED"}); opens: ${each.opens.map((open) => open.usableMs).join(", ")} ms`,
      ]),
      `  peak RSS of the benchmark (not Chromium): ${mb(figures.peakRssBytes)}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-html: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
