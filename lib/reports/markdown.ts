import { FRAMEWORK_NAMES } from "../engine/controls";
import { EXPIRING_SOON_DAYS } from "../exemptions/exemptions";
import {
  accountsFailingFirst,
  type ComplianceCounts,
  changesByAccount,
  type ExemptionSubjectRef,
  emptyCounts,
  type Finding,
  findingsWhere,
  type Report,
  SEVERITIES,
} from "./model";

/** Rows per findings table: a pull-request comment or wiki page must stay readable (GitHub caps comments at 65 536 characters). */
export const MARKDOWN_ROW_LIMIT = 100;

/** Makes text safe inside a table cell: no pipes, line breaks or HTML splitting the row. */
export function markdownCell(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\r\n]+/g, " ");
}

const countsRow = (label: string, counts: ComplianceCounts): string =>
  `| ${markdownCell(label)} | ${counts.NON_COMPLIANT} | ${counts.COMPLIANT} | ${counts.NOT_APPLICABLE - counts.exempted} | ${counts.exempted} | ${counts.INSUFFICIENT_DATA} | ${counts.total} |`;

const COUNTS_HEADER = (first: string) => [
  `| ${first} | Non-compliant | Compliant | Not applicable | Exempted | Insufficient data | Total |`,
  "|---|---:|---:|---:|---:|---:|---:|",
];

function findingsTable(findings: readonly Finding[], columns: "current" | "previous"): string[] {
  const shown = findings.slice(0, MARKDOWN_ROW_LIMIT);
  const lines =
    columns === "current"
      ? ["| Rule | Severity | Resource | Region | Account | First seen | Annotation |", "|---|---|---|---|---|---|---|"]
      : ["| Rule | Resource | Region | Account | Annotation |", "|---|---|---|---|---|"];
  for (const finding of shown) {
    const resource = `${markdownCell(finding.resourceType)} \`${finding.resourceId.replace(/`/g, "'")}\``;
    lines.push(
      columns === "current"
        ? `| ${markdownCell(finding.ruleId)} | ${finding.severity} | ${resource} | ${markdownCell(finding.region)} | ${markdownCell(finding.accountId)} | ${finding.firstSeen.slice(0, 10)} | ${markdownCell(finding.annotation)} |`
        : `| ${markdownCell(finding.ruleId)} | ${resource}${finding.absent ? " (absent from this run)" : ""} | ${markdownCell(finding.region)} | ${markdownCell(finding.accountId)} | ${markdownCell(finding.annotation)} |`,
    );
  }
  if (findings.length > shown.length) {
    lines.push("", `…and ${findings.length - shown.length} more (see the HTML, CSV or JSON report).`);
  }
  return lines;
}

const subjectCells = (subject: ExemptionSubjectRef): string =>
  `${markdownCell(subject.ruleId)} | ${markdownCell(subject.resourceType)} \`${subject.resourceId.replace(/`/g, "'")}\` | ${markdownCell(subject.region)} | ${markdownCell(subject.accountId)}`;

/** Accounts × compliance counts, failing accounts first, with each account's changes when there is a diff. */
function accountsSection(report: Report): string[] {
  const accounts = accountsFailingFirst(report.summary);
  const changes = report.diff ? changesByAccount(report) : undefined;
  const [header = "", rule = ""] = COUNTS_HEADER("Account");
  const lines = ["## By account", "", changes ? `${header} New | Resolved |` : header, changes ? `${rule}---:|---:|` : rule];
  for (const [accountId, counts] of accounts.slice(0, MARKDOWN_ROW_LIMIT)) {
    const change = changes?.get(accountId);
    lines.push(changes ? `${countsRow(accountId, counts)} ${change?.new ?? 0} | ${change?.resolved ?? 0} |` : countsRow(accountId, counts));
  }
  if (accounts.length > MARKDOWN_ROW_LIMIT)
    lines.push("", `…and ${accounts.length - MARKDOWN_ROW_LIMIT} more accounts (see the HTML, CSV or JSON report).`);
  lines.push("");
  return lines;
}

/** Invalid exemption tags (evaluated as if untagged) and exemptions about to end. */
function exemptionsSection(report: Report): string[] {
  const { invalid, expiringSoon } = report.exemptions;
  const lines = ["## Exemptions", ""];
  lines.push(`### Invalid exemption tags (${invalid.length})`, "");
  if (invalid.length === 0) lines.push("None.");
  else {
    lines.push("These tags exempt nothing: the resources were evaluated as if untagged.", "");
    lines.push("| Rule | Resource | Region | Account | Why |", "|---|---|---|---|---|");
    for (const entry of invalid.slice(0, MARKDOWN_ROW_LIMIT)) lines.push(`| ${subjectCells(entry)} | ${markdownCell(entry.why)} |`);
    if (invalid.length > MARKDOWN_ROW_LIMIT) lines.push("", `…and ${invalid.length - MARKDOWN_ROW_LIMIT} more (see the JSON report).`);
  }
  lines.push("", `### Expiring within ${EXPIRING_SOON_DAYS} days (${expiringSoon.length})`, "");
  if (expiringSoon.length === 0) lines.push("None.");
  else {
    lines.push("| Rule | Resource | Region | Account | Expires | Owner |", "|---|---|---|---|---|---|");
    for (const entry of expiringSoon.slice(0, MARKDOWN_ROW_LIMIT)) {
      lines.push(
        `| ${subjectCells(entry)} | ${markdownCell(entry.expires)} | ${markdownCell(entry.owner ?? "(none)")} (${entry.source}) |`,
      );
    }
    if (expiringSoon.length > MARKDOWN_ROW_LIMIT)
      lines.push("", `…and ${expiringSoon.length - MARKDOWN_ROW_LIMIT} more (see the JSON report).`);
  }
  lines.push("");
  return lines;
}

/** A URL safe inside a Markdown link: parentheses and spaces would end or split it. */
const markdownUrl = (url: string): string =>
  url.replace(/[()\s|]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);

/** Each rule's framework controls, with the source of the mapping. */
function controlsSection(report: Report): string[] {
  const rows = report.rules.flatMap((rule) =>
    rule.controls.map(
      (control) =>
        `| ${markdownCell(rule.id)} | ${markdownCell(`${FRAMEWORK_NAMES[control.framework] ?? control.framework} ${control.version}`)} | ${markdownCell(control.control)} | ${markdownCell(control.title)} | [source](${markdownUrl(control.source)}) |`,
    ),
  );
  if (rows.length === 0) return [];
  return ["## Framework controls", "", "| Rule | Framework | Control | Title | Mapping |", "|---|---|---|---|---|", ...rows, ""];
}

/** A summary for a pull request or a wiki page: counts, changes, then the failing findings. */
export function renderMarkdown(report: Report): string {
  const { summary } = report;
  const lines: string[] = [
    "# EC2 compliance report",
    "",
    `Generated ${report.generatedAt} by ${report.tool.name} ${report.tool.version}` +
      (report.inputs.length > 0 ? ` from ${report.inputs.map((input) => `\`${input.path}\``).join(", ")}` : "") +
      ".",
    "",
    `**${summary.totals.NON_COMPLIANT} non-compliant** of ${summary.totals.total} evaluations; ${summary.totals.exempted} exempted; ${summary.totals.INSUFFICIENT_DATA} could not be evaluated.`,
    "",
    "## By rule",
    "",
    ...COUNTS_HEADER("Rule"),
    ...report.rules.map((rule) => countsRow(`${rule.id} (${rule.severity})`, summary.byRule[rule.id] ?? emptyCounts())),
    "",
    ...controlsSection(report),
    ...accountsSection(report),
    "## By region",
    "",
    ...COUNTS_HEADER("Region"),
    ...Object.keys(summary.byRegion)
      .sort()
      .map((region) => countsRow(region, summary.byRegion[region] ?? emptyCounts())),
    "",
    "## By severity",
    "",
    ...COUNTS_HEADER("Severity"),
    ...SEVERITIES.filter((severity) => summary.bySeverity[severity]).map((severity) =>
      countsRow(severity, summary.bySeverity[severity] ?? emptyCounts()),
    ),
    "",
    "## Changes since the previous report",
    "",
  ];
  const { diff } = report;
  if (!diff) {
    lines.push("No previous report was given, so every finding is first seen now.", "");
  } else {
    const byChange = (change: Finding["change"]) => findingsWhere(report.findings, (finding) => finding.change === change);
    lines.push(
      `Compared with the report of ${diff.previousGeneratedAt}: **${diff.counts.new} new**, ${diff.counts.resolved} resolved, ${diff.counts["still-failing"]} still failing, ${diff.counts.exempted} newly exempted, ${diff.counts.unverified} no longer verifiable.`,
      "",
    );
    const newFindings = byChange("new");
    if (newFindings.length > 0) lines.push("### New", "", ...findingsTable(newFindings, "current"), "");
    if (diff.resolved.length > 0) lines.push("### Resolved", "", ...findingsTable(diff.resolved, "previous"), "");
    const exempted = byChange("exempted");
    if (exempted.length > 0) lines.push("### Newly exempted", "", ...findingsTable(exempted, "current"), "");
    if (diff.unverified.length > 0) lines.push("### No longer verifiable", "", ...findingsTable(diff.unverified, "previous"), "");
  }
  lines.push(...exemptionsSection(report));
  const failing = findingsWhere(report.findings, (finding) => finding.complianceType === "NON_COMPLIANT");
  lines.push("## Non-compliant resources", "");
  if (failing.length === 0) lines.push("None.");
  else lines.push(...findingsTable(failing, "current"));
  lines.push("");
  return lines.join("\n");
}
