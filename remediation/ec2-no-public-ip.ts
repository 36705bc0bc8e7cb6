import type { ResourceModel } from "../lib/model/resource-model";
import type { ElasticIp, Origin } from "../lib/model/types";
import { DISASSOCIATED_AT_TAG, DISASSOCIATED_FROM_TAG } from "./release-guard";
import { type PlannedCall, plannedAction, type RemediationAction } from "./types";

/** EIPs by the instance and by the ENIs they sit on, within their account; built once per model. */
const eipIndex = new WeakMap<ResourceModel, Map<string, ElasticIp[]>>();

function eipsOn(model: ResourceModel, scope: Origin, ids: readonly string[]): ElasticIp[] {
  let index = eipIndex.get(model);
  if (!index) {
    index = new Map();
    for (const eip of model.all("eip")) {
      if (!eip.associationId) continue;
      for (const key of new Set([eip.instanceId, eip.networkInterfaceId])) {
        if (key) index.set(`${eip.accountId}/${key}`, [...(index.get(`${eip.accountId}/${key}`) ?? []), eip]);
      }
    }
    eipIndex.set(model, index);
  }
  const found = new Map<string, ElasticIp>();
  for (const id of ids) for (const eip of index.get(`${scope.accountId}/${id}`) ?? []) found.set(eip.id, eip);
  return [...found.values()];
}

/**
 * Disassociates the instance's Elastic IPs (the addresses stay allocated to the account), first
 * tagging each with where it was and when, so that eip-attached does not release it before its
 * grace period (no cascade from one fix into another that cannot be undone). An
 * auto-assigned address cannot be taken off a running instance: the plan says so and proposes
 * turning off MapPublicIpOnLaunch on the subnet. Nothing is ever stopped or terminated.
 */
const ec2NoPublicIp: RemediationAction = {
  ruleId: "ec2-no-public-ip",
  automatic: true,
  planKinds: ["eip", "subnet"],
  plan(evaluation, model, _params, context) {
    const instance = model.get("instance", evaluation.resourceId, evaluation);
    if (!instance) {
      return plannedAction(evaluation, {
        status: "skip",
        why: `Instance ${evaluation.resourceId} is not in the input, so nothing can be checked`,
      });
    }
    const eniIds = instance.networkInterfaces.filter((eni) => !eni.undescribed).map((eni) => eni.id);
    const eips = eipsOn(model, instance, [instance.id, ...eniIds]);
    const at = context.now.toISOString();
    // An EC2-Classic style address has no allocation id to tag; it is disassociated all the same.
    const tags: PlannedCall[] = eips
      .filter((eip) => eip.allocationId)
      .map((eip) => ({
        operation: "CreateTags",
        parameters: {
          Resources: [eip.allocationId],
          Tags: [
            { Key: DISASSOCIATED_FROM_TAG, Value: [instance.id, eip.networkInterfaceId].filter(Boolean).join("/") },
            { Key: DISASSOCIATED_AT_TAG, Value: at },
          ],
        },
      }));
    const calls: PlannedCall[] = [
      ...tags,
      ...eips.map((eip) => ({ operation: "DisassociateAddress" as const, parameters: { AssociationId: eip.associationId } })),
    ];
    const eipIps = new Set(eips.map((eip) => eip.publicIp));
    const autoAssigned = instance.networkInterfaces.flatMap((eni) =>
      eni.publicIps
        .filter((address) => address.source === "auto-assigned" || (address.source === "eip" && !eipIps.has(address.ip)))
        .map((address) => ({ eni, address })),
    );
    const manualSteps: string[] = [];
    if (autoAssigned.length > 0) {
      const listed = autoAssigned.map(({ eni, address }) => `${address.ip} on ${eni.id}`).join(", ");
      manualSteps.push(
        `Auto-assigned ${listed} cannot be removed from a running instance; it is left as is (nothing is stopped or terminated).`,
      );
      const subnet = instance.subnetId ? model.get("subnet", instance.subnetId, instance) : undefined;
      if (instance.subnetId && subnet?.mapPublicIpOnLaunch !== false) {
        manualSteps.push(
          `Stop new instances getting one: aws ec2 modify-subnet-attribute --subnet-id ${instance.subnetId} --no-map-public-ip-on-launch (affects new launches only)`,
        );
      }
      manualSteps.push(
        "Then relaunch the instance without a public address (or in a private subnet), reaching it through a load balancer, NAT or Session Manager.",
      );
    }
    if (eips.length === 0) {
      return plannedAction(evaluation, {
        status: "manual",
        why: `Instance ${instance.id} has only auto-assigned public addresses`,
        manualSteps,
      });
    }
    const why = `Instance ${instance.id} holds Elastic IP ${eips.map((eip) => `${eip.publicIp ?? eip.id} (${eip.allocationId ?? eip.id})`).join(", ")}: disassociating removes its public address; the EIP stays allocated to the account, tagged ${DISASSOCIATED_AT_TAG}=${at} so that it is not released within eip-attached's grace period`;
    return plannedAction(evaluation, { status: "fix", calls, why, manualSteps });
  },
  extraQueries(resourceId, model, scope) {
    // The rule reads only the instance; the fix needs the association ids of its EIPs, on any of its ENIs.
    const eniIds =
      model
        .get("instance", resourceId, scope)
        ?.networkInterfaces.filter((eni) => !eni.undescribed)
        .map((eni) => eni.id) ?? [];
    return [
      { kind: "eip", filters: [{ Name: "instance-id", Values: [resourceId] }] },
      ...(eniIds.length > 0 ? [{ kind: "eip" as const, filters: [{ Name: "network-interface-id", Values: eniIds }] }] : []),
    ];
  },
};

export default ec2NoPublicIp;
