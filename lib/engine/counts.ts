import type { ComplianceType, Evaluation } from "./rule";

export function countByCompliance(evaluations: readonly Evaluation[]): Record<ComplianceType, number> {
  const counts: Record<ComplianceType, number> = { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 0, INSUFFICIENT_DATA: 0 };
  for (const evaluation of evaluations) counts[evaluation.complianceType] += 1;
  return counts;
}
