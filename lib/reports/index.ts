import { renderAsff } from "./asff";
import { renderCsv } from "./csv";
import { type HtmlOptions, renderHtml } from "./html";
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
  /** HTML only: how many findings the page lists, and where the full report is. */
  html?: HtmlOptions;
}

const RENDERERS: Record<ReportFormat, (report: Report, options: RenderOptions) => string> = {
  html: (report, options) => renderHtml(report, options.html),
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
