import {
  ACCOUNT_RESOURCE_TYPE,
  type AnyRule,
  type ComplianceType,
  type ControlMapping,
  type Evaluation,
  type ExemptionDetail,
  type Severity,
} from "../engine/rule";
import { EXPIRING_SOON_DAYS, exemptionOf, invalidTagOf, isExempted } from "../exemptions/exemptions";
import { grown, TextColumn } from "../io/text-column";
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
  findings: Findings;
}

/**
 * A report's findings in report order, readable as often as needed, with their count. A built
 * report makes each one as it is read (see {@link FindingTable}); a report read back from JSON
 * holds them as an array.
 */
export interface Findings extends Iterable<Finding> {
  readonly length: number;
}

/** The findings of one rule, in their order. */
export function findingsOfRule(findings: Findings, ruleId: string): Iterable<Finding> {
  return findings instanceof FindingTable ? findings.ofRule(ruleId) : findingsWhere(findings, (finding) => finding.ruleId === ruleId);
}

/** The findings that `keep` selects, in their order. */
export function findingsWhere(findings: Findings, keep: (finding: Finding) => boolean): Finding[] {
  const kept: Finding[] = [];
  for (const finding of findings) if (keep(finding)) kept.push(finding);
  return kept;
}

export interface BuildReportOptions {
  /** Read once, in order, and not kept: the rules' evaluations can be given as they are made. */
  evaluations: Iterable<Evaluation>;
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
export const stateOf = (finding: Pick<Evaluation, "complianceType" | "annotation">): string =>
  isExempted(finding) ? "EXEMPTED" : finding.complianceType;

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
  return changeBetween(stateOf(current), previous ? stateOf(previous) : undefined);
}

function changeBetween(now: string, before: string | undefined): Change {
  if (now === "NON_COMPLIANT") return before === "NON_COMPLIANT" ? "still-failing" : "new";
  if (now === "EXEMPTED") return before === "EXEMPTED" ? "unchanged" : "exempted";
  if (before === "NON_COMPLIANT") return now === "INSUFFICIENT_DATA" ? "unverified" : "resolved";
  return "unchanged";
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A map keyed by four strings, as maps nested in that order: the items' own strings are the keys,
 * so no key string is built per item.
 */
class FourKeyMap {
  private readonly root = new Map<string, Map<string, Map<string, Map<string, number>>>>();

  get(a: string, b: string, c: string, d: string): number | undefined {
    return this.root.get(a)?.get(b)?.get(c)?.get(d);
  }

  /** The number held under the key; if there is none, `next` is held and returned. */
  intern(a: string, b: string, c: string, d: string, next: number): number {
    const leaf = child(child(child(this.root, a), b), c);
    const held = leaf.get(d);
    if (held !== undefined) return held;
    leaf.set(d, next);
    return next;
  }
}

function child<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let found = map.get(key);
  if (!found) {
    found = new Map();
    map.set(key, found);
  }
  return found;
}

/** The four key strings an evaluation shares with the others of its group. */
interface GroupKey {
  ruleId: string;
  accountId: string;
  region: string;
  resourceType: string;
}

/**
 * What a report keeps of each evaluation, a column each, taken one at a time: the rule, account,
 * region and type once per group of them; the id by reference (the model's own string, mostly);
 * the annotation as bytes off the V8 heap (most are distinct strings made by the rules, and a
 * million of them are most of what a report holds); the compliance type in a byte. So the
 * evaluations given (any iterable: the rules' own, as they come) need never be held all at once.
 */
class EvaluationColumns {
  readonly ids: string[] = [];
  readonly annotations = new TextColumn();
  /** Each item's group, an index into `groups`. */
  groupOf = new Int32Array(1024);
  /** Each item's compliance type, an index into `types`. */
  typeOf = new Uint8Array(1024);
  readonly groups: GroupKey[] = [];
  readonly types: ComplianceType[] = [];
  /** By position: only exempted evaluations carry one. */
  readonly exemptions = new Map<number, ExemptionDetail>();
  private readonly groupIndex = new FourKeyMap();

  constructor(evaluations: Iterable<Evaluation>) {
    for (const evaluation of evaluations) this.add(evaluation);
    this.groupOf = this.groupOf.slice(0, this.length);
    this.typeOf = this.typeOf.slice(0, this.length);
  }

  get length(): number {
    return this.ids.length;
  }

  private add(evaluation: Evaluation): void {
    const position = this.ids.length;
    if (position === this.groupOf.length) {
      this.groupOf = grown(this.groupOf, new Int32Array(position * 2));
      this.typeOf = grown(this.typeOf, new Uint8Array(position * 2));
    }
    const { ruleId, accountId, region, resourceType } = evaluation;
    const group = this.groupIndex.intern(ruleId, accountId, region, resourceType, this.groups.length);
    if (group === this.groups.length) this.groups.push({ ruleId, accountId, region, resourceType });
    this.groupOf[position] = group;
    let type = this.types.indexOf(evaluation.complianceType);
    if (type < 0) type = this.types.push(evaluation.complianceType) - 1;
    this.typeOf[position] = type;
    this.ids.push(evaluation.resourceId);
    this.annotations.push(evaluation.annotation);
    if (evaluation.exemption) this.exemptions.set(position, evaluation.exemption);
  }

  /** The group of a key, if any item has it. */
  groupOfKey(key: GroupKey): number | undefined {
    return this.groupIndex.get(key.ruleId, key.accountId, key.region, key.resourceType);
  }

  complianceTypeAt(position: number): ComplianceType {
    return this.types[this.typeOf[position] as number] as ComplianceType;
  }

  groupAt(position: number): GroupKey {
    return this.groups[this.groupOf[position] as number] as GroupKey;
  }
}

/**
 * Items sorted by key (rule, account, region, type, id), in code-unit order and never
 * localeCompare, whose collation is slow at 100k findings and differs between machines. The few
 * distinct (rule, account, region, type) groups are ranked once, so a million items are sorted on
 * a rank and their id, with no key string each; an item of a given key is then found by search
 * within its group, with no index entry per item. Items of one key keep their order.
 */
class KeyOrder {
  /** The items' positions in key order. */
  readonly positions: Int32Array;
  /** Each group's range in `positions`. */
  private readonly groupStart: Int32Array;
  private readonly groupEnd: Int32Array;
  /** Each group's index in `positions` just after the items last looked up in it. */
  private readonly finger: Int32Array;

  constructor(private readonly items: EvaluationColumns) {
    const { groups, groupOf, ids } = items;
    const rankOfGroup = new Int32Array(groups.length);
    groups
      .map((_, group) => group)
      .sort((groupA, groupB) => {
        const a = groups[groupA] as GroupKey;
        const b = groups[groupB] as GroupKey;
        return (
          compareStrings(a.ruleId, b.ruleId) ||
          compareStrings(a.accountId, b.accountId) ||
          compareStrings(a.region, b.region) ||
          compareStrings(a.resourceType, b.resourceType)
        );
      })
      .forEach((group, rank) => {
        rankOfGroup[group] = rank;
      });
    const rank = groupOf.map((group) => rankOfGroup[group] as number);
    this.positions = groupOf.map((_, position) => position);
    this.positions.sort((a, b) => (rank[a] as number) - (rank[b] as number) || compareStrings(ids[a] as string, ids[b] as string) || a - b);
    this.groupStart = new Int32Array(groups.length);
    this.groupEnd = new Int32Array(groups.length);
    this.positions.forEach((position, index) => {
      const group = groupOf[position] as number;
      if (index === 0 || groupOf[this.positions[index - 1] as number] !== group) this.groupStart[group] = index;
      this.groupEnd[group] = index + 1;
    });
    this.finger = this.groupStart.slice();
  }

  /** Calls `visit` with the position of each item of the key of `key`, in their order. */
  forEachPositionOf(key: Evaluation, visit: (position: number) => void): void {
    const group = this.items.groupOfKey(key);
    if (group === undefined) return;
    const end = this.groupEnd[group] as number;
    let index = this.firstIndexOf(group, key.resourceId);
    for (; index < end && this.idAt(index) === key.resourceId; index++) visit(this.positions[index] as number);
    this.finger[group] = index;
  }

  /**
   * The first index in the group's range of `positions` whose id is not below `id`. A previous
   * report lists each group's findings of one state in id order, so the next key is mostly at or
   * just after the last one found: the search gallops forward from there, a few comparisons
   * instead of a binary search's twenty over a million ids; a key before it is searched for from
   * the group's start.
   */
  private firstIndexOf(group: number, id: string): number {
    const finger = this.finger[group] as number;
    let low = this.groupStart[group] as number;
    let high = finger;
    if (finger === low || this.idAt(finger - 1) < id) {
      const end = this.groupEnd[group] as number;
      low = finger;
      for (let step = 1; high < end && this.idAt(high) < id; step *= 2) {
        low = high + 1;
        high = Math.min(end, high + step);
      }
    }
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.idAt(middle) < id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private idAt(index: number): string {
    return this.items.ids[this.positions[index] as number] as string;
  }

  /**
   * The items' positions in report order: key order, but each rule's failing first (in
   * {@link COMPLIANCE_TYPES}' order); and where each rule's run of them starts and ends.
   */
  reportOrder(): { order: Int32Array; rules: Map<string, { start: number; end: number }> } {
    const { items, positions } = this;
    // The rank in COMPLIANCE_TYPES of each type held (0: one not in the list, which comes first, as its index would sort).
    const rankOfType = items.types.map((type) => COMPLIANCE_TYPES.indexOf(type) + 1);
    const rules = new Map<string, { start: number; end: number }>();
    let range: { ruleId: string; start: number; end: number } | undefined;
    for (let index = 0; index < positions.length; index++) {
      const { ruleId } = items.groupAt(positions[index] as number);
      if (ruleId !== range?.ruleId) {
        range = { ruleId, start: index, end: index };
        rules.set(ruleId, range);
      }
      range.end = index + 1;
    }
    const order = new Int32Array(positions.length);
    let placed = 0;
    for (const { start, end } of rules.values()) {
      for (let rank = 0; rank <= COMPLIANCE_TYPES.length; rank++) {
        for (let index = start; index < end; index++) {
          const position = positions[index] as number;
          if (rankOfType[items.typeOf[position] as number] === rank) order[placed++] = position;
        }
      }
    }
    return { order, rules };
  }
}

/** Findings in report order (rule, failing first, account, region, type, id). */
const sortFindings = (findings: readonly Finding[]): Finding[] =>
  Array.from(new KeyOrder(new EvaluationColumns(findings)).reportOrder().order, (position) => findings[position] as Finding);

/** A previous finding's state as a small number (0: no previous finding), so a million of them fit in a byte array. */
const STATES = [undefined, "NON_COMPLIANT", "INSUFFICIENT_DATA", "COMPLIANT", "NOT_APPLICABLE", "EXEMPTED"] as const;
const STATE_CODES = new Map<string | undefined, number>(STATES.map((state, code) => [state, code]));

/**
 * What a build keeps of the previous report, once read: for each of this run's evaluations, the
 * state before and since when (the dates, mostly alike, held once each); and the failing findings
 * this run has no counterpart of, which the diff lists as resolved (the resource is gone) or
 * unverified (its rule could not judge that account and region this time).
 */
class PreviousStates {
  readonly resolved: Finding[] = [];
  readonly unverified: Finding[] = [];
  /** By evaluation position. */
  readonly stateBefore: Uint8Array;
  readonly firstSeenBefore: Int32Array;
  private readonly dates: string[] = [];
  private readonly dateNumbers = new Map<string, number>();

  constructor(evaluations: number) {
    this.stateBefore = new Uint8Array(evaluations);
    this.firstSeenBefore = new Int32Array(evaluations);
  }

  /** The state before of the evaluation at `position` (undefined: no previous finding of its key). */
  stateOf(position: number): string | undefined {
    return STATES[this.stateBefore[position] as number];
  }

  /** When the previous finding of the evaluation at `position` was first seen (only if it has one). */
  firstSeenOf(position: number): string {
    return this.dates[this.firstSeenBefore[position] as number] as string;
  }

  /** The number of a first-seen date, so that a million findings of a few dates hold each date once. */
  dateNumber(date: string): number {
    let number = this.dateNumbers.get(date);
    if (number === undefined) {
      number = this.dates.length;
      this.dates.push(date);
      this.dateNumbers.set(date, number);
    }
    return number;
  }
}

/**
 * Takes the previous report's findings one at a time, as they are read, and finds each one's
 * counterparts among this run's evaluations in their key order, so the previous report is never
 * held whole (see {@link PreviousStates}). A previous finding outside this run's scopes or rules
 * is not compared.
 */
class PreviousFindings {
  private readonly ruleIds: ReadonlySet<string>;
  private readonly scopes: ReadonlySet<string>;
  /** The rules that could not judge a whole account/region say so once, on the account: `rule|account/region`. */
  private readonly unjudged = new Set<string>();
  readonly states: PreviousStates;

  constructor(
    private readonly order: KeyOrder,
    evaluations: EvaluationColumns,
    options: Pick<BuildReportOptions, "rules" | "scopes">,
  ) {
    for (let position = 0; position < evaluations.length; position++) {
      const { ruleId, resourceType, region, accountId } = evaluations.groupAt(position);
      if (resourceType === ACCOUNT_RESOURCE_TYPE && evaluations.complianceTypeAt(position) === "INSUFFICIENT_DATA")
        this.unjudged.add(`${ruleId}|${accountId}/${region}`);
    }
    this.states = new PreviousStates(evaluations.length);
    this.ruleIds = new Set(options.rules.map((rule) => rule.id));
    this.scopes = new Set(options.scopes.map((scope) => `${scope.accountId}/${scope.region}`));
  }

  /** Takes the previous report's next finding (of several of one key, the last counts). */
  add(finding: Finding): void {
    const { states } = this;
    let seen = false;
    this.order.forEachPositionOf(finding, (position) => {
      states.stateBefore[position] = STATE_CODES.get(stateOf(finding)) as number;
      states.firstSeenBefore[position] = states.dateNumber(finding.firstSeen);
      seen = true;
    });
    // A failing finding missing from this run is resolved (the resource is gone) only where this
    // run judged its rule; where the rule lacked input it is unverified; elsewhere it is not compared.
    if (seen || finding.complianceType !== "NON_COMPLIANT") return;
    const scope = `${finding.accountId}/${finding.region}`;
    if (!this.ruleIds.has(finding.ruleId) || !this.scopes.has(scope)) return;
    if (this.unjudged.has(`${finding.ruleId}|${scope}`)) states.unverified.push({ ...finding, change: "unverified", absent: true });
    else states.resolved.push({ ...finding, change: "resolved", absent: true });
  }
}

/**
 * Builds the report every renderer reads: findings with severity and first-seen date, summary
 * counts, and the diff against the previous report when one is given.
 */
export function buildReport(options: BuildReportOptions): Report {
  const evaluations = new EvaluationColumns(options.evaluations);
  const order = new KeyOrder(evaluations);
  const { previous } = options;
  if (!previous) return assembleReport(options, evaluations, order);
  const findings = new PreviousFindings(order, evaluations, options);
  for (const finding of previous.findings) findings.add(finding);
  return assembleReport(options, evaluations, order, { states: findings.states, generatedAt: previous.generatedAt });
}

/** Reads a previous report, giving its findings to `take` one by one, in order; resolves to the rest once it is read and valid. */
export type PreviousReader = (take: (finding: Finding) => void) => Promise<{ generatedAt: string }>;

/**
 * {@link buildReport} against a previous report read as a stream, so that a report of a million
 * findings is never held whole.
 */
export async function buildReportAgainst(options: Omit<BuildReportOptions, "previous">, readPrevious: PreviousReader): Promise<Report> {
  const evaluations = new EvaluationColumns(options.evaluations);
  const order = new KeyOrder(evaluations);
  const findings = new PreviousFindings(order, evaluations, options);
  const { generatedAt } = await readPrevious((finding) => findings.add(finding));
  return assembleReport(options, evaluations, order, { states: findings.states, generatedAt });
}

/**
 * The findings of a built report, over the columns of its evaluations: per finding only its place
 * in report order (and, through {@link PreviousStates}, a byte and a date number of the previous
 * report), not an object each. A finding is made each time it is read, and is garbage as soon as
 * it is rendered.
 */
class FindingTable implements Findings {
  constructor(
    private readonly evaluations: EvaluationColumns,
    private readonly order: Int32Array,
    /** Where each rule's findings are in `order` (report order keeps a rule's together). */
    private readonly rules: ReadonlyMap<string, { start: number; end: number }>,
    private readonly severityOf: ReadonlyMap<string, Severity>,
    private readonly generatedAt: string,
    private readonly before: PreviousStates | undefined,
  ) {}

  get length(): number {
    return this.order.length;
  }

  *[Symbol.iterator](): Iterator<Finding> {
    for (const position of this.order) yield this.findingAt(position);
  }

  /** The findings of one rule, made only for that rule's. */
  *ofRule(ruleId: string): Generator<Finding> {
    const range = this.rules.get(ruleId);
    if (range) for (let index = range.start; index < range.end; index++) yield this.findingAt(this.order[index] as number);
  }

  /** As JSON, the list: so a report's JSON.stringify is still the JSON report. */
  toJSON(): Finding[] {
    return [...this];
  }

  private findingAt(position: number): Finding {
    const { before, evaluations } = this;
    const { ruleId, resourceType, region, accountId } = evaluations.groupAt(position);
    const complianceType = evaluations.complianceTypeAt(position);
    const annotation = evaluations.annotations.at(position);
    const exempted = isExempted({ complianceType, annotation });
    const state = stateOf({ complianceType, annotation });
    const stateBefore = before?.stateOf(position);
    // Every field in the literal, optional ones too: a field added later would take a second allocation per finding.
    return {
      ruleId,
      resourceType,
      resourceId: evaluations.ids[position] as string,
      region,
      accountId,
      complianceType,
      annotation,
      severity: this.severityOf.get(ruleId) ?? "medium",
      exempted,
      firstSeen: stateBefore !== undefined && stateBefore === state ? (before as PreviousStates).firstSeenOf(position) : this.generatedAt,
      exemption: evaluations.exemptions.get(position),
      change: before ? changeBetween(state, stateBefore) : undefined,
    };
  }
}

function assembleReport(
  options: Omit<BuildReportOptions, "evaluations">,
  evaluations: EvaluationColumns,
  order: KeyOrder,
  previous?: { states: PreviousStates; generatedAt: string },
): Report {
  const generatedAt = (options.now?.() ?? new Date()).toISOString();
  const severityOf = new Map(options.rules.map((rule) => [rule.id, rule.severity]));
  const { order: reportOrder, rules } = order.reportOrder();
  const findings = new FindingTable(evaluations, reportOrder, rules, severityOf, generatedAt, previous?.states);

  // One pass over the findings, each made once: a built report makes a finding each time it is read.
  const summary: ReportSummary = { totals: emptyCounts(), byRule: {}, byRegion: {}, bySeverity: {}, byAccount: {} };
  for (const rule of options.rules) summary.byRule[rule.id] = emptyCounts();
  const exemptions = new ExemptionNotes(generatedAt);
  const changes = previous ? new ChangeLists() : undefined;
  for (const finding of findings) {
    summary.totals[finding.complianceType] += 1;
    if (finding.exempted) summary.totals.exempted += 1;
    summary.totals.total += 1;
    tally(summary.byRule, finding.ruleId, finding);
    tally(summary.byRegion, finding.region, finding);
    tally(summary.bySeverity, finding.severity, finding);
    tally(summary.byAccount, finding.accountId, finding);
    exemptions.add(finding);
    changes?.add(finding);
  }

  const report: Report = {
    reportVersion: REPORT_VERSION,
    generatedAt,
    tool: options.tool,
    inputs: [...(options.inputs ?? [])],
    scopes: [...options.scopes],
    rules: [...options.rules],
    summary,
    exemptions: { invalid: exemptions.invalid, expiringSoon: exemptions.expiringSoon },
    findings,
  };
  if (previous && changes) report.diff = changes.diff(previous.states, previous.generatedAt);
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
class ExemptionNotes {
  readonly invalid: InvalidExemption[] = [];
  readonly expiringSoon: ExpiringExemption[] = [];
  private readonly now: number;
  private readonly soon: number;

  constructor(generatedAt: string) {
    this.now = Date.parse(generatedAt);
    this.soon = this.now + EXPIRING_SOON_DAYS * DAY_MS;
  }

  add(finding: Finding): void {
    const why = invalidTagOf(finding.annotation);
    if (why === undefined && !finding.exempted) return;
    const subject = {
      ruleId: finding.ruleId,
      resourceType: finding.resourceType,
      resourceId: finding.resourceId,
      region: finding.region,
      accountId: finding.accountId,
    };
    if (why !== undefined) this.invalid.push({ ...subject, why });
    if (!finding.exempted) return;
    const exemption = exemptionOf(finding.annotation);
    const end = exemption?.expires?.end.getTime();
    if (exemption?.expires && end !== undefined && end > this.now && end <= this.soon) {
      this.expiringSoon.push({
        ...subject,
        source: exemption.source,
        expires: exemption.expires.label,
        ...(exemption.owner === undefined ? {} : { owner: exemption.owner }),
      });
    }
  }
}

/** The changes since the previous report: each finding's, and the previous failing findings this run has none of. */
class ChangeLists {
  private readonly counts = Object.fromEntries(CHANGES.map((change) => [change, 0])) as Record<Change, number>;
  private readonly resolved: Finding[] = [];
  private readonly unverified: Finding[] = [];

  add(finding: Finding): void {
    if (finding.change) this.counts[finding.change] += 1;
    if (finding.change === "resolved") this.resolved.push(finding);
    if (finding.change === "unverified") this.unverified.push(finding);
  }

  diff(previous: PreviousStates, previousGeneratedAt: string): ReportDiff {
    const { counts } = this;
    counts.resolved += previous.resolved.length;
    counts.unverified += previous.unverified.length;
    return {
      previousGeneratedAt,
      counts,
      resolved: sortFindings([...this.resolved, ...previous.resolved]),
      unverified: sortFindings([...this.unverified, ...previous.unverified]),
    };
  }
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
