import { renderAsff } from "./asff";
import { renderCsv } from "./csv";
import { renderHtml } from "./html";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { renderMarkdown } from "./markdown";
import type { Report } from "./model";
import { renderSarif } from "./sarif";

export const REPORT_FORMATS = ["html", "md", "csv", "json", "junit", "sarif", "asff"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const RENDERERS: Record<ReportFormat, (report: Report) => string> = {
  html: renderHtml,
  md: renderMarkdown,
  csv: renderCsv,
  json: renderJson,
  junit: renderJunit,
  sarif: renderSarif,
  asff: renderAsff,
};

export function renderReport(report: Report, format: ReportFormat): string {
  return RENDERERS[format](report);
}
