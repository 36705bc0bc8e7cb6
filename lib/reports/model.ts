import {
  ACCOUNT_RESOURCE_TYPE,
  type AnyRule,
  type ComplianceType,
  type ControlMapping,
  type Evaluation,
  type Severity,
} from "../engine/rule";
import { EXPIRING_SOON_DAYS, exemptionOf, invalidTagOf, isExempted } from "../exemptions/exemptions";
import type { Origin } from "../model/types";

/** Bumped whenever a field of the JSON report changes meaning; `--previous` refuses other versions. */
export const REPORT_VERSION = 1;

export const COMPLIANCE_TYPES: readonly ComplianceType[] = ["NON_COMPLIANT", "INSUFFICIENT_DATA", "COMPLIANT", "NOT_APPLICABLE"];

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];

/**
 * How a finding moved since the previous report:
 * - new: failing now, not failing before (or not there);
 * - still-failing: failing now and before;
 * - resolved: failing before, now compliant or not applicable (or the resource is gone);
 * - exempted: exempted now, not exempted before;
 * - unverified: failing before, now impossible to judge (missing input) — neither fixed nor failing;
 * - unchanged: anything else.
 */
export type Change = "new" | "still-failing" | "resolved" | "exempted" | "unverified" | "unchanged";

export const CHANGES: readonly Change[] = ["new", "resolved", "still-failing", "exempted", "unverified", "unchanged"];

export interface Finding extends Evaluation {
  severity: Severity;
  exempted: boolean;
  /** When this rule × resource was first seen in its current state (failing since, compliant since…). */
  firstSeen: string;
  /** Absent when the report has no previous report to compare with. */
  change?: Change;
  /**
   * Only in the diff's lists: the finding is not among this run's findings, so it keeps its last
   * state. Resolved and absent: the resource is gone. Unverified and absent: the rule could not
   * judge that account and region this time (an input is missing there).
   */
  absent?: boolean;
}

export interface ComplianceCounts {
  COMPLIANT: number;
  NON_COMPLIANT: number;
  NOT_APPLICABLE: number;
  INSUFFICIENT_DATA: number;
  /** Included in NOT_APPLICABLE. */
  exempted: number;
  total: number;
}

export interface ReportRule {
  id: string;
  description: string;
  severity: Severity;
  controls: readonly ControlMapping[];
  /** AWS's documentation of what the rule checks (absent in reports written before rules had it). */
  helpUri?: string;
}

/**
 * Where a rule is documented: its own `docs` link, else AWS's page of the managed rule whose
 * verdicts it matches. Always AWS's documentation, so a SARIF viewer or a report links somewhere
 * that exists wherever this tool is installed.
 */
export function ruleHelpUri(rule: AnyRule): string | undefined {
  const { docs, managedRule } = rule.meta;
  return docs ?? (managedRule ? `https://docs.aws.amazon.com/config/latest/developerguide/${managedRule}.html` : undefined);
}

/** What a report says about a rule, taken from its metadata. */
export function reportRuleOf(rule: AnyRule): ReportRule {
  const { id, description, severity, controls } = rule.meta;
  const helpUri = ruleHelpUri(rule);
  return { id, description, severity, controls, ...(helpUri ? { helpUri } : {}) };
}

/** One input the evaluated model was built from (a snapshot file, a Config file, a folder). */
export interface ReportInput {
  path: string;
  format: string;
  accountIds: string[];
  regions: string[];
  capturedAt?: string;
}

export interface ReportSummary {
  totals: ComplianceCounts;
  byRule: Record<string, ComplianceCounts>;
  byRegion: Record<string, ComplianceCounts>;
  bySeverity: Record<string, ComplianceCounts>;
  /** Every account evaluated, with at least its account-level findings (an account not recorded is INSUFFICIENT_DATA). */
  byAccount: Record<string, ComplianceCounts>;
}

export interface ReportDiff {
  previousGeneratedAt: string;
  counts: Record<Change, number>;
  /** Failing in the previous report, now compliant or not applicable, or gone. */
  resolved: Finding[];
  /** Failing in the previous report, now impossible to judge: neither fixed nor known to fail. */
  unverified: Finding[];
}

/** The resource and rule an exemption concerns. */
export interface ExemptionSubjectRef {
  ruleId: string;
  resourceType: string;
  resourceId: string;
  region: string;
  accountId: string;
}

/** An exemption tag that was ignored (the resource was evaluated normally), and why. */
export interface InvalidExemption extends ExemptionSubjectRef {
  why: string;
}

/** An exemption in force that ends within {@link EXPIRING_SOON_DAYS} days of the report. */
export interface ExpiringExemption extends ExemptionSubjectRef {
  source: "tag" | "file";
  /** The expiry as written: a date (through the end of that day UTC) or a timestamp. */
  expires: string;
  owner?: string;
}

export interface ReportExemptions {
  invalid: InvalidExemption[];
  expiringSoon: ExpiringExemption[];
}

export interface Report {
  reportVersion: typeof REPORT_VERSION;
  generatedAt: string;
  tool: { name: string; version: string };
  inputs: ReportInput[];
  /** The account/region pairs evaluated: a finding of the previous report outside them is not "resolved". */
  scopes: Origin[];
  rules: ReportRule[];
  summary: ReportSummary;
  diff?: ReportDiff;
  /** Exemption tags that were ignored, and exemptions about to end: read from the findings' annotations. */
  exemptions: ReportExemptions;
  findings: Finding[];
}

export interface BuildReportOptions {
  evaluations: readonly Evaluation[];
  /** The rules that were run (a rule with no evaluation still appears in the summary). */
  rules: readonly ReportRule[];
  scopes: readonly Origin[];
  inputs?: readonly ReportInput[];
  previous?: Report;
  tool: { name: string; version: string };
  /** Injectable clock, so golden files are stable. */
  now?: () => Date;
}

/** Identity of a finding across runs. */
export const findingKey = (finding: Evaluation): string =>
  `${finding.ruleId}|${finding.resourceType}|${finding.resourceId}|${finding.region}|${finding.accountId}`;

/** Compliance state including exemption, so "exempted" and "not applicable" are distinct states. */
export const stateOf = (finding: Evaluation): string => (isExempted(finding) ? "EXEMPTED" : finding.complianceType);

export const emptyCounts = (): ComplianceCounts => ({
  COMPLIANT: 0,
  NON_COMPLIANT: 0,
  NOT_APPLICABLE: 0,
  INSUFFICIENT_DATA: 0,
  exempted: 0,
  total: 0,
});

function tally(counts: Record<string, ComplianceCounts>, key: string, finding: Finding): void {
  let entry = counts[key];
  if (!entry) {
    entry = emptyCounts();
    counts[key] = entry;
  }
  entry[finding.complianceType] += 1;
  if (finding.exempted) entry.exempted += 1;
  entry.total += 1;
}

export function classifyChange(current: Evaluation, previous: Evaluation | undefined): Change {
  const now = stateOf(current);
  const before = previous ? stateOf(previous) : undefined;
  if (now === "NON_COMPLIANT") return before === "NON_COMPLIANT" ? "still-failing" : "new";
  if (now === "EXEMPTED") return before === "EXEMPTED" ? "unchanged" : "exempted";
  if (before === "NON_COMPLIANT") return now === "INSUFFICIENT_DATA" ? "unverified" : "resolved";
  return "unchanged";
}

/**
 * Findings in report order (rule, failing first, account, region, type, id), sorted on one
 * precomputed code-point key per finding: one string comparison instead of six, and never
 * localeCompare, whose collation is slow at 100k findings and differs between machines.
 */
function sortFindings(findings: Finding[]): Finding[] {
  const keyed = findings.map((finding) => ({
    key: `${finding.ruleId}\u0000${COMPLIANCE_TYPES.indexOf(finding.complianceType)}\u0000${finding.accountId}\u0000${finding.region}\u0000${finding.resourceType}\u0000${finding.resourceId}`,
    finding,
  }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((entry) => entry.finding);
}

/**
 * Builds the report every renderer reads: findings with severity and first-seen date, summary
 * counts, and the diff against the previous report when one is given.
 */
export function buildReport(options: BuildReportOptions): Report {
  const generatedAt = (options.now?.() ?? new Date()).toISOString();
  const severityOf = new Map(options.rules.map((rule) => [rule.id, rule.severity]));
  const previousByKey = new Map<string, Finding>();
  for (const finding of options.previous?.findings ?? []) previousByKey.set(findingKey(finding), finding);
  const comparing = options.previous !== undefined;

  const findings: Finding[] = [];
  // The previous findings some evaluation has the key of: objects already held, where a set of
  // the keys would hold a million more strings at the peak of a large report's build.
  const matched = new Set<Finding>();
  for (const evaluation of options.evaluations) {
    const previous = previousByKey.get(findingKey(evaluation));
    if (previous) matched.add(previous);
    // Every field in the literal, optional ones too: a field added later would take a second allocation per finding.
    const finding: Finding = {
      ruleId: evaluation.ruleId,
      resourceType: evaluation.resourceType,
      resourceId: evaluation.resourceId,
      region: evaluation.region,
      accountId: evaluation.accountId,
      complianceType: evaluation.complianceType,
      annotation: evaluation.annotation,
      severity: severityOf.get(evaluation.ruleId) ?? "medium",
      exempted: isExempted(evaluation),
      firstSeen: previous && stateOf(previous) === stateOf(evaluation) ? previous.firstSeen : generatedAt,
      exemption: evaluation.exemption,
      change: comparing ? classifyChange(evaluation, previous) : undefined,
    };
    findings.push(finding);
  }

  const sorted = sortFindings(findings);
  const summary: ReportSummary = { totals: emptyCounts(), byRule: {}, byRegion: {}, bySeverity: {}, byAccount: {} };
  for (const rule of options.rules) summary.byRule[rule.id] = emptyCounts();
  for (const finding of sorted) {
    summary.totals[finding.complianceType] += 1;
    if (finding.exempted) summary.totals.exempted += 1;
    summary.totals.total += 1;
    tally(summary.byRule, finding.ruleId, finding);
    tally(summary.byRegion, finding.region, finding);
    tally(summary.bySeverity, finding.severity, finding);
    tally(summary.byAccount, finding.accountId, finding);
  }

  const report: Report = {
    reportVersion: REPORT_VERSION,
    generatedAt,
    tool: options.tool,
    inputs: [...(options.inputs ?? [])],
    scopes: [...options.scopes],
    rules: [...options.rules],
    summary,
    exemptions: exemptionsOf(sorted, generatedAt),
    findings: sorted,
  };
  if (options.previous) {
    const seen = (finding: Finding) => {
      const kept = previousByKey.get(findingKey(finding));
      return kept !== undefined && matched.has(kept);
    };
    report.diff = diffAgainst(options.previous, report.findings, seen, options);
  }
  return report;
}

/** The accounts of a summary, failing first: most non-compliant, then most that could not be judged, then by id. */
export function accountsFailingFirst(summary: ReportSummary): [accountId: string, counts: ComplianceCounts][] {
  return Object.entries(summary.byAccount).sort(
    ([a, countsA], [b, countsB]) =>
      countsB.NON_COMPLIANT - countsA.NON_COMPLIANT ||
      countsB.INSUFFICIENT_DATA - countsA.INSUFFICIENT_DATA ||
      (a < b ? -1 : a > b ? 1 : 0),
  );
}

/** Per account, how many findings are new and how many were resolved since the previous report. */
export function changesByAccount(report: Report): Map<string, { new: number; resolved: number }> {
  const changes = new Map<string, { new: number; resolved: number }>();
  const entry = (accountId: string) => {
    let counts = changes.get(accountId);
    if (!counts) {
      counts = { new: 0, resolved: 0 };
      changes.set(accountId, counts);
    }
    return counts;
  };
  for (const finding of report.findings) if (finding.change === "new") entry(finding.accountId).new += 1;
  for (const finding of report.diff?.resolved ?? []) entry(finding.accountId).resolved += 1;
  return changes;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The invalid exemption tags and the exemptions ending within 14 days, from the annotations the
 * engine wrote: so a report built from Config's stored results lists them just as an offline one.
 */
function exemptionsOf(findings: readonly Finding[], generatedAt: string): ReportExemptions {
  const now = Date.parse(generatedAt);
  const soon = now + EXPIRING_SOON_DAYS * DAY_MS;
  const invalid: InvalidExemption[] = [];
  const expiringSoon: ExpiringExemption[] = [];
  for (const finding of findings) {
    const subject = {
      ruleId: finding.ruleId,
      resourceType: finding.resourceType,
      resourceId: finding.resourceId,
      region: finding.region,
      accountId: finding.accountId,
    };
    const why = invalidTagOf(finding.annotation);
    if (why !== undefined) invalid.push({ ...subject, why });
    if (!finding.exempted) continue;
    const exemption = exemptionOf(finding.annotation);
    const end = exemption?.expires?.end.getTime();
    if (exemption?.expires && end !== undefined && end > now && end <= soon) {
      expiringSoon.push({
        ...subject,
        source: exemption.source,
        expires: exemption.expires.label,
        ...(exemption.owner === undefined ? {} : { owner: exemption.owner }),
      });
    }
  }
  return { invalid, expiringSoon };
}

/** `seen`: whether this run has a finding of the same key as a previous one. */
function diffAgainst(
  previous: Report,
  findings: readonly Finding[],
  seen: (previous: Finding) => boolean,
  options: BuildReportOptions,
): ReportDiff {
  const counts = Object.fromEntries(CHANGES.map((change) => [change, 0])) as Record<Change, number>;
  const resolved: Finding[] = [];
  const unverified: Finding[] = [];
  // Rules that could not judge a whole account/region report it once, on the account.
  const unjudged = new Set<string>();
  for (const finding of findings) {
    if (finding.change) counts[finding.change] += 1;
    if (finding.change === "resolved") resolved.push(finding);
    if (finding.change === "unverified") unverified.push(finding);
    if (finding.resourceType === ACCOUNT_RESOURCE_TYPE && finding.complianceType === "INSUFFICIENT_DATA") {
      unjudged.add(`${finding.ruleId}|${finding.accountId}/${finding.region}`);
    }
  }
  // A failing finding missing from this run is resolved (the resource is gone) only where this
  // run judged its rule; where the rule lacked input it is unverified; elsewhere it is not compared.
  const ruleIds = new Set(options.rules.map((rule) => rule.id));
  const scopes = new Set(options.scopes.map((scope) => `${scope.accountId}/${scope.region}`));
  for (const finding of previous.findings) {
    if (finding.complianceType !== "NON_COMPLIANT" || seen(finding)) continue;
    const scope = `${finding.accountId}/${finding.region}`;
    if (!ruleIds.has(finding.ruleId) || !scopes.has(scope)) continue;
    if (unjudged.has(`${finding.ruleId}|${scope}`)) {
      unverified.push({ ...finding, change: "unverified", absent: true });
      counts.unverified += 1;
    } else {
      resolved.push({ ...finding, change: "resolved", absent: true });
      counts.resolved += 1;
    }
  }
  return {
    previousGeneratedAt: previous.generatedAt,
    counts,
    resolved: sortFindings(resolved),
    unverified: sortFindings(unverified),
  };
}

/** A finding as a digest's JSON lists it (the scheduled report's and the organization scan's). */
export const digestRecord = (finding: Finding) => ({
  ruleId: finding.ruleId,
  severity: finding.severity,
  resourceType: finding.resourceType,
  resourceId: finding.resourceId,
  region: finding.region,
  accountId: finding.accountId,
  complianceType: finding.complianceType,
  annotation: finding.annotation,
  firstSeen: finding.firstSeen,
});
