import type { AnyRule } from "../lib/engine/rule";
import ec2NoPublicIp from "./ec2-no-public-ip";
import eipAttached from "./eip-attached";
import endpointRoutePresent from "./endpoint-route-present";
import imdsv2Required from "./imdsv2-required";
import placementGroupLimits from "./placement-group-limits";
import sgAttachedToEni from "./sg-attached-to-eni";
import { plannedAction, type RemediationAction } from "./types";

/** One remediation per rule, by rule id. */
export const REMEDIATIONS: ReadonlyMap<string, RemediationAction> = new Map(
  [eipAttached, ec2NoPublicIp, sgAttachedToEni, endpointRoutePresent, imdsv2Required, placementGroupLimits].map((action) => [
    action.ruleId,
    action,
  ]),
);

/**
 * The rule's remediation module, or for a rule without one, manual steps from its metadata
 * (meta.remediation.summary): a new rule needs no remediation module to plan.
 */
export function remediationFor(rule: AnyRule): RemediationAction {
  return REMEDIATIONS.get(rule.meta.id) ?? manualRemediation(rule);
}

function manualRemediation(rule: AnyRule): RemediationAction {
  const { id, remediation } = rule.meta;
  return {
    ruleId: id,
    automatic: false,
    plan: (evaluation) =>
      plannedAction(evaluation, {
        status: "manual",
        why: `Rule ${id} has no automatic fix`,
        manualSteps: [`Finding: ${evaluation.annotation}`, remediation.summary],
      }),
  };
}
