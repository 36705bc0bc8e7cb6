import { fsbpControl, nistControls, SECURITY_HUB_EC2_CONTROLS } from "../lib/engine/controls";
import { booleanParam, defineRule, type Evaluation, verdict } from "../lib/engine/rule";
import type { ResourceModel } from "../lib/model/resource-model";
import type { ElasticIp } from "../lib/model/types";
import * as z from "../lib/zod";

const RULE_ID = "eip-attached";

/** What an associated address is attached to, in words, e.g. "ENI eni-0a1b… (nat_gateway)". */
function describeTarget(eip: ElasticIp, model: ResourceModel): string {
  const parts: string[] = [];
  if (eip.instanceId) parts.push(`instance ${eip.instanceId}`);
  if (eip.networkInterfaceId) {
    const eni = model.get("network-interface", eip.networkInterfaceId, eip);
    parts.push(eni?.interfaceType ? `ENI ${eip.networkInterfaceId} (${eni.interfaceType})` : `ENI ${eip.networkInterfaceId}`);
  }
  if (eip.serviceManaged) parts.push(`managed by ${eip.serviceManaged}`);
  return parts.length > 0 ? parts.join(", ") : `association ${eip.associationId}`;
}

const isClassic = (eip: ElasticIp) => eip.domain?.toLowerCase() === "standard";

export default defineRule({
  meta: {
    id: RULE_ID,
    description:
      "Elastic IP addresses must be associated with something (an instance, a network interface, a NAT gateway or a load balancer); an unassociated address is billed and unused.",
    failsWhen:
      "the address has no association (an EIP on a NAT gateway, load balancer, ENI or instance is attached, and so is an EC2-Classic address associated through `InstanceId`)",
    resourceTypes: ["AWS::EC2::EIP"],
    triggers: ["change", "periodic"],
    severity: "low",
    // Security Hub EC2.12 runs the managed rule eip-attached; its related requirements are AWS's mapping.
    controls: [
      fsbpControl("EC2.12", "Unused Amazon EC2 EIPs should be removed"),
      ...nistControls(["CM-8(1)"], "EC2.12"),
      {
        framework: "pci-dss",
        version: "3.2.1",
        control: "2.4",
        title: "Maintain an inventory of system components that are in scope for PCI DSS",
        source: `${SECURITY_HUB_EC2_CONTROLS}#ec2-12`,
      },
    ],
    requires: ["eip"],
    optional: ["network-interface"],
    parameters: z.strictObject({
      /** AWS's newer wording ("attached to an instance or an in-use ENI"): an EIP on a detached ENI is unused. */
      requireInUseEni: booleanParam(false),
    }),
    remediation: {
      summary: "Associate the address with the resource that needs it, or release it (ec2:ReleaseAddress) once it is confirmed unused.",
    },
    managedRule: "eip-attached",
  },

  evaluate({ model, params }) {
    const evaluations: Evaluation[] = [];
    for (const eip of model.all("eip")) {
      const address = eip.publicIp ? `${eip.publicIp} ` : "";
      // EC2-Classic addresses (Domain standard) have no association ids: InstanceId is their association.
      if (!eip.associationId && isClassic(eip) && eip.instanceId) {
        evaluations.push(
          verdict(
            RULE_ID,
            eip,
            "COMPLIANT",
            `EIP ${address}is attached to instance ${eip.instanceId} (EC2-Classic address, associated through InstanceId)`,
          ),
        );
        continue;
      }
      // Keyed on AssociationId, never InstanceId: NAT gateway and load balancer EIPs have no instance.
      if (!eip.associationId) {
        const stale = eip.instanceId ? ` (InstanceId ${eip.instanceId} recorded without an association)` : "";
        evaluations.push(verdict(RULE_ID, eip, "NON_COMPLIANT", `EIP ${address}is not associated: it has no AssociationId${stale}`));
        continue;
      }
      const target = describeTarget(eip, model);
      if (params.requireInUseEni && eip.networkInterfaceId && !eip.instanceId) {
        const eni = model.get("network-interface", eip.networkInterfaceId, eip);
        if (!eni) {
          if (!model.hasCollected(eip, "network-interface")) {
            evaluations.push(
              verdict(
                RULE_ID,
                eip,
                "INSUFFICIENT_DATA",
                `EIP ${address}is attached to ${target}, but network interfaces were not collected, so its status cannot be checked (requireInUseEni)`,
              ),
            );
          } else {
            evaluations.push(
              verdict(
                RULE_ID,
                eip,
                "COMPLIANT",
                `EIP ${address}is attached to ${target}; that ENI is not in the input (deleted, or another account's), so its status was not checked`,
              ),
            );
          }
          continue;
        }
        if (eni.status === "available") {
          evaluations.push(
            verdict(
              RULE_ID,
              eip,
              "NON_COMPLIANT",
              `EIP ${address}is attached to ${target}, but that ENI is detached (status available) and requireInUseEni is true`,
            ),
          );
          continue;
        }
      }
      evaluations.push(verdict(RULE_ID, eip, "COMPLIANT", `EIP ${address}is attached to ${target}`));
    }
    return evaluations;
  },
});
