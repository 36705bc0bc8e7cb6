import { readFile } from "node:fs/promises";
import * as z from "zod";
import { InputError } from "../errors";
import { CHANGES, COMPLIANCE_TYPES, REPORT_VERSION, type Report, SEVERITIES } from "./model";

/** The complete report as JSON: what `--previous` reads back. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const isoTimestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: "not an ISO 8601 date" });
const complianceType = z.enum(COMPLIANCE_TYPES as [string, ...string[]]);
const severity = z.enum(SEVERITIES as [string, ...string[]]);

const counts = z.object({
  COMPLIANT: z.number().int().min(0),
  NON_COMPLIANT: z.number().int().min(0),
  NOT_APPLICABLE: z.number().int().min(0),
  INSUFFICIENT_DATA: z.number().int().min(0),
  exempted: z.number().int().min(0),
  total: z.number().int().min(0),
});

const finding = z.object({
  ruleId: z.string().min(1),
  resourceType: z.string().min(1),
  resourceId: z.string().min(1),
  region: z.string(),
  accountId: z.string(),
  complianceType,
  annotation: z.string(),
  severity,
  exempted: z.boolean(),
  firstSeen: isoTimestamp,
  change: z.enum(CHANGES as [string, ...string[]]).optional(),
  absent: z.boolean().optional(),
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
      capturedAt: z.string().optional(),
    }),
  ),
  scopes: z.array(z.object({ region: z.string(), accountId: z.string() })),
  rules: z.array(z.object({ id: z.string().min(1), description: z.string(), severity })),
  summary: z.object({
    totals: counts,
    byRule: z.record(z.string(), counts),
    byRegion: z.record(z.string(), counts),
    bySeverity: z.record(z.string(), counts),
  }),
  diff: z
    .object({
      previousGeneratedAt: isoTimestamp,
      counts: z.record(z.string(), z.number().int().min(0)),
      resolved: z.array(finding),
      unverified: z.array(finding),
    })
    .optional(),
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

/** Reads a previous JSON report for the run-to-run diff. */
export async function readReport(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read the previous report: ${(error as Error).message}`, { file });
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not JSON: ${(error as Error).message}`, { file });
  }
  return parseReport(content, file);
}
