import type { Bulletin } from "../alerts/bulletin";
import { digestRecord, type Finding } from "../reports/model";
import type { ScanItem } from "./findings";
import type { ScanReport } from "./merge";

/** Findings named per change in the digest; the rest are counted. */
const DIGEST_FINDINGS = 10;

const line = (finding: Finding): string =>
  `- ${finding.accountId} ${finding.region} ${finding.ruleId} ${finding.resourceType} ${finding.resourceId}: ${finding.annotation}`;

/** As the scheduled report's `reports.notify: on-change`: a digest when something new, resolved or no longer verifiable, or on the first scan. */
export function hasNotableScanChange(report: ScanReport): boolean {
  const diff = report.diff;
  return !diff || diff.counts.new + diff.counts.resolved + diff.counts.unverified > 0;
}

/**
 * The scan's digest, shaped as the scheduled report's (lib/lambda/report-digest.ts reportBulletin):
 * counts, the accounts with the most non-compliant findings, the main changes, the links, and the
 * same message attributes (kind compliance-report), so one subscription filter serves both.
 */
export function scanBulletin(report: ScanReport, link: string, expirySeconds: number, jsonUri: string): Bulletin {
  const { totals } = report.summary;
  const diff = report.diff;
  const change = diff ? ` (${diff.counts.new} new, ${diff.counts.resolved} resolved)` : "";
  const worst = Object.entries(report.summary.byAccount)
    .filter(([, counts]) => counts.NON_COMPLIANT > 0)
    .sort(([a, left], [b, right]) => right.NON_COMPLIANT - left.NON_COMPLIANT || (a < b ? -1 : 1))
    .slice(0, 5)
    .map(([accountId, counts]) => `${accountId} (${counts.NON_COMPLIANT})`);
  const intro = [
    `EC2 compliance: organization scan ${report.scan.scanId} of ${report.scan.accounts} account(s) × ${report.scan.regions.length} region(s) (${report.scan.items} item(s))`,
    `Non-compliant: ${totals.NON_COMPLIANT}; compliant: ${totals.COMPLIANT}; exempted: ${totals.exempted}; not applicable: ${totals.NOT_APPLICABLE - totals.exempted}; insufficient data: ${totals.INSUFFICIENT_DATA}`,
    worst.length > 0 ? `Most non-compliant accounts: ${worst.join(", ")}` : "No account has a non-compliant finding.",
    diff
      ? `Since ${diff.previousGeneratedAt}: ${diff.counts.new} new, ${diff.counts.resolved} resolved, ${diff.counts["still-failing"]} still failing, ${diff.counts.exempted} newly exempted, ${diff.counts.unverified} no longer verifiable`
      : "First scan: no previous scan in the bucket to compare with.",
  ];
  const lists: [key: string, title: string, findings: readonly Finding[], total: number][] = diff
    ? [
        ["new", "New", diff.new, diff.counts.new],
        ["resolved", "Resolved", diff.resolved, diff.counts.resolved],
        ["unverified", "No longer verifiable", diff.unverified, diff.counts.unverified],
      ]
    : [];
  const notes = lists
    .filter(([, , , total]) => total > DIGEST_FINDINGS)
    .map(([, title, , total]) => `${title}: ${total - DIGEST_FINDINGS} more in the report and the findings file.`);
  notes.push(`Report (link valid ${Math.round(expirySeconds / 3600)} h): ${link}`, `JSON: ${jsonUri}`, `Findings: ${report.findings.uri}`);

  const concerned = lists.flatMap(([, , findings]) => findings);
  const distinct = (values: string[]) => [...new Set(values)].sort();
  const attributes: Bulletin["attributes"] = { kind: "compliance-report" };
  const ruleIds = distinct(concerned.map((finding) => finding.ruleId));
  if (ruleIds.length > 0) attributes.ruleId = ruleIds;
  const complianceTypes = [
    ...(totals.NON_COMPLIANT > 0 ? ["NON_COMPLIANT"] : []),
    ...((diff?.counts.resolved ?? 0) > 0 ? ["COMPLIANT"] : []),
    ...((diff?.counts.unverified ?? 0) > 0 || totals.INSUFFICIENT_DATA > 0 ? ["INSUFFICIENT_DATA"] : []),
  ];
  if (complianceTypes.length > 0) attributes.complianceType = complianceTypes;

  return {
    subject: `EC2 compliance (organization scan): ${totals.NON_COMPLIANT} non-compliant${change}`,
    intro,
    notes,
    sections: lists.map(([key, title, findings]) => ({
      key,
      title,
      items: findings.slice(0, DIGEST_FINDINGS),
      line,
      record: digestRecord,
    })),
    json: {
      kind: "compliance-report",
      schemaVersion: 1,
      scope: "organization-scan",
      scanId: report.scan.scanId,
      generatedAt: report.generatedAt,
      accounts: report.scan.accounts,
      items: report.scan.items,
      totals,
      ...(diff ? { changes: diff.counts, previousGeneratedAt: diff.previousGeneratedAt } : {}),
      link,
      json: jsonUri,
      findings: report.findings.uri,
    },
    attributes,
  };
}

/** An item the Distributed Map could not scan, as its result files list it. */
export interface FailedItem extends Partial<ScanItem> {
  error: string;
  cause: string;
}

/** The alert of a scan that failed: every failed item named (all of them, across as many messages as it takes). */
export function failureBulletin(scanId: string, failed: readonly FailedItem[], error: string): Bulletin {
  return {
    subject: `EC2 compliance (organization scan): scan FAILED, ${failed.length} item(s) failed`,
    intro: [
      `Organization scan ${scanId} failed: ${error}. No report was written, and the previous scan stays the baseline.`,
      failed.length > 0
        ? "Each failed account and region is listed below with its error (its role could not be assumed, or a call failed)."
        : "The Distributed Map's result files list no failed item: read the execution's history.",
    ],
    sections: [
      {
        key: "failedItems",
        title: "Failed items",
        items: failed,
        line: (item: FailedItem) => `- ${item.accountId ?? "?"} ${item.region ?? "?"}: ${item.error}: ${item.cause}`,
        record: (item: FailedItem) => item,
      },
    ],
    json: { kind: "organization-scan-failure", schemaVersion: 1, scanId, error, failedItemCount: failed.length },
    attributes: { kind: "organization-scan-failure" },
  };
}
