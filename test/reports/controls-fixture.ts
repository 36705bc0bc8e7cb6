import type { ControlMapping } from "../../lib/engine/rule";
import { buildReport, type Report, type ReportRule } from "../../lib/reports/model";
import { CURRENT_AT, fixtureReport, PREVIOUS_AT, TOOL } from "./fixture";

const source = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html";

/**
 * Control mappings for report tests only, so the renderers are exercised whatever the rules'
 * own metadata holds; they are test data, not this project's mappings. AC-4 is given to two rules
 * to test a control checked by several.
 */
export const TEST_CONTROLS: Record<string, ControlMapping[]> = {
  "imdsv2-required": [
    { framework: "aws-fsbp", version: "1.0.0", control: "EC2.8", title: "EC2 instances should use IMDSv2", source },
    { framework: "cis-aws", version: "3.0.0", control: "5.6", title: "Ensure that EC2 Metadata Service only allows IMDSv2", source },
    { framework: "nist-800-53", version: "rev5", control: "AC-4", title: "Information Flow Enforcement", source },
  ],
  "ec2-no-public-ip": [
    { framework: "aws-fsbp", version: "1.0.0", control: "EC2.9", title: "EC2 instances should not have a public IPv4 address", source },
    { framework: "nist-800-53", version: "rev5", control: "AC-4", title: "Information Flow Enforcement", source },
  ],
  "eip-attached": [{ framework: "aws-fsbp", version: "1.0.0", control: "EC2.12", title: "Unused EC2 EIPs should be removed", source }],
};

export const withTestControls = (rule: ReportRule): ReportRule => ({ ...rule, controls: TEST_CONTROLS[rule.id] ?? rule.controls });

/** The fixture's report (optionally diffed against its previous run) with rules that carry TEST_CONTROLS. */
export function fixtureReportWithControls(version: "previous" | "current", previous?: Report): Report {
  const base = fixtureReport(version, previous);
  return buildReport({
    evaluations: [...base.findings],
    rules: base.rules.map(withTestControls),
    scopes: base.scopes,
    inputs: base.inputs,
    previous,
    tool: TOOL,
    now: () => (version === "current" ? CURRENT_AT : PREVIOUS_AT),
  });
}
