import type { RemediationPlan } from "./plan";

const callText = (call: { operation: string; parameters: Record<string, unknown> }) =>
  `${call.operation} ${JSON.stringify(call.parameters)}`;

/** A plan as plain text: one block per resource with its status, calls, reason and manual steps. */
export function formatPlanTable(plans: readonly RemediationPlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    const counts = (["fix", "manual", "skip"] as const).map(
      (status) => `${plan.actions.filter((a) => a.status === status).length} ${status}`,
    );
    lines.push(`${plan.ruleId}: ${plan.actions.length} non-compliant (${counts.join(", ")})`);
    for (const action of plan.actions) {
      lines.push(`  [${action.status}] ${action.resourceId} (${action.resourceType}, ${action.region})`);
      for (const call of action.calls) lines.push(`      call: ec2:${callText(call)}`);
      lines.push(`      why:  ${action.why}`);
      for (const step of action.manualSteps) lines.push(`      step: ${step}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
