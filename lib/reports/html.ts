import { EXPIRING_SOON_DAYS } from "../exemptions/exemptions";
import { CLIENT_SCRIPT } from "./html-client";
import {
  accountsFailingFirst,
  CHANGES,
  type ComplianceCounts,
  type ExemptionSubjectRef,
  emptyCounts,
  type Finding,
  type Report,
  SEVERITIES,
} from "./model";

export function htmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Display states, in chart order; EXEMPTED is split out of NOT_APPLICABLE. Indexes match the client script. */
const STATES = [
  { key: "nc", label: "Non-compliant", color: "#c62828" },
  { key: "id", label: "Insufficient data", color: "#ef8f00" },
  { key: "ok", label: "Compliant", color: "#2e7d32" },
  { key: "na", label: "Not applicable", color: "#9e9e9e" },
  { key: "ex", label: "Exempted", color: "#1565c0" },
] as const;

const stateIndex = (finding: Finding): number =>
  finding.exempted ? 4 : ["NON_COMPLIANT", "INSUFFICIENT_DATA", "COMPLIANT", "NOT_APPLICABLE"].indexOf(finding.complianceType);

const stateCounts = (counts: ComplianceCounts): number[] => [
  counts.NON_COMPLIANT,
  counts.INSUFFICIENT_DATA,
  counts.COMPLIANT,
  counts.NOT_APPLICABLE - counts.exempted,
  counts.exempted,
];

/** Interns repeated strings: each distinct value is stored once and rows hold its index. */
class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  of(value: string): number {
    let position = this.index.get(value);
    if (position === undefined) {
      position = this.values.length;
      this.values.push(value);
      this.index.set(value, position);
    }
    return position;
  }
}

/**
 * The findings the page lists, as it embeds them: one array per finding,
 * `[rule, resourceType, resourceId, region, account, state, annotation, firstSeen, change]`, every
 * column but the resource id an index into a dictionary, since rules, types, regions, accounts,
 * dates and many annotations repeat. This keeps 100k findings well under 300 bytes each.
 */
export function encodeFindings(report: Report, findings: readonly Finding[]) {
  const rules = new Dictionary();
  for (const rule of report.rules) rules.of(rule.id);
  const types = new Dictionary();
  const regions = new Dictionary();
  const accounts = new Dictionary();
  const annotations = new Dictionary();
  const dates = new Dictionary();
  const rows = findings.map((finding) => [
    rules.of(finding.ruleId),
    types.of(finding.resourceType),
    finding.resourceId,
    regions.of(finding.region),
    accounts.of(finding.accountId),
    stateIndex(finding),
    annotations.of(finding.annotation),
    dates.of(finding.firstSeen),
    finding.change ? CHANGES.indexOf(finding.change) : -1,
  ]);
  const severityOf = new Map(report.rules.map((rule) => [rule.id, rule.severity]));
  return {
    hasDiff: report.diff !== undefined,
    rs: rules.values.map((id) => severityOf.get(id) ?? "medium"),
    // Each framework control with the indexes of its rules, for the control filter.
    c: controlsOf(report).map((control) => [control.label, control.rules.map((id) => rules.of(id))]),
    d: { r: rules.values, t: types.values, g: regions.values, a: accounts.values, n: annotations.values, s: dates.values },
    f: rows,
  };
}

const FRAMEWORK_NAMES: Record<string, string> = {
  "aws-fsbp": "AWS Foundational Security Best Practices",
  "cis-aws": "CIS AWS Foundations Benchmark",
  "nist-800-53": "NIST SP 800-53",
  "pci-dss": "PCI DSS",
};
const FRAMEWORK_ORDER = Object.keys(FRAMEWORK_NAMES);

interface ControlRow {
  /** "<framework> <control>": what the findings' control filter names. */
  label: string;
  framework: string;
  version: string;
  control: string;
  title: string;
  source: string;
  rules: string[];
}

/** Orders control ids as people read them: EC2.9 before EC2.10, 1.2 before 1.10. */
function naturalCompare(a: string, b: string): number {
  const chunks = (text: string) => text.match(/\d+|\D+/g) ?? [];
  const left = chunks(a);
  const right = chunks(b);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index] ?? "";
    const y = right[index] ?? "";
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric) return Number(x) - Number(y) || (x < y ? -1 : 1);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** The framework controls the report's rules map to, each with the rules that check it. */
function controlsOf(report: Report): ControlRow[] {
  const byLabel = new Map<string, ControlRow>();
  for (const rule of report.rules) {
    for (const mapping of rule.controls) {
      const label = `${mapping.framework} ${mapping.control}`;
      let row = byLabel.get(label);
      if (!row) {
        row = { label, ...mapping, rules: [] };
        byLabel.set(label, row);
      }
      if (!row.rules.includes(rule.id)) row.rules.push(rule.id);
    }
  }
  const rank = (framework: string) => {
    const index = FRAMEWORK_ORDER.indexOf(framework);
    return index >= 0 ? index : FRAMEWORK_ORDER.length;
  };
  return [...byLabel.values()].sort(
    (a, b) =>
      rank(a.framework) - rank(b.framework) ||
      (a.framework < b.framework ? -1 : a.framework > b.framework ? 1 : 0) ||
      naturalCompare(a.control, b.control),
  );
}

/** Compliance by framework control: each control's rules and what they found, linked to those findings. */
function controlsSection(report: Report, unlisted: Unlisted): string {
  const controls = controlsOf(report);
  const heading = `<section id="controls"><h2>Compliance by control</h2>`;
  if (controls.length === 0) return `${heading}<p>No rule of this report is mapped to a framework control.</p></section>`;
  const cell = (value: number, filter: string) =>
    `<td class="num">${value > 0 && !unlisted.has(filter) ? `<a href="#findings" data-filter="${htmlEscape(filter)}">${value}</a>` : value}</td>`;
  const tables = [...new Set(controls.map((control) => control.framework))].map((framework) => {
    const rows = controls
      .filter((control) => control.framework === framework)
      .map((control) => {
        const counts = emptyCounts();
        for (const ruleId of control.rules) {
          const ruleCounts = report.summary.byRule[ruleId];
          if (!ruleCounts) continue;
          for (const key of Object.keys(counts) as (keyof ComplianceCounts)[]) counts[key] += ruleCounts[key];
        }
        const filter = `control=${control.label}`;
        const rules = control.rules
          .map((ruleId) => `<a href="#findings" data-filter="${htmlEscape(`rule=${ruleId}`)}">${htmlEscape(ruleId)}</a>`)
          .join(", ");
        return (
          `<tr class="${counts.NON_COMPLIANT > 0 ? "failing" : ""}"><td class="nowrap"><a href="#findings" data-filter="${htmlEscape(filter)}">${htmlEscape(control.control)}</a></td>` +
          `<td>${htmlEscape(control.title)} <small>(${htmlEscape(control.version)}${/^https:\/\//.test(control.source) ? `, <a href="${htmlEscape(control.source)}" rel="noreferrer">source</a>` : ""})</small></td><td>${rules}</td>` +
          cell(counts.NON_COMPLIANT, `${filter};state=nc`) +
          cell(counts.COMPLIANT, `${filter};state=ok`) +
          cell(counts.INSUFFICIENT_DATA, `${filter};state=id`) +
          cell(counts.exempted, `${filter};state=ex`) +
          `</tr>`
        );
      })
      .join("");
    return `<h3>${htmlEscape(FRAMEWORK_NAMES[framework] ?? framework)}</h3><table class="counts controls-table"><tr><th>Control</th><th>Title</th><th>Rules</th><th class="num">Failing</th><th class="num">Passing</th><th class="num">Not judged</th><th class="num">Exempted</th></tr>${rows}</table>`;
  });
  return `${heading}<p>Each control AWS maps to a rule of this report, with what its rules found. Select a control or a count to list those findings.</p>${tables.join("")}</section>`;
}

/**
 * The filters a page that lists failing findings only cannot honour: a link to the compliant, not
 * applicable or exempted findings, or to the resolved or newly exempted ones, would select nothing
 * listed, so those counts are shown without a link.
 */
class Unlisted {
  static readonly NONE = new Unlisted([]);
  static readonly PASSING = new Unlisted(["state=ok", "state=na", "state=ex", "change=resolved", "change=exempted"]);

  private constructor(private readonly pairs: readonly string[]) {}

  /** Whether any `name=value` pair of a `;`-separated filter selects findings the page does not list. */
  has(filter: string): boolean {
    return filter.split(";").some((pair) => this.pairs.includes(pair));
  }
}

/** A count card: a link that filters the findings to it, or plain when the page does not list them. */
function card(className: string, filter: string, count: number, label: string, unlisted: Unlisted): string {
  const classes = className ? `card ${className}` : "card";
  const content = `<b>${count}</b><span>${label}</span>`;
  return unlisted.has(filter)
    ? `<div class="${classes}">${content}</div>`
    : `<a class="${classes}" href="#findings" data-filter="${filter}">${content}</a>`;
}

const CHART_LABEL_WIDTH = 190;
const CHART_BAR_WIDTH = 460;
const CHART_ROW_HEIGHT = 26;

/** A 100%-stacked horizontal bar per row (rule or region), one segment per state, drawn as inline SVG. */
function stackedBarChart(title: string, filterName: string, rows: [string, ComplianceCounts][], unlisted: Unlisted): string {
  const height = rows.length * CHART_ROW_HEIGHT + 8;
  const width = CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 70;
  const bars = rows.map(([label, counts], row) => {
    const y = row * CHART_ROW_HEIGHT + 4;
    const values = stateCounts(counts);
    let x = CHART_LABEL_WIDTH;
    const segments = values.map((value, state) => {
      if (value === 0 || counts.total === 0) return "";
      const segmentWidth = (value / counts.total) * CHART_BAR_WIDTH;
      const filter = `${filterName}=${label};state=${STATES[state]?.key}`;
      const link = unlisted.has(filter) ? "" : ` data-filter="${htmlEscape(filter)}"`;
      const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${segmentWidth.toFixed(1)}" height="${CHART_ROW_HEIGHT - 8}" fill="${STATES[state]?.color}"${link}><title>${htmlEscape(`${label}: ${value} ${STATES[state]?.label.toLowerCase()}`)}</title></rect>`;
      x += segmentWidth;
      return rect;
    });
    const empty =
      counts.total === 0
        ? `<rect x="${CHART_LABEL_WIDTH}" y="${y}" width="${CHART_BAR_WIDTH}" height="${CHART_ROW_HEIGHT - 8}" fill="#eeeeee"><title>${htmlEscape(label)}: no evaluations</title></rect>`
        : "";
    return (
      `<text x="${CHART_LABEL_WIDTH - 8}" y="${y + 13}" text-anchor="end" data-filter="${htmlEscape(`${filterName}=${label}`)}">${htmlEscape(label)}</text>` +
      empty +
      segments.join("") +
      `<text x="${CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 6}" y="${y + 13}">${counts.NON_COMPLIANT}/${counts.total}</text>`
    );
  });
  return `<figure><figcaption>${htmlEscape(title)}</figcaption><svg role="img" aria-label="${htmlEscape(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${bars.join("")}</svg></figure>`;
}

const legend = (): string =>
  `<p class="legend">${STATES.map((state) => `<span><i style="background:${state.color}"></i>${state.label}</span>`).join("")}</p>`;

function countsTable(first: string, filterName: string, rows: [string, ComplianceCounts, string?][]): string {
  const header = `<tr><th>${first}</th>${STATES.map((state) => `<th class="num">${state.label}</th>`).join("")}<th class="num">Total</th></tr>`;
  const body = rows
    .map(
      ([label, counts, note]) =>
        `<tr><td><a href="#findings" data-filter="${htmlEscape(`${filterName}=${label}`)}">${htmlEscape(label)}</a>${note ? ` <small>${htmlEscape(note)}</small>` : ""}</td>${stateCounts(
          counts,
        )
          .map((value) => `<td class="num">${value}</td>`)
          .join("")}<td class="num">${counts.total}</td></tr>`,
    )
    .join("");
  return `<table class="counts">${header}${body}</table>`;
}

/** The accounts the chart shows, failing first: beyond them the chart would be taller than a screen holds. */
const ACCOUNT_CHART_ROWS = 20;

/** Accounts × compliance counts, failing accounts first: a chart of the worst, a table of all (bounded). */
function accountsSection(report: Report, unlisted: Unlisted): string {
  const accounts = accountsFailingFirst(report.summary);
  if (accounts.length === 0) return "";
  const charted = accounts.slice(0, ACCOUNT_CHART_ROWS);
  const title =
    accounts.length > charted.length
      ? `Compliance by account (the ${charted.length} most failing of ${accounts.length})`
      : "Compliance by account";
  const shown = accounts.slice(0, ABSENT_ROWS);
  const more = accounts.length > shown.length ? `<p>…and ${accounts.length - shown.length} more accounts in the JSON report.</p>` : "";
  return `${stackedBarChart(title, "account", charted, unlisted)}<h3>By account</h3>${countsTable("Account", "account", shown)}${more}`;
}

/** Findings absent from this run (a gone resource, an unjudged scope) are not in the findings list; show them here, bounded. */
const ABSENT_ROWS = 200;

function absentTable(title: string, findings: readonly Finding[]): string {
  if (findings.length === 0) return "";
  const rows = findings
    .slice(0, ABSENT_ROWS)
    .map(
      (finding) =>
        `<tr><td>${htmlEscape(finding.ruleId)}</td><td class="mono">${htmlEscape(`${finding.resourceType.replace("AWS::EC2::", "")} ${finding.resourceId}`)}</td><td>${htmlEscape(finding.region)}</td><td>${htmlEscape(finding.accountId)}</td><td>${finding.firstSeen.slice(0, 10)}</td><td class="annotation">${htmlEscape(finding.annotation)}</td></tr>`,
    )
    .join("");
  const more = findings.length > ABSENT_ROWS ? `<p>…and ${findings.length - ABSENT_ROWS} more in the JSON report.</p>` : "";
  return `<h3>${htmlEscape(title)}</h3><table class="findings"><tr><th>Rule</th><th>Resource</th><th>Region</th><th>Account</th><th>Failing since</th><th>Last annotation</th></tr>${rows}</table>${more}`;
}

function changesSection(report: Report, unlisted: Unlisted): string {
  const { diff } = report;
  if (!diff) {
    return `<section id="changes"><h2>Changes since the previous report</h2><p>No previous report was given, so every finding is first seen now.</p></section>`;
  }
  const items = [
    ["new", "New"],
    ["resolved", "Resolved"],
    ["still-failing", "Still failing"],
    ["exempted", "Newly exempted"],
    ["unverified", "No longer verifiable"],
  ] as const;
  const cards = items.map(([change, label]) => card(`change-${change}`, `change=${change}`, diff.counts[change], label, unlisted)).join("");
  const gone = absentTable(
    "Resolved: the resource is gone",
    diff.resolved.filter((finding) => finding.absent),
  );
  const unjudged = absentTable(
    "No longer verifiable: the rule could not judge this account and region (missing input)",
    diff.unverified.filter((finding) => finding.absent),
  );
  return `<section id="changes"><h2>Changes since the previous report</h2><p>Compared with the report of ${htmlEscape(diff.previousGeneratedAt)}. Select a count to list those findings.</p><div class="cards">${cards}</div>${gone}${unjudged}</section>`;
}

const subjectCells = (subject: ExemptionSubjectRef): string =>
  `<td>${htmlEscape(subject.ruleId)}</td><td class="mono">${htmlEscape(`${subject.resourceType.replace("AWS::EC2::", "")} ${subject.resourceId}`)}</td><td>${htmlEscape(subject.region)}</td><td>${htmlEscape(subject.accountId)}</td>`;

function boundedRows<T>(entries: readonly T[], row: (entry: T) => string): string {
  const more = entries.length > ABSENT_ROWS ? `<p>…and ${entries.length - ABSENT_ROWS} more in the JSON report.</p>` : "";
  return `${entries.slice(0, ABSENT_ROWS).map(row).join("")}</table>${more}`;
}

/** Invalid exemption tags (evaluated as if untagged) and exemptions about to end. */
function exemptionsSection(report: Report): string {
  const { invalid, expiringSoon } = report.exemptions;
  const invalidPart =
    invalid.length === 0
      ? "<p>None.</p>"
      : `<p>These tags exempt nothing: the resources were evaluated as if untagged.</p><table class="findings"><tr><th>Rule</th><th>Resource</th><th>Region</th><th>Account</th><th>Why</th></tr>${boundedRows(
          invalid,
          (entry) => `<tr>${subjectCells(entry)}<td class="annotation">${htmlEscape(entry.why)}</td></tr>`,
        )}`;
  const soonPart =
    expiringSoon.length === 0
      ? "<p>None.</p>"
      : `<table class="findings"><tr><th>Rule</th><th>Resource</th><th>Region</th><th>Account</th><th>Expires</th><th>Owner</th></tr>${boundedRows(
          expiringSoon,
          (entry) =>
            `<tr>${subjectCells(entry)}<td class="nowrap">${htmlEscape(entry.expires)}</td><td>${htmlEscape(entry.owner ?? "(none)")} (${entry.source})</td></tr>`,
        )}`;
  return `<section id="exemptions"><h2>Exemptions</h2><h3>Invalid exemption tags (${invalid.length})</h3>${invalidPart}<h3>Expiring within ${EXPIRING_SOON_DAYS} days (${expiringSoon.length})</h3>${soonPart}</section>`;
}

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fafafa}
body{margin:0 auto;max-width:1280px;padding:16px 24px}
h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.2rem;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555;font-size:.9rem}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.card{display:flex;flex-direction:column;min-width:120px;padding:10px 14px;border-radius:6px;background:#fff;border:1px solid #ddd;text-decoration:none;color:inherit}
.card b{font-size:1.6rem}.card.nc b,.card.change-new b{color:#c62828}.card.ok b,.card.change-resolved b{color:#2e7d32}.card.id b{color:#ef8f00}.card.ex b,.card.change-exempted b{color:#1565c0}
figure{margin:10px 0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;overflow-x:auto}
figcaption{font-weight:600;margin-bottom:4px}
svg text{font-size:12px;fill:#333}svg [data-filter]{cursor:pointer}
.legend span{margin-right:14px;font-size:.85rem}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
table{border-collapse:collapse;background:#fff;width:100%;font-size:.85rem}
th,td{border:1px solid #e0e0e0;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f0f0f0}
.controls label[hidden]{display:none}
tr.failing td:first-child a{color:#c62828;font-weight:600}
.num{text-align:right}.nowrap{white-space:nowrap}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
.annotation{max-width:480px}
.state.nc{color:#c62828;font-weight:600}.state.id{color:#ef8f00}.state.ok{color:#2e7d32}.state.ex{color:#1565c0}
.sev-critical,.sev-high{font-weight:600}
.controls{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:8px 0}
.controls label{display:flex;flex-direction:column;font-size:.8rem}
.controls input[type=search]{min-width:260px}
.pager{display:flex;gap:8px;align-items:center;margin:8px 0}
@media print{.controls,.pager{display:none}}
`;

const NOT_LISTED_STYLE = `.not-listed{background:#fff3e0;border:1px solid #ef8f00;border-radius:6px;padding:10px 14px;margin:10px 0}
`;

/**
 * The most findings one page lists. Up to it the page lists every finding; beyond, only the
 * failing ones, worst first, up to this many, and it points to the full JSON or CSV report. Chosen
 * with `npm run bench:html`: a page of 100,000 synthetic findings is 8.5 MB (11 MB if all fail)
 * and opens and filters in Chromium in about 1 s; at 250,000 it is 21 to 28 MB, too near 40 MB
 * for annotations longer than the synthetic ones.
 */
export const HTML_MAX_FINDINGS = 100_000;

/** The largest page written (32 MiB, under the 40 MB a browser must open quickly): long annotations list fewer findings. */
export const HTML_MAX_BYTES = 32 * 1024 * 1024;

export interface HtmlOptions {
  /** The most findings the page lists (default {@link HTML_MAX_FINDINGS}). */
  maxFindings?: number;
  /** The largest page in bytes (default {@link HTML_MAX_BYTES}); a larger one lists fewer failing findings. */
  maxBytes?: number;
  /** Where every finding is (the JSON or CSV report's file name), for the note of a page that lists only some. */
  fullReport?: string;
}

/**
 * The findings the page lists: all of them up to `maxFindings`; beyond, the ones people act on,
 * worst first (non-compliant, then insufficient data, each most severe first, else in report
 * order), up to that many.
 */
export function listedFindings(report: Report, maxFindings = HTML_MAX_FINDINGS): readonly Finding[] {
  if (report.findings.length <= maxFindings) return [...report.findings];
  const states = ["NON_COMPLIANT", "INSUFFICIENT_DATA"];
  const buckets: Finding[][] = Array.from({ length: states.length * SEVERITIES.length }, () => []);
  for (const finding of report.findings) {
    const state = states.indexOf(finding.complianceType);
    if (state >= 0) buckets[state * SEVERITIES.length + SEVERITIES.indexOf(finding.severity)]?.push(finding);
  }
  return buckets.flat().slice(0, maxFindings);
}

/** Says what a page that lists only some findings leaves out, and where every finding is. */
function notListedNote(report: Report, listed: number, fullReport: string | undefined): string {
  const { totals } = report.summary;
  const failing = totals.NON_COMPLIANT + totals.INSUFFICIENT_DATA;
  const which =
    listed < failing
      ? `the ${listed} worst of the ${failing} non-compliant and insufficient-data findings (non-compliant first, most severe first)`
      : `its ${listed} non-compliant and insufficient-data findings (non-compliant first, most severe first)`;
  const where = fullReport
    ? `Every finding is in the full report <code>${htmlEscape(fullReport)}</code>.`
    : "For every finding, write the JSON or CSV report: the same <code>ec2-config-rules report</code> command with <code>--format json</code> or <code>--format csv</code>.";
  return `<div class="not-listed" role="note"><b>${totals.total - listed} of the ${totals.total} findings are not listed on this page.</b> A page of every finding would be too large to open, so the findings list holds ${which}; the summary, charts and counts cover every finding. ${where}</div>`;
}

/**
 * One self-contained HTML file: no CDN, no network (the CSP forbids any fetch), inline CSS, SVG
 * charts and script. The summary, charts and changes are rendered here; the findings are
 * embedded as compact JSON and paged, filtered and searched in the browser, so the page stays
 * usable with 100k findings. Beyond {@link HTML_MAX_FINDINGS} findings or
 * {@link HTML_MAX_BYTES} bytes it lists the failing findings only, worst first (see
 * {@link listedFindings}), and says how many it leaves out and where they are.
 */
export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const maxBytes = options.maxBytes ?? HTML_MAX_BYTES;
  let listed = listedFindings(report, options.maxFindings);
  let html = page(report, listed, options.fullReport);
  let bytes = Buffer.byteLength(html);
  // The summary's size is bounded, so listing fewer findings, in proportion and a tenth less, soon fits.
  while (bytes > maxBytes && listed.length > 0) {
    listed = listedFindings(report, Math.floor(((listed.length * maxBytes) / bytes) * 0.9));
    html = page(report, listed, options.fullReport);
    bytes = Buffer.byteLength(html);
  }
  return html;
}

function page(report: Report, listed: readonly Finding[], fullReport: string | undefined): string {
  const listsAll = listed.length === report.findings.length;
  const unlisted = listsAll ? Unlisted.NONE : Unlisted.PASSING;
  const note = listsAll ? "" : `${notListedNote(report, listed.length, fullReport)}\n`;
  const { summary } = report;
  const totals = summary.totals;
  const ruleRows = report.rules.map((rule): [string, ComplianceCounts, string] => [
    rule.id,
    summary.byRule[rule.id] ?? emptyCounts(),
    rule.severity,
  ]);
  const regionRows = Object.keys(summary.byRegion)
    .sort()
    .map((region): [string, ComplianceCounts] => [region, summary.byRegion[region] ?? emptyCounts()]);
  const severityCards = SEVERITIES.map(
    (severity) => `<span class="sev-${severity}">${severity}: ${summary.bySeverity[severity]?.NON_COMPLIANT ?? 0}</span>`,
  ).join(" · ");
  const inputs = report.inputs
    .map(
      (input) =>
        `<li><code>${htmlEscape(input.path)}</code> (${htmlEscape(input.format)})${input.accountIds.length > 0 ? `, account ${htmlEscape(input.accountIds.join(", "))}` : ""}${input.regions.length > 0 ? `, ${htmlEscape(input.regions.join(", "))}` : ""}${input.capturedAt ? `, captured ${htmlEscape(input.capturedAt)}` : ""}</li>`,
    )
    .join("");
  const payload = JSON.stringify(encodeFindings(report, listed)).replace(/</g, "\\u003c");
  const diffColumn = report.diff ? "<th>Change</th>" : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>EC2 compliance report ${htmlEscape(report.generatedAt)}</title>
<style>${STYLE}${listsAll ? "" : NOT_LISTED_STYLE}</style>
</head>
<body>
<header>
<h1>EC2 compliance report</h1>
<p class="meta">Generated ${htmlEscape(report.generatedAt)} by ${htmlEscape(report.tool.name)} ${htmlEscape(report.tool.version)} · ${report.scopes.length} account/region scope(s) · ${report.rules.length} rule(s)</p>
</header>
${note}<section id="summary">
<h2>Summary</h2>
<div class="cards">
${card("nc", "state=nc", totals.NON_COMPLIANT, "Non-compliant", unlisted)}
${card("id", "state=id", totals.INSUFFICIENT_DATA, "Insufficient data", unlisted)}
${card("ok", "state=ok", totals.COMPLIANT, "Compliant", unlisted)}
${card("ex", "state=ex", totals.exempted, "Exempted", unlisted)}
${card("", "state=na", totals.NOT_APPLICABLE - totals.exempted, "Not applicable", unlisted)}
<div class="card"><b>${totals.total}</b><span>Evaluations</span></div>
</div>
<p>Non-compliant by severity: ${severityCards}</p>
${legend()}
${stackedBarChart(
  "Compliance by rule",
  "rule",
  ruleRows.map(([id, counts]) => [id, counts]),
  unlisted,
)}
${stackedBarChart("Compliance by region", "region", regionRows, unlisted)}
<h3>By rule</h3>
${countsTable("Rule", "rule", ruleRows)}
<h3>By region</h3>
${countsTable("Region", "region", regionRows)}
${accountsSection(report, unlisted)}
</section>
${controlsSection(report, unlisted)}
${changesSection(report, unlisted)}
${exemptionsSection(report)}
<section id="findings">
<h2>Findings</h2>
${note}<div class="controls">
<label>Rule<select id="f-rule"><option value="">All rules</option></select></label>
<label>Control<select id="f-control"><option value="">All controls</option></select></label>
<label>Compliance<select id="f-state"><option value="">All</option></select></label>
<label>Region<select id="f-region"><option value="">All regions</option></select></label>
<label>Account<select id="f-account"><option value="">All accounts</option></select></label>
<label>Change<select id="f-change"><option value="">All</option></select></label>
<label>Search<input id="f-search" type="search" placeholder="resource id, annotation…"></label>
<label>Per page<select id="f-size"><option>50</option><option selected>100</option><option>500</option></select></label>
<button id="reset" type="button">Clear filters</button>
</div>
<div class="pager"><button id="prev" type="button">Previous</button><span id="page-info"></span><button id="next" type="button">Next</button></div>
<table class="findings"><thead><tr><th>Rule</th><th>Severity</th><th>Compliance</th><th>Resource</th><th>Region</th><th>Account</th><th>First seen</th>${diffColumn}<th>Annotation</th></tr></thead><tbody id="rows"></tbody></table>
<noscript><p>The findings list needs JavaScript; the CSV and JSON reports hold the same findings.</p></noscript>
</section>
<section id="inputs">
<h2>Inputs</h2>
${inputs ? `<ul>${inputs}</ul>` : "<p>No inputs recorded.</p>"}
</section>
<script type="application/json" id="report-data">${payload}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
