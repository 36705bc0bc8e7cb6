import { InputError } from "../errors";
import { readJsonFile } from "../io/read-json-file";
import { joinChunks, jsonChunks } from "../io/text-chunks";
import * as z from "../zod";
import { CHANGES, COMPLIANCE_TYPES, REPORT_VERSION, type Report, SEVERITIES } from "./model";

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

const reportSchema = z.object({
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
      resolved: z.array(finding),
      unverified: z.array(finding),
    }),
  ),
  // Reports written before reports listed exemptions have none.
  exemptions: z._default(exemptions, { invalid: [], expiringSoon: [] }),
  findings: z.array(finding),
});

/** Validates a parsed JSON report, naming the file and the field of the first problem. */
export function parseReport(content: unknown, file: string): Report {
  const result = reportSchema.safeParse(content);
  if (result.success) return result.data as Report;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : undefined;
  throw new InputError(`not a report of this tool: ${issue?.message ?? "invalid"}`, { file, field });
}

/** Reads an earlier JSON report: the previous one for the run-to-run diff, or a gate's baseline. */
export async function readReport(file: string, what = "previous report"): Promise<Report> {
  return parseReport(await readJsonFile(file, what), file);
}
