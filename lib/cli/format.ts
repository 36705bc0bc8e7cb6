import { countByCompliance } from "../engine/counts";
import type { ComplianceType, Evaluation } from "../engine/rule";
import { csvField } from "../io/csv";
import { joinChunks, jsonChunks } from "../io/text-chunks";

export type EvaluationFormat = "table" | "json" | "csv";
export const EVALUATION_FORMATS: readonly EvaluationFormat[] = ["table", "json", "csv"];

const COLUMNS = ["ruleId", "resourceType", "resourceId", "region", "accountId", "complianceType", "annotation"] as const;

/** The fields, in this order, are the contract of `--format json` (and of `invoke --format json`), one row made at a time. */
function* jsonRows(evaluations: readonly Evaluation[]): Generator<Evaluation> {
  for (const evaluation of evaluations) {
    yield Object.fromEntries(COLUMNS.map((column) => [column, evaluation[column]])) as unknown as Evaluation;
  }
}

const ORDER: Record<ComplianceType, number> = { NON_COMPLIANT: 0, INSUFFICIENT_DATA: 1, COMPLIANT: 2, NOT_APPLICABLE: 3 };

/** The table names the account only when there are several: the same resource id may be in each. */
function renderTable(evaluations: readonly Evaluation[], color: boolean): string {
  const sorted = [...evaluations].sort(
    (a, b) =>
      a.ruleId.localeCompare(b.ruleId) ||
      ORDER[a.complianceType] - ORDER[b.complianceType] ||
      a.accountId.localeCompare(b.accountId) ||
      a.region.localeCompare(b.region) ||
      a.resourceId.localeCompare(b.resourceId),
  );
  const manyAccounts = new Set(evaluations.map((e) => e.accountId)).size > 1;
  const headers = ["RULE", "RESOURCE", ...(manyAccounts ? ["ACCOUNT"] : []), "REGION", "COMPLIANCE", "WHY"];
  const complianceColumn = headers.indexOf("COMPLIANCE");
  const rows = sorted.map((e) => [
    e.ruleId,
    `${e.resourceType.replace(/^AWS::/, "")} ${e.resourceId}`,
    ...(manyAccounts ? [e.accountId] : []),
    e.region,
    e.complianceType,
    e.annotation,
  ]);
  const widths = headers.map((header, column) =>
    column === headers.length - 1 ? 0 : Math.max(header.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const paint = (text: string, compliance: string) => {
    if (!color) return text;
    const code = compliance === "NON_COMPLIANT" ? 31 : compliance === "COMPLIANT" ? 32 : compliance === "INSUFFICIENT_DATA" ? 33 : 90;
    return `\u001b[${code}m${text}\u001b[0m`;
  };
  const line = (cells: string[], compliance = "") =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
        return column === complianceColumn ? paint(padded, compliance) : padded;
      })
      .join("  ");
  const counts = countByCompliance(evaluations);
  const summary = `${evaluations.length} evaluations: ${counts.NON_COMPLIANT} non-compliant, ${counts.COMPLIANT} compliant, ${counts.NOT_APPLICABLE} not applicable, ${counts.INSUFFICIENT_DATA} insufficient data`;
  return [line(headers), ...rows.map((row) => line(row, row[complianceColumn])), "", summary].join("\n");
}

/** The output in chunks: JSON and CSV a row at a time, so that `evaluate -o` writes a million evaluations as they render. */
export function* evaluationChunks(
  evaluations: readonly Evaluation[],
  format: EvaluationFormat,
  options: { color?: boolean } = {},
): Generator<string> {
  switch (format) {
    case "json":
      yield* jsonChunks(jsonRows(evaluations));
      yield "\n";
      return;
    case "csv":
      yield `${COLUMNS.join(",")}\r\n`;
      for (const e of evaluations) yield `${COLUMNS.map((column) => csvField(e[column])).join(",")}\r\n`;
      return;
    case "table":
      yield `${renderTable(evaluations, options.color ?? false)}\n`;
  }
}

export function formatEvaluations(evaluations: readonly Evaluation[], format: EvaluationFormat, options: { color?: boolean } = {}): string {
  return joinChunks(evaluationChunks(evaluations, format, options));
}
