import { applyGate } from "../../lib/cli/gate";
import type { ComplianceType, Evaluation, Severity } from "../../lib/engine/rule";
import { buildReport } from "../../lib/reports/model";
import { CURRENT_AT, reportRules, TOOL } from "../reports/fixture";

const evaluation = (ruleId: string, resourceId: string, complianceType: ComplianceType, region = "eu-west-1"): Evaluation => ({
  ruleId,
  resourceType: "AWS::EC2::EIP",
  resourceId,
  region,
  accountId: "111122223333",
  complianceType,
  annotation: "",
});

const SEVERITY: Record<string, Severity> = { low: "low", medium: "medium", high: "high", critical: "critical" };
const severityOf = (ruleId: string) => SEVERITY[ruleId] ?? "critical";
const ids = (list: readonly Evaluation[]) => list.map((item) => `${item.ruleId}:${item.resourceId}`);

const current = [
  evaluation("low", "a", "NON_COMPLIANT"),
  evaluation("medium", "b", "NON_COMPLIANT"),
  evaluation("high", "c", "NON_COMPLIANT"),
  evaluation("critical", "d", "NON_COMPLIANT"),
  evaluation("high", "e", "INSUFFICIENT_DATA"),
  evaluation("high", "f", "COMPLIANT"),
  evaluation("high", "g", "NOT_APPLICABLE"),
];

const baselineOf = (evaluations: Evaluation[]) =>
  buildReport({ evaluations, rules: reportRules(), scopes: [], tool: TOOL, now: () => CURRENT_AT });

describe("the CI gate", () => {
  test("by default every non-compliant finding fails it, nothing else does", () => {
    expect(applyGate(current, severityOf)).toEqual({ failures: current.slice(0, 4), belowSeverity: 0, inBaseline: 0 });
  });

  test.each([
    ["low", ["low:a", "medium:b", "high:c", "critical:d"], 0],
    ["medium", ["medium:b", "high:c", "critical:d"], 1],
    ["high", ["high:c", "critical:d"], 2],
    ["critical", ["critical:d"], 3],
  ] as const)("--fail-on-severity %s: only that severity or higher", (minSeverity, failing, below) => {
    const gate = applyGate(current, severityOf, { minSeverity });
    expect(ids(gate.failures)).toEqual(failing);
    expect(gate.belowSeverity).toBe(below);
  });

  test("a rule of unknown severity is never let through by --fail-on-severity", () => {
    const gate = applyGate([evaluation("mystery", "x", "NON_COMPLIANT")], () => "unheard-of" as Severity, { minSeverity: "critical" });
    expect(ids(gate.failures)).toEqual(["mystery:x"]);
  });

  test("--baseline: only findings not failing in the baseline fail; same resource in another region is new", () => {
    const baseline = baselineOf([
      evaluation("high", "c", "NON_COMPLIANT"),
      evaluation("low", "a", "NOT_APPLICABLE"), // exempted or not applicable then: failing now is new
      evaluation("critical", "d", "NON_COMPLIANT", "us-east-1"),
    ]);
    const gate = applyGate(current, severityOf, { baseline });
    expect(ids(gate.failures)).toEqual(["low:a", "medium:b", "critical:d"]);
    expect(gate.inBaseline).toBe(1);
  });

  test("the conditions compose: failing per --fail-on AND of the severity AND new since the baseline", () => {
    const baseline = baselineOf([evaluation("critical", "d", "NON_COMPLIANT"), evaluation("high", "e", "INSUFFICIENT_DATA")]);
    const failOn: ComplianceType[] = ["NON_COMPLIANT", "INSUFFICIENT_DATA"];
    const gate = applyGate(current, severityOf, { failOn, minSeverity: "high", baseline });
    expect(ids(gate.failures)).toEqual(["high:c"]);
    expect(gate).toMatchObject({ belowSeverity: 2, inBaseline: 2 });
    // Without the baseline, the insufficient-data finding fails too.
    expect(ids(applyGate(current, severityOf, { failOn, minSeverity: "high" }).failures)).toEqual(["high:c", "critical:d", "high:e"]);
  });
});
