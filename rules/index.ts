import type { AnyRule } from "../lib/engine/rule";
import ec2NoPublicIp from "./ec2-no-public-ip";
import eipAttached from "./eip-attached";
import endpointRoutePresent from "./endpoint-route-present";
import imdsv2Required from "./imdsv2-required";
import placementGroupLimits from "./placement-group-limits";
import sgAttachedToEni from "./sg-attached-to-eni";

/** Every rule, by id. `npm run new-rule -- <id>` adds a rule: its module, its test, its handler and its line here. */
export const RULES: readonly AnyRule[] = [
  eipAttached,
  ec2NoPublicIp,
  sgAttachedToEni,
  endpointRoutePresent,
  imdsv2Required,
  placementGroupLimits,
] as AnyRule[];

export function findRule(id: string): AnyRule | undefined {
  return RULES.find((rule) => rule.meta.id === id);
}
