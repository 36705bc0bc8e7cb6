import { writeStreamAtomic } from "../io/atomic-write";
import { inBatches, joinChunks } from "../io/text-chunks";
import { asffChunks } from "./asff";
import { csvChunks } from "./csv";
import { type HtmlOptions, renderHtml } from "./html";
import { jsonReportChunks } from "./json";
import { junitChunks } from "./junit";
import { renderMarkdown } from "./markdown";
import type { Report } from "./model";
import { type SarifResultSet, sarifChunks } from "./sarif";

export const REPORT_FORMATS = ["html", "md", "csv", "json", "junit", "sarif", "asff"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  /** SARIF only: every result kind, or only the open failures (for GitHub code scanning). */
  sarifResults?: SarifResultSet;
  /** HTML only: how many findings the page lists, and where the full report is. */
  html?: HtmlOptions;
}

/**
 * Each format's output as a sequence of chunks. The formats that grow with the findings (CSV,
 * JSON, JUnit, SARIF, ASFF) are produced as they are written, a million findings being more than one
 * string can hold; the others are one chunk.
 */
const RENDERERS: Record<ReportFormat, (report: Report, options: RenderOptions) => Iterable<string>> = {
  html: (report, options) => [renderHtml(report, options.html)],
  md: (report) => [renderMarkdown(report)],
  csv: csvChunks,
  json: jsonReportChunks,
  junit: junitChunks,
  sarif: (report, options) => sarifChunks(report, { results: options.sarifResults }),
  asff: asffChunks,
};

/** The report in chunks, for writing to a file or an upload as they are produced. */
export function renderReportChunks(report: Report, format: ReportFormat, options: RenderOptions = {}): Iterable<string> {
  return RENDERERS[format](report, options);
}

export function renderReport(report: Report, format: ReportFormat, options: RenderOptions = {}): string {
  return joinChunks(renderReportChunks(report, format, options));
}

/** Writes the report to a file atomically, as it is rendered: a report of a million findings is never one string. */
export async function writeReportFile(path: string, report: Report, format: ReportFormat, options: RenderOptions = {}): Promise<void> {
  await writeStreamAtomic(path, inBatches(renderReportChunks(report, format, options)));
}
