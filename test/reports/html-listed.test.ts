import { HTML_MAX_FINDINGS, listedFindings, renderHtml } from "../../lib/reports/html";
import { buildReport, type Finding, type Report, SEVERITIES } from "../../lib/reports/model";
import { SYNTHETIC_SCOPES, syntheticEvaluations } from "../../scripts/synthetic-findings";
import { CURRENT_AT, PREVIOUS_AT, reportRules, TOOL } from "./fixture";

/** The findings the page embeds (see encodeFindings): rows of dictionary indexes. */
function embedded(html: string): { d: { r: string[] }; f: (string | number)[][] } {
  const payload = html.match(/<script type="application\/json" id="report-data">([^<]*)<\/script>/)?.[1];
  if (payload === undefined) throw new Error("no embedded findings");
  return JSON.parse(payload);
}

const NOTE = /<div class="not-listed" role="note">(.*?)<\/div>/g;

function synthetic(count: number, options: { allFailing?: boolean } = {}): Report {
  const previous = buildReport({
    evaluations: syntheticEvaluations(count),
    rules: reportRules(),
    scopes: SYNTHETIC_SCOPES,
    tool: TOOL,
    now: () => PREVIOUS_AT,
  });
  return buildReport({
    evaluations: syntheticEvaluations(count, { changed: true, ...options }),
    rules: reportRules(),
    scopes: SYNTHETIC_SCOPES,
    previous,
    tool: TOOL,
    now: () => CURRENT_AT,
  });
}

const isFailing = (finding: Finding) => finding.complianceType === "NON_COMPLIANT" || finding.complianceType === "INSUFFICIENT_DATA";
const STATE_COLUMN = 5;
const RESOURCE_COLUMN = 2;

describe("HTML report beyond the findings it can list", () => {
  const report = synthetic(3000);
  const failing = [...report.findings].filter(isFailing);

  test("up to the threshold it lists every finding with no note, the same page as the default", () => {
    expect(report.findings.length).toBeLessThan(HTML_MAX_FINDINGS);
    const html = renderHtml(report, { maxFindings: report.findings.length });
    expect(html).toBe(renderHtml(report));
    expect(html).not.toContain("not-listed");
    expect(embedded(html).f).toHaveLength(report.findings.length);
  });

  test("beyond it, the note names how many findings are not listed and the full report; passing counts lose their links", () => {
    const maxFindings = 500;
    const html = renderHtml(report, { maxFindings, fullReport: "run-42.json" });
    const notes = [...html.matchAll(NOTE)].map((match) => match[1]);
    // At the top of the page and above the findings list.
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain(
      `<b>${report.findings.length - maxFindings} of the ${report.findings.length} findings are not listed on this page.</b>`,
    );
    expect(notes[0]).toContain(`the ${maxFindings} worst of the ${failing.length} non-compliant and insufficient-data findings`);
    expect(notes[0]).toContain("Every finding is in the full report <code>run-42.json</code>.");
    expect(embedded(html).f).toHaveLength(maxFindings);
    // A link to findings the page does not list would select nothing.
    for (const filter of ["state=ok", "state=na", "state=ex", "change=resolved", "change=exempted"]) {
      expect(html).not.toMatch(new RegExp(`data-filter="[^"]*${filter}`));
    }
    expect(html).toContain(`<div class="card ok"><b>${report.summary.totals.COMPLIANT}</b><span>Compliant</span></div>`);
    expect(html).toMatch(/data-filter="rule=eip-attached;state=nc"/);
    expect(html).toContain('data-filter="change=new"');
  });

  test("without a full report named, the note gives the command that writes one", () => {
    const html = renderHtml(report, { maxFindings: 100 });
    expect(html).toContain(
      "the same <code>ec2-config-rules report</code> command with <code>--format json</code> or <code>--format csv</code>",
    );
  });

  test("keeps every failing finding up to the cap, non-compliant then insufficient data, most severe first", () => {
    const all = listedFindings(report, failing.length + 1);
    expect(all).toHaveLength(failing.length);
    expect(new Set(all)).toEqual(new Set(failing));
    const rank = (finding: Finding) => (finding.complianceType === "NON_COMPLIANT" ? 0 : 1) * 10 + SEVERITIES.indexOf(finding.severity);
    const ranks = all.map(rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(ranks).size).toBeGreaterThan(2);
    // The cap keeps the worst: a prefix of that order, which is what the page embeds.
    const capped = listedFindings(report, 250);
    expect(capped).toEqual(all.slice(0, 250));
    const rows = embedded(renderHtml(report, { maxFindings: 250 })).f;
    expect(rows.map((row) => row[RESOURCE_COLUMN])).toEqual(capped.map((finding) => finding.resourceId));
    expect(new Set(rows.map((row) => row[STATE_COLUMN]))).toEqual(new Set([0]));
  });

  test("every finding failing: stays under 300 bytes per finding listed beyond the summary, whatever the count", () => {
    const allFailing = synthetic(3000, { allFailing: true });
    const summaryOnly = Buffer.byteLength(renderHtml(allFailing, { maxFindings: 0 }));
    expect(embedded(renderHtml(allFailing, { maxFindings: 0 })).f).toHaveLength(0);
    const html = renderHtml(allFailing, { maxFindings: 1000 });
    expect(embedded(html).f).toHaveLength(1000);
    expect((Buffer.byteLength(html) - summaryOnly) / 1000).toBeLessThan(300);
  });

  test("a page over the byte budget lists fewer failing findings until it fits, and says so", () => {
    const full = Buffer.byteLength(renderHtml(report));
    const summaryOnly = Buffer.byteLength(renderHtml(report, { maxFindings: 0 }));
    // Room for a fifth of the findings: fewer than the failing ones (about a third).
    const maxBytes = summaryOnly + Math.floor((full - summaryOnly) / 5);
    const html = renderHtml(report, { maxBytes });
    const listed = embedded(html).f.length;
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(maxBytes);
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThan(failing.length);
    expect(html).toContain(
      `<b>${report.findings.length - listed} of the ${report.findings.length} findings are not listed on this page.</b>`,
    );
  });
});
