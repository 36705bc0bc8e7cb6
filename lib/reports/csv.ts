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
  // One array for every row: a million findings make no array each.
  const cells: string[] = new Array(COLUMNS.length + 1);
  for (const finding of report.findings) {
    for (let column = 0; column < COLUMNS.length; column++)
      cells[column] = csvField(String(finding[COLUMNS[column] as (typeof COLUMNS)[number]] ?? ""));
    cells[COLUMNS.length] = controlsOf.get(finding.ruleId) ?? "";
    yield `${cells.join(",")}\r\n`;
  }
}

export const renderCsv = (report: Report): string => joinChunks(csvChunks(report));
