import { booleanParam, defineRule, type Evaluation, listIds, verdict } from "../lib/engine/rule";
import type { ResourceModel } from "../lib/model/resource-model";
import type { NetworkInterface, SecurityGroup } from "../lib/model/types";
import * as z from "../lib/zod";

const RULE_ID = "sg-attached-to-eni";
const DIRECTIONS = ["ingress", "egress"] as const;
const SHOWN_ENIS = 3;

const typeOf = (eni: NetworkInterface): string => eni.interfaceType ?? "unknown type";

/**
 * "Used by 3 ENIs: 2 lambda, 1 interface (eni-a, eni-b, eni-c)", joined from its parts at once:
 * a template literal leaves a tree of string pieces, and a million-resource account keeps 130k
 * of these annotations until its report is written.
 */
function describeUse(enis: readonly NetworkInterface[]): string {
  const parts = ["Used by ", String(enis.length), enis.length === 1 ? " ENI: " : " ENIs: ", countByType(enis), " ("];
  const shown = Math.min(enis.length, SHOWN_ENIS);
  for (let at = 0; at < shown; at++) {
    if (at > 0) parts.push(", ");
    parts.push((enis[at] as NetworkInterface).id);
  }
  const more = enis.length - SHOWN_ENIS;
  if (more > 0) parts.push(" and ", String(more), " more");
  parts.push(")");
  return parts.join("");
}

/** "2 lambda, 1 interface", most common type first; most groups see one type, counted without a map. */
function countByType(enis: readonly NetworkInterface[]): string {
  const first = typeOf(enis[0] as NetworkInterface);
  if (enis.every((eni) => typeOf(eni) === first)) return `${enis.length} ${first}`;
  const byType = new Map<string, number>();
  for (const eni of enis) {
    const type = typeOf(eni);
    byType.set(type, (byType.get(type) ?? 0) + 1);
  }
  return [...byType]
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .map(([type, count]) => `${count} ${type}`)
    .join(", ");
}

/** Other groups whose rules point at this one, each with the directions it does so in: "sg-a (ingress, egress)". */
function referencingGroups(model: ResourceModel, group: SecurityGroup): string[] {
  const directions = new Map<string, Set<(typeof DIRECTIONS)[number]>>();
  // The model already leaves out a group's references to itself, which say nothing about use.
  for (const { fromGroupId, reference } of model.groupsReferencing(group.id, group)) {
    const seen = directions.get(fromGroupId) ?? new Set();
    seen.add(reference.direction);
    directions.set(fromGroupId, seen);
  }
  return [...directions].map(([id, seen]) => `${id} (${DIRECTIONS.filter((direction) => seen.has(direction)).join(", ")})`);
}

export default defineRule({
  meta: {
    id: RULE_ID,
    description:
      "Security groups should be used by at least one network interface; an unused group is clutter that someone may attach by mistake. Default groups and groups shared from other accounts are not judged.",
    failsWhen: "no network interface uses the group (Lambda, endpoint and NAT ENIs count)",
    resourceTypes: ["AWS::EC2::SecurityGroup"],
    // Config no longer updates a group's item when an ENI attaches or detaches, so only a sweep sees use change.
    triggers: ["periodic"],
    severity: "medium",
    // None: Security Hub's EC2.22 ("Unused Amazon EC2 security groups should be removed"), which runs
    // ec2-security-group-attached-to-eni-periodic, was retired from FSBP and NIST SP 800-53 on
    // 2023-09-20 (unused groups are no risk in themselves) and now lists no related requirements
    // (https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-22);
    // it remains only in the service-managed AWS Control Tower standard, which is no framework here.
    controls: [],
    requires: ["security-group", "network-interface"],
    parameters: z.strictObject({
      /** AWS counts only ENIs; a group referenced by another group's rules may still be part of a design. */
      countReferencesAsUse: booleanParam(false),
    }),
    remediation: {
      summary:
        "Confirm nothing launches with the group (launch templates, idle Lambda functions, Auto Scaling), remove references to it from other groups' rules, then delete it (ec2:DeleteSecurityGroup).",
    },
    managedRule: "ec2-security-group-attached-to-eni-periodic",
  },

  evaluate({ model, params }) {
    const evaluations: Evaluation[] = [];
    for (const group of model.all("security-group")) {
      if (group.name === "default") {
        evaluations.push(verdict(RULE_ID, group, "NOT_APPLICABLE", "Default security group (cannot be deleted)"));
        continue;
      }
      if (group.ownerId !== undefined && group.ownerId !== group.accountId) {
        evaluations.push(verdict(RULE_ID, group, "NOT_APPLICABLE", `Owned by another account (${group.ownerId})`));
        continue;
      }
      const enis = model.networkInterfacesUsingGroup(group.id, group);
      if (enis.length > 0) {
        evaluations.push(verdict(RULE_ID, group, "COMPLIANT", describeUse(enis)));
        continue;
      }
      const referrers = referencingGroups(model, group);
      if (referrers.length === 0) {
        evaluations.push(verdict(RULE_ID, group, "NON_COMPLIANT", "Not used by any ENI and not referenced by any other group's rules"));
      } else if (params.countReferencesAsUse) {
        evaluations.push(
          verdict(
            RULE_ID,
            group,
            "COMPLIANT",
            `Not used by any ENI, but referenced by the rules of ${listIds(referrers, 4)} (countReferencesAsUse)`,
          ),
        );
      } else {
        evaluations.push(
          verdict(RULE_ID, group, "NON_COMPLIANT", `Not used by any ENI; only referenced by the rules of ${listIds(referrers, 4)}`),
        );
      }
    }
    return evaluations;
  },
});
