import type { Bulletin } from "../alerts/bulletin";
import { accountsFailingFirst, digestRecord, type Finding, findingsWhere, type Report } from "../reports/model";

/** Findings named per change in the SNS digest; the rest are counted. */
const DIGEST_FINDINGS = 10;

const line = (finding: Finding): string =>
  `- ${finding.ruleId} ${finding.resourceType} ${finding.resourceId} (${finding.accountId} ${finding.region}): ${finding.annotation}`;

/** Accounts named in a digest's intro. */
const DIGEST_ACCOUNTS = 10;
/** Accounts (or regions) an organization digest names in one message attribute at most (SNS counts attributes against the message size). */
const MAX_ATTRIBUTE_VALUES = 100;

/**
 * The scheduled report's digest, as a bulletin the alerts sink publishes (lib/alerts/publish.ts): counts, the
 * main changes, the link, and the message attributes of the rule digests (kind, ruleId, severity,
 * accountId, region, complianceType), so that one subscription filter serves both.
 */
export function reportBulletin(report: Report, link: string, expirySeconds: number, jsonUri: string): Bulletin {
  const { totals } = report.summary;
  const diff = report.diff;
  const change = diff ? ` (${diff.counts.new} new, ${diff.counts.resolved} resolved)` : "";
  const accounts = accountsFailingFirst(report.summary);
  const distinct = (values: string[]) => [...new Set(values)].sort();
  const scopeRegions = distinct(report.scopes.map((scope) => scope.region));
  // An organization report covers up to thousands of account/region pairs: counted, not listed.
  const account =
    accounts.length > 1 || report.scopes.length > 3
      ? `${accounts.length} accounts in ${scopeRegions.length} region${scopeRegions.length === 1 ? "" : "s"}`
      : report.scopes.map((scope) => `${scope.accountId} ${scope.region}`).join(", ");
  const failingAccounts = accounts.filter(([, counts]) => counts.NON_COMPLIANT + counts.INSUFFICIENT_DATA > 0).slice(0, DIGEST_ACCOUNTS);
  const intro = [
    `EC2 compliance report of ${report.generatedAt} for ${account}`,
    ...(accounts.length > 1 && failingAccounts.length > 0
      ? [
          `Most failing accounts: ${failingAccounts.map(([id, counts]) => `${id} (${counts.NON_COMPLIANT} non-compliant, ${counts.INSUFFICIENT_DATA} insufficient data)`).join("; ")}`,
        ]
      : []),
    `Non-compliant: ${totals.NON_COMPLIANT}; compliant: ${totals.COMPLIANT}; exempted: ${totals.exempted}; not applicable: ${totals.NOT_APPLICABLE - totals.exempted}; insufficient data: ${totals.INSUFFICIENT_DATA}`,
    diff
      ? `Since ${diff.previousGeneratedAt}: ${diff.counts.new} new, ${diff.counts.resolved} resolved, ${diff.counts["still-failing"]} still failing, ${diff.counts.exempted} newly exempted, ${diff.counts.unverified} no longer verifiable`
      : "First report: no previous report in the bucket to compare with.",
  ];
  const lists: [key: string, title: string, findings: readonly Finding[]][] = diff
    ? [
        ["new", "New", findingsWhere(report.findings, (finding) => finding.change === "new")],
        ["resolved", "Resolved", diff.resolved],
        ["newlyExempted", "Newly exempted", findingsWhere(report.findings, (finding) => finding.change === "exempted")],
        ["unverified", "No longer verifiable", diff.unverified],
      ]
    : [];
  const notes = lists
    .filter(([, , findings]) => findings.length > DIGEST_FINDINGS)
    .map(([, title, findings]) => `${title}: ${findings.length - DIGEST_FINDINGS} more in the report.`);
  notes.push(`Report (link valid ${Math.round(expirySeconds / 3600)} h): ${link}`, `JSON: ${jsonUri}`);

  const named = findingsWhere(report.findings, (finding) => finding.complianceType === "NON_COMPLIANT" || finding.change === "new");
  const concerned = [...named, ...(diff?.resolved ?? []), ...(diff?.unverified ?? [])];
  const complianceTypes = [
    ...(totals.NON_COMPLIANT > 0 ? ["NON_COMPLIANT"] : []),
    ...((diff?.counts.resolved ?? 0) > 0 ? ["COMPLIANT"] : []),
    ...((diff?.counts.unverified ?? 0) > 0 || totals.INSUFFICIENT_DATA > 0 ? ["INSUFFICIENT_DATA"] : []),
  ];
  const attributes: Bulletin["attributes"] = { kind: "compliance-report" };
  const ruleIds = distinct(concerned.map((finding) => finding.ruleId));
  const severities = distinct(concerned.map((finding) => finding.severity));
  if (ruleIds.length > 0) attributes.ruleId = ruleIds;
  if (severities.length > 0) attributes.severity = severities;
  // One scope: its account and region, as a rule digest has. Several: those of the findings named,
  // unless too many to fit beside the message (the attributes count towards SNS's 256 KB).
  const [scope] = report.scopes;
  if (scope && report.scopes.length === 1) Object.assign(attributes, { accountId: scope.accountId, region: scope.region });
  else {
    // The accounts and regions left unjudged concern a subscriber too.
    const unjudged = findingsWhere(report.findings, (finding) => finding.complianceType === "INSUFFICIENT_DATA");
    const accountIds = distinct([...concerned, ...unjudged].map((finding) => finding.accountId));
    const regions = distinct([...concerned, ...unjudged].map((finding) => finding.region));
    if (accountIds.length > 0 && accountIds.length <= MAX_ATTRIBUTE_VALUES) attributes.accountId = accountIds;
    if (regions.length > 0 && regions.length <= MAX_ATTRIBUTE_VALUES) attributes.region = regions;
  }
  if (complianceTypes.length > 0) attributes.complianceType = complianceTypes;

  return {
    subject: `EC2 compliance: ${totals.NON_COMPLIANT} non-compliant${change}`,
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
      generatedAt: report.generatedAt,
      scopes: report.scopes,
      totals,
      ...(diff ? { changes: diff.counts, previousGeneratedAt: diff.previousGeneratedAt } : {}),
      link,
      json: jsonUri,
    },
    attributes,
  };
}
