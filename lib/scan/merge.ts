import { ACCOUNT_RESOURCE_TYPE, type Evaluation } from "../engine/rule";
import { InputError } from "../errors";
import { isExempted } from "../exemptions/exemptions";
import {
  CHANGES,
  type Change,
  type ComplianceCounts,
  classifyChange,
  emptyCounts,
  type Finding,
  type ReportDiff,
  type ReportRule,
  type ReportSummary,
  stateOf,
} from "../reports/model";
import { itemKey, type LineWriter, parseLine, type ScanItem, scanFindingKey } from "./findings";

export const SCAN_REPORT_KIND = "organization-scan-report";
/** Findings listed per change in the report's diff; all of them are in the findings file, with their change. */
export const DIFF_LIST_LIMIT = 100;

/** The scheduled report's summary; byAccount has one entry per account of the manifest, even one without findings. */
export type ScanSummary = ReportSummary;

/** The report's diff, plus the first {@link DIFF_LIST_LIMIT} new findings; every list in key order (account, region, rule, type, id). */
export type ScanDiff = ReportDiff & { new: Finding[] };

/** The organization scan's report: the scheduled report's summary, per-account breakdown and diff, with the findings in a file beside it. */
export interface ScanReport {
  kind: typeof SCAN_REPORT_KIND;
  reportVersion: 1;
  generatedAt: string;
  tool: { name: string; version: string };
  scan: { scanId: string; items: number; accounts: number; regions: string[] };
  rules: ReportRule[];
  summary: ScanSummary;
  diff?: ScanDiff;
  /** Every finding of this scan, one JSON line each, sorted by key: what the next scan diffs against. */
  findings: { uri: string; count: number };
}

export interface PreviousScan {
  generatedAt: string;
  /** The previous scan's findings file, one line at a time. */
  lines: AsyncIterable<string>;
  where: string;
}

export interface MergeInput {
  scanId: string;
  /** The manifest: sorted by {@link itemKey}, every item succeeded. */
  items: readonly ScanItem[];
  /** The lines of one item's findings file (sorted by key). */
  openItem: (item: ScanItem) => AsyncIterable<string>;
  /** Where an item's file is, for error messages. */
  describeItem: (item: ScanItem) => string;
  previous?: PreviousScan;
  rules: readonly ReportRule[];
  /** Receives every merged finding, in key order. */
  out: LineWriter;
  findingsUri: string;
  generatedAt: string;
  tool: { name: string; version: string };
}

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

/** The previous scan's findings, one at a time, checked to be in key order. */
class PreviousCursor {
  current: Finding | undefined;
  key = "";
  private lineNumber = 0;
  private readonly iterator: AsyncIterator<string> | undefined;

  constructor(private readonly previous: PreviousScan | undefined) {
    this.iterator = previous?.lines[Symbol.asyncIterator]();
  }

  async next(): Promise<void> {
    const result = this.iterator ? await this.iterator.next() : { done: true as const, value: undefined };
    if (result.done) {
      this.current = undefined;
      return;
    }
    this.lineNumber += 1;
    const where = this.previous?.where ?? "previous findings";
    const finding = parseLine<Finding>(result.value, where, this.lineNumber);
    const key = scanFindingKey(finding);
    if (this.lineNumber > 1 && key <= this.key) throw new InputError(`line ${this.lineNumber} is out of key order`, { file: where });
    this.current = finding;
    this.key = key;
  }

  /** The item key of the current previous finding. */
  scope(): string | undefined {
    return this.current && itemKey(this.current);
  }
}

/**
 * Merges the items' findings into one report, streamed: item files are read one at a time, in
 * manifest order, and the previous scan's findings file alongside them (a merge-join on the sorted
 * keys), so memory holds the counters, the manifest, the capped diff lists and the current line of
 * each stream, whatever the number of accounts. Every merged finding goes to `out` with its
 * severity, first-seen date and change, as the scheduled report's findings carry them.
 */
export async function mergeScan(input: MergeInput): Promise<ScanReport> {
  const { generatedAt } = input;
  const severityOf = new Map(input.rules.map((rule) => [rule.id, rule.severity]));
  const ruleIds = new Set(input.rules.map((rule) => rule.id));
  const comparing = input.previous !== undefined;
  const counts = Object.fromEntries(CHANGES.map((change) => [change, 0])) as Record<Change, number>;
  const lists: Pick<ScanDiff, "new" | "resolved" | "unverified"> = { new: [], resolved: [], unverified: [] };
  const listed = (list: Finding[], finding: Finding) => list.length < DIFF_LIST_LIMIT && list.push(finding);
  const summary: ScanSummary = { totals: emptyCounts(), byRule: {}, byRegion: {}, bySeverity: {}, byAccount: {} };
  for (const rule of input.rules) summary.byRule[rule.id] = emptyCounts();
  const regions = new Set<string>();
  let count = 0;

  const previous = new PreviousCursor(input.previous);
  await previous.next();

  /** A failing finding of the previous scan missing from this one, in a scope this scan judged. */
  const absent = (finding: Finding, unjudged: ReadonlySet<string>) => {
    if (finding.complianceType !== "NON_COMPLIANT" || !ruleIds.has(finding.ruleId)) return;
    const change: Change = unjudged.has(finding.ruleId) ? "unverified" : "resolved";
    counts[change] += 1;
    listed(change === "resolved" ? lists.resolved : lists.unverified, { ...finding, change, absent: true });
  };

  let lastItem = "";
  for (const item of input.items) {
    const scope = itemKey(item);
    if (scope <= lastItem) throw new InputError(`the manifest is not sorted by account and region at ${item.accountId} ${item.region}`);
    lastItem = scope;
    regions.add(item.region);
    if (!summary.byAccount[item.accountId]) summary.byAccount[item.accountId] = emptyCounts();
    // Scopes of the previous scan that this one did not scan (an account gone, a region dropped) are not compared.
    while (previous.current && (previous.scope() as string) < scope) await previous.next();
    /** Rules that could not judge this account and region (their account-level INSUFFICIENT_DATA sorts first in the rule's block). */
    const unjudged = new Set<string>();
    const where = input.describeItem(item);
    let lastKey = "";
    let lineNumber = 0;
    for await (const line of input.openItem(item)) {
      lineNumber += 1;
      const evaluation = parseLine<Evaluation>(line, where, lineNumber);
      if (evaluation.accountId !== item.accountId || evaluation.region !== item.region) {
        throw new InputError(`line ${lineNumber} is of ${evaluation.accountId} ${evaluation.region}, not of this item`, { file: where });
      }
      const key = scanFindingKey(evaluation);
      if (key <= lastKey) throw new InputError(`line ${lineNumber} is out of key order`, { file: where });
      lastKey = key;
      while (previous.current && previous.key < key && previous.scope() === scope) {
        absent(previous.current, unjudged);
        await previous.next();
      }
      let before: Finding | undefined;
      if (previous.current && previous.key === key) {
        before = previous.current;
        await previous.next();
      }
      if (evaluation.resourceType === ACCOUNT_RESOURCE_TYPE && evaluation.complianceType === "INSUFFICIENT_DATA")
        unjudged.add(evaluation.ruleId);

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
        firstSeen: before && stateOf(before) === stateOf(evaluation) ? before.firstSeen : generatedAt,
      };
      if (evaluation.exemption) finding.exemption = evaluation.exemption;
      if (comparing) {
        finding.change = classifyChange(evaluation, before);
        counts[finding.change] += 1;
        if (finding.change === "new") listed(lists.new, finding);
        if (finding.change === "resolved") listed(lists.resolved, finding);
        if (finding.change === "unverified") listed(lists.unverified, finding);
      }
      summary.totals[finding.complianceType] += 1;
      if (finding.exempted) summary.totals.exempted += 1;
      summary.totals.total += 1;
      tally(summary.byRule, finding.ruleId, finding);
      tally(summary.byRegion, finding.region, finding);
      tally(summary.bySeverity, finding.severity, finding);
      tally(summary.byAccount, finding.accountId, finding);
      count += 1;
      await input.out.write(JSON.stringify(finding));
    }
    while (previous.current && previous.scope() === scope) {
      absent(previous.current, unjudged);
      await previous.next();
    }
  }
  await input.out.end();

  const report: ScanReport = {
    kind: SCAN_REPORT_KIND,
    reportVersion: 1,
    generatedAt,
    tool: input.tool,
    scan: {
      scanId: input.scanId,
      items: input.items.length,
      accounts: Object.keys(summary.byAccount).length,
      regions: [...regions].sort(),
    },
    rules: [...input.rules],
    summary,
    findings: { uri: input.findingsUri, count },
  };
  if (input.previous) report.diff = { previousGeneratedAt: input.previous.generatedAt, counts, ...lists };
  return report;
}
