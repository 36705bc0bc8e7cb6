import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import type { Evaluation } from "../../lib/engine/rule";
import { type HtmlOptions, listedFindings, renderHtml } from "../../lib/reports/html";
import { parseReport, renderJson } from "../../lib/reports/json";
import { buildReport, type Report } from "../../lib/reports/model";
import { HAVE_BROWSER, launchChromium, MISSING_BROWSER } from "../../scripts/chromium";
import { SYNTHETIC_SCOPES, syntheticEvaluations } from "../../scripts/synthetic-findings";
import { fixtureReportWithControls } from "./controls-fixture";
import { CURRENT_AT, fixtureReport, PREVIOUS_AT, reportRules, TOOL } from "./fixture";

/**
 * Renders the HTML report in Debian's headless Chromium (never a browser Playwright downloads).
 * Without a browser the test fails under CI and is skipped, loudly, elsewhere: it never passes
 * without having rendered anything.
 */
if (!HAVE_BROWSER && !process.env.CI) {
  console.warn(`SKIPPING the HTML render test: ${MISSING_BROWSER}`);
}

interface Opened {
  page: Page;
  /** Console errors, uncaught exceptions and any request that left the file. */
  problems: string[];
}

/** The second day's report of `count` synthetic findings, diffed against the first day's. */
function secondRunOf(count: number): Report {
  const build = (evaluations: Evaluation[], now: Date, previous?: Report) =>
    buildReport({ evaluations, rules: reportRules(), scopes: SYNTHETIC_SCOPES, previous, tool: TOOL, now: () => now });
  return build(syntheticEvaluations(count, { changed: true }), CURRENT_AT, build(syntheticEvaluations(count), PREVIOUS_AT));
}

const describeBrowser = HAVE_BROWSER ? describe : process.env.CI ? describe : describe.skip;

describeBrowser("HTML report in headless Chromium", () => {
  let context: BrowserContext;
  let dir: string;

  beforeAll(async () => {
    if (!HAVE_BROWSER) throw new Error(`CI requires the HTML render test: ${MISSING_BROWSER}`);
    dir = mkdtempSync(join(tmpdir(), "report-html-"));
    context = await launchChromium(join(dir, "profile"));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(report: Report, name: string, options?: HtmlOptions): Promise<Opened> {
    const file = join(dir, name);
    writeFileSync(file, renderHtml(report, options));
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("request", (request) => {
      if (!request.url().startsWith("file:") && !request.url().startsWith("data:")) problems.push(`network request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
    return { page, problems };
  }

  /** Waits for the debounced search (the page's CSP forbids the string evaluation waitForFunction uses). */
  async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error("timed out waiting for the page");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const rowCount = (page: Page) => page.locator("#rows tr").count();
  const columnTexts = (page: Page, column: number) => page.locator(`#rows tr td:nth-child(${column})`).allTextContents();

  test("renders the diffed fixture report with no console errors; summary first; filters, search and change links work", async () => {
    const previous = parseReport(JSON.parse(renderJson(fixtureReport("previous"))), "previous.json");
    const report = fixtureReport("current", previous);
    const { page, problems } = await open(report, "fixture.html");

    // Summary, changes, exemptions, then findings, in document order; two SVG charts with a bar per rule.
    const sections = page.locator("body > section");
    const order = await Promise.all(Array.from({ length: await sections.count() }, (_, index) => sections.nth(index).getAttribute("id")));
    expect(order).toEqual(["summary", "controls", "changes", "exemptions", "findings", "inputs"]);
    // The invalid exemption tag and the exemption ending within 14 days are listed.
    expect(await page.locator("#exemptions").textContent()).toContain('compliance-exempt-expires "next-year" is not an ISO date');
    expect(await page.locator("#exemptions tr", { hasText: "eipalloc-0later" }).textContent()).toContain("2026-12-01");
    // By rule, by region and by account.
    expect(await page.locator("#summary svg").count()).toBe(3);
    expect(await page.locator("#summary figure").first().locator("text[data-filter]").count()).toBe(report.rules.length);

    expect(await rowCount(page)).toBe(report.findings.length);
    expect(await page.locator("#page-info").textContent()).toContain(`of ${report.findings.length}`);

    // Filter on compliance: only the non-compliant rows remain.
    const nonCompliantOption = await page.locator("#f-state option", { hasText: "Non-compliant" }).getAttribute("value");
    await page.selectOption("#f-state", nonCompliantOption ?? "");
    expect(await rowCount(page)).toBe(report.summary.totals.NON_COMPLIANT);
    expect(new Set(await columnTexts(page, 3))).toEqual(new Set(["Non-compliant"]));

    // Narrow by rule as well.
    await page.selectOption("#f-rule", { label: `eip-attached (${report.summary.byRule["eip-attached"]?.total})` });
    expect(await columnTexts(page, 4)).toEqual(["EIP eipalloc-0fresh", "EIP eipalloc-0idle"]);

    // Search combines with the filters.
    await page.fill("#f-search", "0IDLE");
    await until(async () => (await rowCount(page)) === 1);
    expect(await columnTexts(page, 4)).toEqual(["EIP eipalloc-0idle"]);

    // The "new" card of the changes section selects the new findings only.
    await page.click("#changes a.change-new");
    expect(await columnTexts(page, 8)).toEqual(["New", "New"]);
    expect(await page.inputValue("#f-search")).toBe("");

    // Clear filters: everything again.
    await page.click("#reset");
    expect(await rowCount(page)).toBe(report.findings.length);

    // The resources gone or unjudged since the previous run are listed in the changes section.
    const changes = await page.locator("#changes").textContent();
    expect(changes).toContain("eipalloc-0released");
    expect(changes).toContain("eipalloc-0east");

    expect(problems).toEqual([]);
    await page.close();
  });

  test("two accounts holding the same ids: a chart and a table by account, failing first, each filtering the findings to its account", async () => {
    const one = fixtureReport("current");
    const other = "777788889999";
    const evaluations = [
      ...one.findings,
      ...[...one.findings]
        .filter((finding) => finding.complianceType !== "NON_COMPLIANT")
        .map((finding) => ({ ...finding, accountId: other })),
    ];
    const scopes = [...one.scopes, ...one.scopes.map((scope) => ({ ...scope, accountId: other }))];
    const report = buildReport({ evaluations, rules: one.rules, scopes, tool: TOOL, now: () => CURRENT_AT });
    const { page, problems } = await open(report, "two-accounts.html");
    const accountChart = page.locator("#summary figure", { hasText: "Compliance by account" });
    // The failing account first.
    expect(await accountChart.locator("text[data-filter^='account=']").allTextContents()).toEqual([one.scopes[0]?.accountId, other]);
    await page.click(`#summary table.counts a[data-filter="account=${other}"]`);
    const mine = [...report.findings].filter((finding) => finding.accountId === other).length;
    expect(await rowCount(page)).toBe(mine);
    expect(new Set(await columnTexts(page, 6))).toEqual(new Set([other]));
    await page.click("#reset");
    expect(await rowCount(page)).toBe(report.findings.length);
    expect(await page.locator("#f-account option").count()).toBe(3);
    expect(problems).toEqual([]);
    await page.close();
  });

  test("compliance by control: each framework's controls with their rules and counts, linked to the filtered findings", async () => {
    const previous = parseReport(JSON.parse(renderJson(fixtureReportWithControls("previous"))), "previous.json");
    const report = fixtureReportWithControls("current", previous);
    const { page, problems } = await open(report, "controls.html");
    const section = page.locator("#controls");
    expect(await section.locator("h3").allTextContents()).toEqual([
      "AWS Foundational Security Best Practices",
      "CIS AWS Foundations Benchmark",
      "NIST SP 800-53",
    ]);
    // One row per control, in reading order (EC2.9 before EC2.12); AC-4 lists both of its rules.
    const fsbp = section.locator("table").first().locator("tr td:first-child");
    expect(await fsbp.allTextContents()).toEqual(["EC2.8", "EC2.9", "EC2.12"]);
    const ac4 = section.locator("tr", { hasText: "AC-4" });
    expect(await ac4.locator("td:nth-child(3)").textContent()).toBe("ec2-no-public-ip, imdsv2-required");
    const failing = (ruleIds: string[]) =>
      [...report.findings].filter((finding) => ruleIds.includes(finding.ruleId) && finding.complianceType === "NON_COMPLIANT").length;
    expect(Number(await ac4.locator("td:nth-child(4)").textContent())).toBe(failing(["ec2-no-public-ip", "imdsv2-required"]));
    const ec28 = section.locator("tr", { hasText: "EC2.8" });
    const passing = report.summary.byRule["imdsv2-required"]?.COMPLIANT ?? 0;
    expect(Number(await ec28.locator("td:nth-child(5)").textContent())).toBe(passing);

    // The failing count of a control lists the failing findings of all its rules.
    await ac4.locator("td:nth-child(4) a").click();
    expect(await rowCount(page)).toBe(failing(["ec2-no-public-ip", "imdsv2-required"]));
    expect(new Set(await columnTexts(page, 1))).toEqual(new Set(["ec2-no-public-ip", "imdsv2-required"]));
    expect(new Set(await columnTexts(page, 3))).toEqual(new Set(["Non-compliant"]));
    expect(await page.locator("#f-control option:checked").textContent()).toBe("nist-800-53 AC-4");
    // The control alone: every finding of its rules.
    await ec28.locator("td:first-child a").click();
    expect(await rowCount(page)).toBe(report.summary.byRule["imdsv2-required"]?.total);
    expect(problems).toEqual([]);
    await page.close();
  });

  test("without a previous report the change filter and column are hidden; without mappings, the control filter", async () => {
    const first = fixtureReport("previous");
    const unmapped = { ...first, rules: first.rules.map((rule) => ({ ...rule, controls: [] })) };
    const { page, problems } = await open(unmapped, "first.html");
    expect(await page.locator("#f-control").isVisible()).toBe(false);
    expect(await page.locator("#controls").textContent()).toContain("No rule of this report is mapped to a framework control.");
    expect(await page.locator("#f-change").isVisible()).toBe(false);
    expect(await page.locator("table.findings thead th", { hasText: "Change" }).count()).toBe(0);
    expect(await page.locator("#rows tr").first().locator("td").count()).toBe(8);
    expect(problems).toEqual([]);
    await page.close();
  });

  test("a page listing only the failing findings: the note, the first page worst first, filters and search over what it lists", async () => {
    const report = secondRunOf(3000);
    // More than the failing findings (about a third), so both failing states are listed.
    const maxFindings = 1200;
    const listed = listedFindings(report, maxFindings);
    expect(listed.length).toBeLessThan(maxFindings);
    const { page, problems } = await open(report, "listed.html", { maxFindings, fullReport: "report.json" });
    const note = page.locator("#findings .not-listed");
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toContain(
      `${report.findings.length - listed.length} of the ${report.findings.length} findings are not listed`,
    );
    expect(await page.locator("#page-info").textContent()).toBe(
      `Findings 1–100 of ${listed.length} (page 1 of ${Math.ceil(listed.length / 100)})`,
    );
    // Worst first: the synthetic rules' most severe are high.
    expect(new Set(await columnTexts(page, 2))).toEqual(new Set(["high"]));
    expect(new Set(await columnTexts(page, 3))).toEqual(new Set(["Non-compliant"]));
    // The compliance filter offers only what is listed.
    expect(await page.locator("#f-state option").allTextContents()).toEqual([
      "All",
      `Non-compliant (${listed.filter((finding) => finding.complianceType === "NON_COMPLIANT").length})`,
      `Insufficient data (${listed.filter((finding) => finding.complianceType === "INSUFFICIENT_DATA").length})`,
    ]);
    // The summary's passing counts are not links; a region link filters the listed findings.
    expect(await page.locator("#summary a.card.ok").count()).toBe(0);
    await page.click('#summary table.counts a[data-filter="region=eu-west-1"]');
    const inRegion = listed.filter((finding) => finding.region === "eu-west-1");
    expect(await page.locator("#page-info").textContent()).toContain(`of ${inRegion.length} `);
    expect(new Set(await columnTexts(page, 5))).toEqual(new Set(["eu-west-1"]));
    // Search finds a listed finding beyond the first page.
    const target = listed[listed.length - 1];
    await page.click("#reset");
    await page.fill("#f-search", target?.resourceId ?? "");
    await until(async () => (await rowCount(page)) === 1);
    expect(await columnTexts(page, 4)).toEqual([`${target?.resourceType.replace("AWS::EC2::", "")} ${target?.resourceId}`]);
    expect(problems).toEqual([]);
    await page.close();
  });

  test("stays usable with 100k findings: first page at once, paging and filtering over all of them", async () => {
    const report = secondRunOf(100_000);
    const { page, problems } = await open(report, "big.html");
    expect(await rowCount(page)).toBe(100);
    expect(await page.locator("#page-info").textContent()).toBe("Findings 1–100 of 100000 (page 1 of 1000)");

    await page.click("#next");
    expect(await page.locator("#page-info").textContent()).toBe("Findings 101–200 of 100000 (page 2 of 1000)");

    const regionOption = page.locator("#f-region option", { hasText: "ap-southeast-2" });
    await page.selectOption("#f-region", (await regionOption.getAttribute("value")) ?? "");
    const inRegion = [...report.findings].filter((finding) => finding.region === "ap-southeast-2").length;
    expect(await page.locator("#page-info").textContent()).toContain(`of ${inRegion} `);
    expect(new Set(await columnTexts(page, 5))).toEqual(new Set(["ap-southeast-2"]));

    const target = [...report.findings][54_321];
    await page.click("#reset");
    await page.fill("#f-search", target?.resourceId ?? "");
    await until(async () => (await rowCount(page)) < 100);
    expect(await page.locator("#page-info").textContent()).toBe("Findings 1–1 of 1 (page 1 of 1)");
    expect(await columnTexts(page, 4)).toContain(`${target?.resourceType.replace("AWS::EC2::", "")} ${target?.resourceId}`);

    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
