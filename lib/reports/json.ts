import { InputError } from "../errors";
import { joinChunks, jsonChunks } from "../io/text-chunks";
import { type JsonStreamHandler, readJsonStream, readJsonStreamOf, type ValueMode } from "../sources/json-stream";
import * as z from "../zod";
import { CHANGES, COMPLIANCE_TYPES, type Finding, REPORT_VERSION, type Report, SEVERITIES } from "./model";

/** The complete report as JSON, in chunks (one per finding, about): what `--previous` reads back. */
export function* jsonReportChunks(report: Report): Generator<string> {
  yield* jsonChunks(report);
  yield "\n";
}

export const renderJson = (report: Report): string => joinChunks(jsonReportChunks(report));

const isoTimestamp = z.string().check(z.refine((value) => !Number.isNaN(Date.parse(value)), { message: "not an ISO 8601 date" }));
const count = () => z.int().check(z.gte(0));
const nonEmpty = () => z.string().check(z.minLength(1));
const complianceType = z.enum(COMPLIANCE_TYPES as [string, ...string[]]);
const severity = z.enum(SEVERITIES as [string, ...string[]]);

const control = z.object({
  framework: nonEmpty(),
  version: z.string(),
  control: nonEmpty(),
  title: z.string(),
  source: z.string(),
});

const counts = z.object({
  COMPLIANT: count(),
  NON_COMPLIANT: count(),
  NOT_APPLICABLE: count(),
  INSUFFICIENT_DATA: count(),
  exempted: count(),
  total: count(),
});

const finding = z.object({
  ruleId: nonEmpty(),
  resourceType: nonEmpty(),
  resourceId: nonEmpty(),
  region: z.string(),
  accountId: z.string(),
  complianceType,
  annotation: z.string(),
  severity,
  exempted: z.boolean(),
  firstSeen: isoTimestamp,
  change: z.optional(z.enum(CHANGES as [string, ...string[]])),
  absent: z.optional(z.boolean()),
  // Reports written before exemptions were carried apart have only the annotation.
  exemption: z.optional(
    z.object({
      source: z.enum(["tag", "file"]),
      reason: z.optional(z.string()),
      owner: z.optional(z.string()),
      expires: z.optional(isoTimestamp),
      verdict: complianceType,
    }),
  ),
});

const exemptionSubject = {
  ruleId: nonEmpty(),
  resourceType: nonEmpty(),
  resourceId: nonEmpty(),
  region: z.string(),
  accountId: z.string(),
};

const exemptions = z.object({
  invalid: z.array(z.object({ ...exemptionSubject, why: z.string() })),
  expiringSoon: z.array(
    z.object({ ...exemptionSubject, source: z.enum(["tag", "file"]), expires: z.string(), owner: z.optional(z.string()) }),
  ),
});

/**
 * The report with its three lists of findings (findings, diff.resolved, diff.unverified) taken as
 * they are: each finding is validated on its own, as it is read, so a report of a million findings
 * is never one value to validate (nor, read from a file, one string to parse).
 */
const reportOutline = z.object({
  reportVersion: z.literal(REPORT_VERSION, { error: `unsupported report version (this tool reads reportVersion ${REPORT_VERSION})` }),
  generatedAt: isoTimestamp,
  tool: z.object({ name: z.string(), version: z.string() }),
  inputs: z.array(
    z.object({
      path: z.string(),
      format: z.string(),
      accountIds: z.array(z.string()),
      regions: z.array(z.string()),
      capturedAt: z.optional(z.string()),
    }),
  ),
  scopes: z.array(z.object({ region: z.string(), accountId: z.string() })),
  rules: z.array(
    z.object({
      id: nonEmpty(),
      description: z.string(),
      severity,
      // Reports written before rules carried control mappings have none.
      controls: z._default(z.array(control), []),
      helpUri: z.optional(z.string()),
    }),
  ),
  summary: z.object({
    totals: counts,
    byRule: z.record(z.string(), counts),
    byRegion: z.record(z.string(), counts),
    bySeverity: z.record(z.string(), counts),
    // Reports written before the breakdown by account have none.
    byAccount: z._default(z.record(z.string(), counts), {}),
  }),
  diff: z.optional(
    z.object({
      previousGeneratedAt: isoTimestamp,
      counts: z.record(z.string(), count()),
      resolved: z.array(z.unknown()),
      unverified: z.array(z.unknown()),
    }),
  ),
  // Reports written before reports listed exemptions have none.
  exemptions: z._default(exemptions, { invalid: [], expiringSoon: [] }),
  findings: z.array(z.unknown()),
});

const DIFF_LISTS = ["resolved", "unverified"] as const;

/** A JSON path as `findings[3].severity`: list indices in brackets, as the streaming JSON reader names them. */
const fieldOf = (path: readonly PropertyKey[]): string =>
  path.map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`)).join("");

/** The value as `schema` reads it, or an error naming the file and the field (below `at`) of the first problem. */
function validated<T>(schema: z.ZodMiniType<T>, value: unknown, file: string, at: readonly PropertyKey[]): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [...at, ...(issue?.path ?? [])];
  throw new InputError(`not a report of this tool: ${issue?.message ?? "invalid"}`, {
    file,
    field: path.length ? fieldOf(path) : undefined,
  });
}

const validFinding = (value: unknown, file: string, at: readonly PropertyKey[]): Finding => validated(finding, value, file, at) as Finding;

/** Validates a parsed JSON report, naming the file and the field of the first problem. */
export function parseReport(content: unknown, file: string): Report {
  const report = validated(reportOutline, content, file, []);
  report.findings = report.findings.map((value, index) => validFinding(value, file, ["findings", index]));
  const { diff } = report;
  if (diff) for (const list of DIFF_LISTS) diff[list] = diff[list].map((value, index) => validFinding(value, file, ["diff", list, index]));
  return report as Report;
}

const isFindingList = (path: readonly string[]): boolean =>
  path.length === 1
    ? path[0] === "findings"
    : path.length === 2 && path[0] === "diff" && (DIFF_LISTS as readonly string[]).includes(path[1] as string);

/** A report without its lists of findings: what is left of one whose findings were streamed. */
export type ReportHeading = Omit<Report, "findings" | "diff"> & { diff?: Omit<NonNullable<Report["diff"]>, "resolved" | "unverified"> };

/**
 * Collects a report from the streaming JSON reader: the lists of findings record by record, each
 * finding validated as it comes (the error names its index), everything else whole. Given
 * `streamTo`, the findings go there one by one instead of into the report, and the diff's lists
 * are validated and dropped.
 */
class ReportCollector implements JsonStreamHandler {
  private readonly content: Record<string, unknown> = {};
  private diff: Record<string, unknown> = {};
  private take: (finding: Finding) => void = () => {};
  private readonly listsSeen = new Set<string>();
  /** The error this collector threw, told apart from the reader's own (unreadable file, not JSON). */
  refusal: InputError | undefined;

  constructor(
    private readonly file: string,
    private readonly streamTo?: (finding: Finding) => void,
  ) {}

  modeOf(path: readonly string[]): ValueMode {
    if (path.length === 1 && path[0] === "diff") {
      this.diff = {};
      this.place(path, this.diff);
      return "descend";
    }
    if (!isFindingList(path)) return "capture";
    // A list given twice would have its first copy's findings already taken.
    const field = fieldOf(path);
    if (this.listsSeen.has(field)) this.refuse(new InputError("not a report of this tool: listed twice", { file: this.file, field }));
    this.listsSeen.add(field);
    const list: Finding[] = [];
    this.place(path, list);
    if (!this.streamTo) this.take = (finding) => list.push(finding);
    else this.take = path.length === 1 ? this.streamTo : () => {};
    return "records";
  }

  onRecord(path: readonly string[], index: number, value: unknown): void {
    let finding: Finding;
    try {
      finding = validFinding(value, this.file, [...path, index]);
    } catch (error) {
      this.refuse(error as InputError);
    }
    this.take(finding);
  }

  /** A value that is not a list of findings, or one meant to be that is not an array (the outline then refuses it). */
  onValue(path: readonly string[], value: unknown): void {
    this.place(path, value);
  }

  private refuse(error: InputError): never {
    this.refusal = error;
    throw error;
  }

  private place(path: readonly string[], value: unknown): void {
    const [key, member] = path as [string, string | undefined];
    if (member === undefined) this.content[key] = value;
    else this.diff[member] = value;
  }

  report(): Report {
    return validated(reportOutline, this.content, this.file, []) as Report;
  }
}

/** A reader's own error (unreadable, not JSON), naming the report's role. */
const readError = (error: unknown, what: string): unknown =>
  error instanceof InputError ? new InputError(`cannot read the ${what}: ${error.problem}`, error.location) : error;

/** Collects a report with `read`; the reader's own errors name the report's role. */
async function collectReport(
  collector: ReportCollector,
  what: string,
  read: (collector: ReportCollector) => Promise<void>,
): Promise<Report> {
  try {
    await read(collector);
  } catch (error) {
    throw error === collector.refusal ? error : readError(error, what);
  }
  return collector.report();
}

/** The report without its lists of findings, which were streamed (and are empty in `report`). */
function headingOf(report: Report): ReportHeading {
  const { findings: _streamed, diff, ...heading } = report;
  if (!diff) return heading;
  const { resolved: _resolved, unverified: _unverified, ...diffHeading } = diff;
  return { ...heading, diff: diffHeading };
}

/**
 * Reads an earlier JSON report: the previous one for the run-to-run diff, or a gate's baseline.
 * Streamed, since a report of a million findings is larger than one string can hold.
 */
export function readReport(file: string, what = "previous report"): Promise<Report> {
  return collectReport(new ReportCollector(file), what, (collector) => readJsonStream(file, collector));
}

/**
 * {@link readReport} that gives each finding to `take` as it is read and validated, so a report of a
 * million findings is never held whole. The rest of the report is validated once all is read:
 * `take` may have seen findings of a report that is then refused.
 */
export async function streamReport(file: string, take: (finding: Finding) => void, what = "previous report"): Promise<ReportHeading> {
  return headingOf(await collectReport(new ReportCollector(file, take), what, (collector) => readJsonStream(file, collector)));
}

/**
 * Fails as {@link streamReport} would if the report cannot be read at all (no such file, a folder,
 * not JSON), reading no further than its first key: a report streamed against a run's evaluations
 * is read only after them, and a wrong path should not wait for a long evaluation.
 */
export async function checkReportReadable(file: string, what = "previous report"): Promise<void> {
  try {
    await readJsonStream(file, { modeOf: () => "stop", onRecord: () => {}, onValue: () => {} });
  } catch (error) {
    throw readError(error, what);
  }
}

/** {@link streamReport} of a report's bytes from elsewhere (an S3 object's body); `where` names them in errors. */
export async function streamReportOf(
  source: AsyncIterable<Uint8Array>,
  where: string,
  take: (finding: Finding) => void,
  what = "previous report",
): Promise<ReportHeading> {
  return headingOf(await collectReport(new ReportCollector(where, take), what, (collector) => readJsonStreamOf(source, where, collector)));
}
