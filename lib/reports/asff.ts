import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { toAsffFinding } from "../asff/finding";
import type { Finding, Report, ReportRule } from "./model";

/**
 * The report's findings in the AWS Security Finding Format, as one JSON array: every rule ×
 * resource of this run, plus the findings resolved since `--previous` because their resource is
 * gone, as ARCHIVED. `aws securityhub batch-import-findings` takes at most 100 per call, so a
 * larger file is imported in slices (README: `jq -c '_nwise(100)'`).
 */
export function asffFindings(report: Report): AwsSecurityFinding[] {
  const rules = new Map(report.rules.map((rule) => [rule.id, rule]));
  const convert = (finding: Finding, archived: boolean) =>
    toAsffFinding({
      evaluation: finding,
      rule: rules.get(finding.ruleId) ?? unknownRule(finding),
      createdAt: finding.firstSeen,
      updatedAt: report.generatedAt,
      exempted: finding.exempted,
      archived,
    });
  const gone = (report.diff?.resolved ?? []).filter((finding) => finding.absent);
  return [...report.findings.map((finding) => convert(finding, false)), ...gone.map((finding) => convert(finding, true))];
}

/** A finding of a rule the report does not describe (only possible in a previous report's diff). */
const unknownRule = (finding: Finding): ReportRule => ({
  id: finding.ruleId,
  description: finding.ruleId,
  severity: finding.severity,
  controls: [],
});

export function renderAsff(report: Report): string {
  return `${JSON.stringify(asffFindings(report), null, 2)}\n`;
}
