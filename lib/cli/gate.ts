import type { ComplianceType, Evaluation, Severity } from "../engine/rule";
import { findingKey, type Report } from "../reports/model";

/** Lowest to highest, as `--fail-on-severity` takes them. */
export const GATE_SEVERITIES: readonly Severity[] = ["low", "medium", "high", "critical"];

export interface GateOptions {
  /** The compliance types that fail the gate; NON_COMPLIANT unless given. */
  failOn?: readonly ComplianceType[];
  /** Only findings of this severity or higher fail the gate. */
  minSeverity?: Severity;
  /** Only findings that were not failing in this earlier JSON report fail the gate. */
  baseline?: Report;
}

export interface GateOutcome {
  /** The evaluations that fail the gate: exit 1 when there is any. */
  failures: Evaluation[];
  /** Failing evaluations let through because their rule's severity is below minSeverity. */
  belowSeverity: number;
  /** Failing evaluations let through because they were already failing in the baseline. */
  inBaseline: number;
}

/**
 * The CI gate: an evaluation fails it when its compliance type is one that fails, AND its rule's
 * severity is at least minSeverity, AND it was not failing in the baseline (same account, region,
 * rule and resource). A rule or resource the baseline does not hold is new, so it fails.
 */
export function applyGate(
  evaluations: readonly Evaluation[],
  severityOf: (ruleId: string) => Severity,
  options: GateOptions = {},
): GateOutcome {
  const failing = new Set<ComplianceType>(options.failOn ?? ["NON_COMPLIANT"]);
  const minimum = options.minSeverity ? GATE_SEVERITIES.indexOf(options.minSeverity) : 0;
  const known = new Set<string>();
  for (const finding of options.baseline?.findings ?? []) if (failing.has(finding.complianceType)) known.add(findingKey(finding));
  const outcome: GateOutcome = { failures: [], belowSeverity: 0, inBaseline: 0 };
  for (const evaluation of evaluations) {
    if (!failing.has(evaluation.complianceType)) continue;
    const rank = GATE_SEVERITIES.indexOf(severityOf(evaluation.ruleId));
    // An unknown severity never lets a failure through.
    if (rank >= 0 && rank < minimum) outcome.belowSeverity += 1;
    else if (known.has(findingKey(evaluation))) outcome.inBaseline += 1;
    else outcome.failures.push(evaluation);
  }
  return outcome;
}
