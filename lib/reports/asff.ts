import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { toAsffFinding } from "../asff/finding";
import { jsonChunks } from "../io/text-chunks";
import type { Finding, Report, ReportRule } from "./model";

/**
 * The report's findings in the AWS Security Finding Format, as they are converted (written as one JSON array): every rule ×
 * resource of this run, plus the findings resolved since `--previous` because their resource is
 * gone, as ARCHIVED. `aws securityhub batch-import-findings` takes at most 100 per call, so a
 * larger file is imported in slices (README: `jq -c '_nwise(100)'`).
 */
export function* asffFindings(report: Report): Generator<AwsSecurityFinding> {
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
  for (const finding of report.findings) yield convert(finding, false);
  for (const finding of report.diff?.resolved ?? []) if (finding.absent) yield convert(finding, true);
}

/** A finding of a rule the report does not describe (only possible in a previous report's diff). */
const unknownRule = (finding: Finding): ReportRule => ({
  id: finding.ruleId,
  description: finding.ruleId,
  severity: finding.severity,
  controls: [],
});

/** The array in chunks, one finding at a time: a million ASFF findings are more than one string can hold. */
export function* asffChunks(report: Report): Generator<string> {
  yield* jsonChunks(asffFindings(report));
  yield "\n";
}
