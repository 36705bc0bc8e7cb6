import ec2NoPublicIp from "./ec2-no-public-ip";
import eipAttached from "./eip-attached";
import endpointRoutePresent from "./endpoint-route-present";
import imdsv2Required from "./imdsv2-required";
import placementGroupLimits from "./placement-group-limits";
import sgAttachedToEni from "./sg-attached-to-eni";
import type { RemediationAction } from "./types";

/** One remediation per rule, by rule id. */
export const REMEDIATIONS: ReadonlyMap<string, RemediationAction> = new Map(
  [eipAttached, ec2NoPublicIp, sgAttachedToEni, endpointRoutePresent, imdsv2Required, placementGroupLimits].map((action) => [action.ruleId, action]),
);

export function remediationFor(ruleId: string): RemediationAction {
  const action = REMEDIATIONS.get(ruleId);
  if (!action) throw new Error(`no remediation for rule ${ruleId}`);
  return action;
}
