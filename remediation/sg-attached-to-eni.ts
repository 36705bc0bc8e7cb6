import { listIds } from "../lib/engine/rule";
import { plannedAction, type RemediationAction } from "./types";

/**
 * Deletes a security group no ENI uses and no other group references. A default group is never
 * touched, and a group still referenced is skipped (whatever countReferencesAsUse says): deleting
 * it would fail, and the reference may be part of a design.
 */
const sgAttachedToEni: RemediationAction = {
  ruleId: "sg-attached-to-eni",
  automatic: true,
  plan(evaluation, model) {
    const group = model.securityGroup(evaluation.resourceId, evaluation);
    if (!group) {
      return plannedAction(evaluation, {
        status: "skip",
        why: `Security group ${evaluation.resourceId} is not in the input, so nothing can be checked`,
      });
    }
    if (group.name === "default") {
      return plannedAction(evaluation, { status: "skip", why: `${group.id} is a default group: it is never deleted` });
    }
    const enis = model.networkInterfacesUsingGroup(group.id, group);
    if (enis.length > 0) {
      return plannedAction(evaluation, {
        status: "skip",
        why: `${group.id} is used by ${listIds(
          enis.map((eni) => eni.id),
          3,
        )}: not deleted`,
      });
    }
    const referrers = [
      ...new Set(
        model
          .groupsReferencing(group.id, group)
          .map((ref) => ref.fromGroupId)
          .filter((id) => id !== group.id),
      ),
    ];
    if (referrers.length > 0) {
      return plannedAction(evaluation, {
        status: "skip",
        why: `${group.id} is referenced by the rules of ${listIds(referrers, 4)}: not deleted`,
        manualSteps: [
          `Remove the rules of ${listIds(referrers, 4)} that name ${group.id} (revoke-security-group-ingress/egress) if they are obsolete, then delete the group.`,
        ],
      });
    }
    return plannedAction(evaluation, {
      status: "fix",
      calls: [{ operation: "DeleteSecurityGroup", parameters: { GroupId: group.id } }],
      why: `${group.id} (${group.name}) is used by no ENI and referenced by no other group. Launch templates, idle VPC Lambda functions and scaled-to-zero Auto Scaling groups do not show as ENIs: check them if unsure`,
    });
  },
  extraQueries(resourceId) {
    // Other groups' rules naming this one: the rule's own inputs hold only the group itself.
    return [
      { kind: "security-group", filters: [{ Name: "ip-permission.group-id", Values: [resourceId] }] },
      { kind: "security-group", filters: [{ Name: "egress.ip-permission.group-id", Values: [resourceId] }] },
    ];
  },
};

export default sgAttachedToEni;
