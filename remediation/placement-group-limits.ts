import { plannedAction, type RemediationAction } from "./types";

const MOVE = (instance: string, target: string) =>
  `aws ec2 stop-instances --instance-ids ${instance}; aws ec2 modify-instance-placement --instance-id ${instance} ${target}; aws ec2 start-instances --instance-ids ${instance}`;

/**
 * Never automatic: moving an instance between placement groups means stopping it. The plan gives
 * the manual steps for the group's strategy.
 */
const placementGroupLimits: RemediationAction = {
  ruleId: "placement-group-limits",
  automatic: false,
  plan(evaluation, model) {
    const group = [...model.all("placement-group")].find(
      (candidate) =>
        (candidate.id === evaluation.resourceId || candidate.name === evaluation.resourceId) && candidate.region === evaluation.region,
    );
    const name = group?.name ?? evaluation.resourceId;
    const strategy = group?.strategy?.toLowerCase();
    const steps: string[] = [`Finding: ${evaluation.annotation}`];
    if (strategy === "spread") {
      steps.push(
        `Move the instances above the limit in one AZ out of ${name}, during a maintenance window (each move stops the instance):`,
        MOVE("<instance-id>", "--group-name <another-spread-group>"),
        "or launch replacements in another AZ and terminate the extra ones.",
      );
    } else if (strategy === "partition") {
      steps.push(
        `Instances in a partition beyond the limit: ${MOVE("<instance-id>", `--group-name ${name} --partition-number <1..limit>`)}`,
        "A group created with more partitions than the limit must be replaced: create a new partition group and move the instances into it.",
      );
    } else if (strategy === "cluster") {
      steps.push(
        `Bring ${name} into one AZ and one instance type with ENA support: relaunch (or stop, change type, start) the odd instances; instances in another AZ must be relaunched in the group's AZ.`,
        `To take an instance out of the group: ${MOVE("<instance-id>", '--group-name ""')}`,
      );
    } else {
      steps.push(
        `Review the members of ${name} against the placement-group limits; moving an instance needs: ${MOVE("<instance-id>", "--group-name <group>")}`,
      );
    }
    return plannedAction(evaluation, {
      status: "manual",
      why: `Placement changes need the instances stopped, so they are never made automatically`,
      manualSteps: steps,
    });
  },
};

export default placementGroupLimits;
