import { renderAsff } from "./asff";
import { renderCsv } from "./csv";
import { renderHtml } from "./html";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { renderMarkdown } from "./markdown";
import type { Report } from "./model";
import { renderSarif, type SarifResultSet } from "./sarif";

export const REPORT_FORMATS = ["html", "md", "csv", "json", "junit", "sarif", "asff"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderOptions {
  /** SARIF only: every result kind, or only the open failures (for GitHub code scanning). */
  sarifResults?: SarifResultSet;
}

const RENDERERS: Record<ReportFormat, (report: Report, options: RenderOptions) => string> = {
  html: renderHtml,
  md: renderMarkdown,
  csv: renderCsv,
  json: renderJson,
  junit: renderJunit,
  sarif: (report, options) => renderSarif(report, { results: options.sarifResults }),
  asff: renderAsff,
};

export function renderReport(report: Report, format: ReportFormat, options: RenderOptions = {}): string {
  return RENDERERS[format](report, options);
}
