import { releaseDecision } from "./release-guard";
import { evidenceKey, plannedAction, type RemediationAction } from "./types";

/**
 * Releases an Elastic IP that nothing is associated with, once it has been so for
 * releaseAfterDays (see release-guard). An associated one is never released.
 */
const eipAttached: RemediationAction = {
  ruleId: "eip-attached",
  automatic: true,
  plan(evaluation, model, _params, context) {
    const eip = model.elasticIp(evaluation.resourceId, evaluation);
    if (!eip) {
      return plannedAction(evaluation, {
        status: "skip",
        why: `EIP ${evaluation.resourceId} is not in the input, so nothing can be checked`,
      });
    }
    const address = eip.publicIp ?? eip.id;
    if (eip.associationId) {
      // Non-compliant only under requireInUseEni: it sits on a detached ENI. Releasing would fail (InUse) and may be wrong.
      return plannedAction(evaluation, {
        status: "manual",
        why: `EIP ${address} is associated (${eip.associationId}) with ENI ${eip.networkInterfaceId ?? "?"}, which is detached; it is not released automatically`,
        manualSteps: [
          `Attach ENI ${eip.networkInterfaceId ?? "?"} to the instance that needs it, or`,
          `aws ec2 disassociate-address --association-id ${eip.associationId}, then aws ec2 release-address --allocation-id ${eip.allocationId ?? eip.id}`,
        ],
      });
    }
    if (eip.domain?.toLowerCase() === "standard" && eip.instanceId) {
      return plannedAction(evaluation, {
        status: "skip",
        why: `EIP ${address} is an EC2-Classic address attached to instance ${eip.instanceId}; it is never released`,
      });
    }
    const decision = releaseDecision(eip, { ...context, unassociatedSince: context.nonCompliantSince?.get(evidenceKey(evaluation)) });
    const release = `aws ec2 release-address --allocation-id ${eip.allocationId ?? eip.id}`;
    if (!decision.release) {
      return plannedAction(evaluation, {
        status: "skip",
        why: `EIP ${address} has no association, but ${decision.why}`,
        manualSteps: [`Once nothing needs ${address} any more: ${release} (a released address may not be recoverable)`],
      });
    }
    const parameters = eip.allocationId ? { AllocationId: eip.allocationId } : { PublicIp: eip.publicIp ?? eip.id };
    return plannedAction(evaluation, {
      status: "fix",
      calls: [{ operation: "ReleaseAddress", parameters }],
      why: `EIP ${address} has no association, ${decision.why}: releasing it ends the idle-address charge. The address returns to AWS and may not be recoverable (RecoverAddress is best effort)`,
    });
  },
};

export default eipAttached;
