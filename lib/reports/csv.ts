import { relatedRequirement } from "../engine/controls";
import { csvField } from "../io/csv";
import { joinChunks } from "../io/text-chunks";
import type { Finding, Report } from "./model";

const COLUMNS = [
  "ruleId",
  "severity",
  "resourceType",
  "resourceId",
  "region",
  "accountId",
  "complianceType",
  "exempted",
  "change",
  "firstSeen",
  "annotation",
] as const satisfies readonly (keyof Finding)[];

/**
 * Every finding, one row each, CRLF line ends as RFC 4180 says. The last column holds the rule's
 * framework controls as Security Hub writes related requirements, separated by "; ".
 */
export function* csvChunks(report: Report): Generator<string> {
  const controlsOf = new Map(report.rules.map((rule) => [rule.id, csvField(rule.controls.map(relatedRequirement).join("; "))]));
  yield `${[...COLUMNS, "controls"].join(",")}\r\n`;
  for (const finding of report.findings) {
    const cells = COLUMNS.map((column) => csvField(String(finding[column] ?? "")));
    yield `${[...cells, controlsOf.get(finding.ruleId) ?? ""].join(",")}\r\n`;
  }
}

export const renderCsv = (report: Report): string => joinChunks(csvChunks(report));
