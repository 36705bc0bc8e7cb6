import { fsbpControl, nistControls } from "../lib/engine/controls";
import { booleanParam, defineRule, type Evaluation, listIds, sharedTexts, verdict } from "../lib/engine/rule";
import * as z from "../lib/zod";

const RULE_ID = "ec2-no-public-ip";

/** States in which an instance is going away; whatever address it holds is about to be released. */
const ENDING_STATES: ReadonlySet<string> = new Set(["shutting-down", "terminated"]);
const STOPPED_STATES: ReadonlySet<string> = new Set(["stopping", "stopped"]);

export default defineRule({
  meta: {
    id: RULE_ID,
    description:
      "EC2 instances must not have a public IPv4 address (auto-assigned or an Elastic IP) on any network interface, primary or secondary. IPv6 addresses are not considered.",
    failsWhen: "any network interface, primary or secondary, has a public IPv4 address",
    resourceTypes: ["AWS::EC2::Instance"],
    triggers: ["change", "periodic"],
    severity: "high",
    // Security Hub EC2.9 runs the managed rule ec2-instance-no-public-ip; its related requirements are AWS's mapping.
    controls: [
      fsbpControl("EC2.9", "Amazon EC2 instances should not have a public IPv4 address"),
      ...nistControls(
        [
          "AC-21",
          "AC-3",
          "AC-3(7)",
          "AC-4",
          "AC-4(21)",
          "AC-6",
          "SC-7",
          "SC-7(11)",
          "SC-7(16)",
          "SC-7(20)",
          "SC-7(21)",
          "SC-7(3)",
          "SC-7(4)",
          "SC-7(9)",
        ],
        "EC2.9",
      ),
    ],
    requires: ["instance"],
    parameters: z.strictObject({
      /** AWS evaluates stopped instances as they are; a stopped instance keeps its EIPs. */
      ignoreStopped: booleanParam(false),
    }),
    remediation: {
      summary:
        "Disassociate the Elastic IP (ec2:DisassociateAddress) or move the instance to a subnet without auto-assigned public IPs, and reach it through a load balancer, NAT or Session Manager instead.",
    },
    managedRule: "ec2-instance-no-public-ip",
  },

  evaluate({ model, params }) {
    const evaluations: Evaluation[] = [];
    const shared = sharedTexts();
    for (const instance of model.all("instance")) {
      if (ENDING_STATES.has(instance.state)) {
        evaluations.push(verdict(RULE_ID, instance, "NOT_APPLICABLE", shared(`Instance is ${instance.state}`)));
        continue;
      }
      if (params.ignoreStopped && STOPPED_STATES.has(instance.state)) {
        evaluations.push(verdict(RULE_ID, instance, "NOT_APPLICABLE", `Instance is ${instance.state} and ignoreStopped is true`));
        continue;
      }
      const holders = instance.networkInterfaces.filter((eni) => eni.publicIps.length > 0);
      if (holders.length === 0) {
        const count = instance.networkInterfaces.length;
        evaluations.push(
          verdict(
            RULE_ID,
            instance,
            "COMPLIANT",
            shared(`No public IPv4 address on its ${count} network interface${count === 1 ? "" : "s"}`),
          ),
        );
        continue;
      }
      // An address known only from the instance's PublicIpAddress: say so, claim no interface or source.
      const undescribed = holders
        .filter((eni) => eni.undescribed)
        .flatMap((eni) => eni.publicIps.map((address) => `${address.ip} (instance PublicIpAddress; no network interface details)`));
      const findings = holders
        .filter((eni) => !eni.undescribed)
        .map((eni) => {
          const addresses = eni.publicIps.map((address) => `${address.ip} (${address.source === "eip" ? "EIP" : "auto-assigned"})`);
          const role = eni.deviceIndex === undefined ? "" : eni.deviceIndex === 0 ? " primary" : ` secondary #${eni.deviceIndex}`;
          return `${eni.id}${role}: ${addresses.join(", ")}`;
        });
      const parts = [...undescribed, ...(findings.length > 0 ? [`on ${listIds(findings, 3)}`] : [])];
      evaluations.push(verdict(RULE_ID, instance, "NON_COMPLIANT", `Public IPv4 ${parts.join("; ")}`));
    }
    return evaluations;
  },
});
