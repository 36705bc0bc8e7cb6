import {
  ACCOUNT_RESOURCE_TYPE,
  booleanParam,
  type ComplianceType,
  defineRule,
  type Evaluation,
  enumParam,
  integerParam,
  listIds,
  verdict,
} from "../lib/engine/rule";
import { type ResourceModel, scopeKey } from "../lib/model/resource-model";
import type { Instance, PlacementGroup } from "../lib/model/types";
import * as z from "../lib/zod";

const RULE_ID = "placement-group-limits";

/**
 * AWS Config does not record placement groups, and whether it accepts evaluations reported on
 * AWS::EC2::PlacementGroup is unverified against a real account (Config's guide lets custom rules report
 * types it does not record, but shows no placement group). The account pseudo-type is the
 * fallback Config is known to accept; there, one evaluation per account and region sums up
 * every group (an account has one resource id, so per-group verdicts would overwrite each other).
 */
const RESOURCE_TYPES = ["AWS::EC2::PlacementGroup", ACCOUNT_RESOURCE_TYPE] as const;

/** Members that occupy placement capacity: the documented limits are about running instances. */
const COUNTED_STATES: ReadonlySet<string> = new Set(["pending", "running"]);

/** EC2's limit for both: 7 running instances per AZ in a rack spread group, 7 partitions per AZ. */
const DOCUMENTED_LIMIT = 7;

const parameters = z.strictObject({
  resourceType: enumParam(RESOURCE_TYPES, "AWS::EC2::PlacementGroup"),
  maxSpreadInstancesPerAz: integerParam(DOCUMENTED_LIMIT, 1, 1000),
  maxPartitions: integerParam(DOCUMENTED_LIMIT, 1, 100),
  clusterSameInstanceType: booleanParam(true),
  clusterRequireEnhancedNetworking: booleanParam(true),
});

type Params = z.output<typeof parameters>;

interface GroupResult {
  complianceType: ComplianceType;
  annotation: string;
}

const result = (complianceType: ComplianceType, annotation: string): GroupResult => ({ complianceType, annotation });

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const ids = (instances: readonly Instance[], max = 4) =>
  listIds(
    instances.map((instance) => instance.id),
    max,
  );
const countInstances = (count: number) => `${count} instance${count === 1 ? "" : "s"}`;
const azOf = (instance: Instance) => instance.availabilityZone ?? "unknown AZ";

function judgeSpread(group: PlacementGroup, members: readonly Instance[], params: Params): GroupResult {
  if (group.spreadLevel?.toLowerCase() === "host") {
    return result("COMPLIANT", `Host-level spread group has no per-AZ limit; ${members.length} running/pending instances`);
  }
  const limit = params.maxSpreadInstancesPerAz;
  const byAz = groupBy(members, azOf);
  const over = [...byAz].filter(([, instances]) => instances.length > limit);
  if (over.length > 0) {
    const detail = over.map(([az, list]) => `${az}: ${countInstances(list.length)} (${ids(list)})`).join("; ");
    return result("NON_COMPLIANT", `Rack spread group exceeds ${limit} running/pending instances per AZ: ${detail}`);
  }
  const counts = [...byAz].map(([az, instances]) => `${az}: ${instances.length}`).join(", ");
  return result("COMPLIANT", `Rack spread group within ${limit} instances per AZ (${counts})`);
}

function judgePartition(group: PlacementGroup, members: readonly Instance[], params: Params): GroupResult {
  const limit = params.maxPartitions;
  const problems: string[] = [];
  if (group.partitionCount !== undefined && group.partitionCount > limit) {
    problems.push(`PartitionCount ${group.partitionCount} exceeds ${limit}`);
  }
  const beyond = members.filter((instance) => (instance.partitionNumber ?? 0) > limit);
  for (const [az, list] of groupBy(beyond, azOf)) {
    const detail = list.map((instance) => `${instance.id} in partition ${instance.partitionNumber}`);
    problems.push(`${az}: ${countInstances(list.length)} beyond partition ${limit} (${listIds(detail, 3)})`);
  }
  if (problems.length > 0) return result("NON_COMPLIANT", `Partition group: ${problems.join("; ")}`);
  const count = group.partitionCount === undefined ? "" : `${group.partitionCount} partitions, `;
  return result("COMPLIANT", `Partition group within ${limit} partitions (${count}${members.length} running/pending instances)`);
}

/** ENA support of a type: from the instance-type record, else implied by ENA being enabled on a member. */
function enaSupport(model: ResourceModel, group: PlacementGroup, type: string, instances: readonly Instance[]) {
  const info = model.instanceType(group, type);
  if (info?.enaSupport !== undefined) return info.enaSupport.toLowerCase();
  return instances.some((instance) => instance.enaSupport === true) ? "supported" : undefined;
}

function judgeCluster(model: ResourceModel, group: PlacementGroup, members: readonly Instance[], params: Params): GroupResult {
  const problems: string[] = [];
  const byAz = groupBy(members, azOf);
  if (byAz.size > 1) {
    const detail = [...byAz].map(([az, instances]) => `${az}: ${instances.length} (${ids(instances, 2)})`).join("; ");
    problems.push(`spans ${byAz.size} AZs, a cluster must be in one: ${detail}`);
  }
  const byType = groupBy(members, (instance) => instance.instanceType ?? "unknown type");
  if (params.clusterSameInstanceType && byType.size > 1) {
    const detail = [...byType].map(([type, instances]) => `${type}: ${instances.length} (${ids(instances, 2)})`).join("; ");
    problems.push(`mixes ${byType.size} instance types: ${detail}`);
  }
  const unknownEna: string[] = [];
  if (params.clusterRequireEnhancedNetworking) {
    for (const [type, instances] of byType) {
      const support = enaSupport(model, group, type, instances);
      if (support === "unsupported") problems.push(`${type} lacks ENA support (${ids(instances, 2)})`);
      else if (support === undefined) unknownEna.push(type);
    }
  }
  // A missing instance-type record is a gap in the input, not a pass: say so rather than guess.
  const unknownNote =
    unknownEna.length === 0
      ? ""
      : `ENA support of ${listIds(unknownEna, 3)} unknown (${
          model.hasCollected(group, "instance-type") ? "not in DescribeInstanceTypes" : "instance types not collected"
        })`;
  if (problems.length > 0) {
    return result("NON_COMPLIANT", `Cluster group ${[...problems, unknownNote].filter(Boolean).join("; ")}`);
  }
  if (unknownNote) return result("INSUFFICIENT_DATA", `Cluster group: ${unknownNote}`);
  const [az = "unknown AZ"] = byAz.keys();
  return result(
    "COMPLIANT",
    `Cluster group: ${members.length} running/pending instances in ${az}, types ${listIds([...byType.keys()], 3)}`,
  );
}

function judgeGroup(model: ResourceModel, group: PlacementGroup, params: Params): GroupResult {
  const state = group.state.toLowerCase();
  if (state !== "available") return result("NOT_APPLICABLE", `Placement group is ${state}, not available`);
  const strategy = group.strategy.toLowerCase();
  if (strategy !== "spread" && strategy !== "partition" && strategy !== "cluster") {
    return result("NOT_APPLICABLE", `Placement strategy ${strategy} has no limits checked by this rule`);
  }
  const members = model.instancesInPlacementGroup(group).filter((instance) => COUNTED_STATES.has(instance.state.toLowerCase()));
  if (members.length === 0) return result("COMPLIANT", `${strategy} group has no running or pending instances`);
  if (strategy === "spread") return judgeSpread(group, members, params);
  if (strategy === "partition") return judgePartition(group, members, params);
  return judgeCluster(model, group, members, params);
}

const SEVERITY_ORDER: readonly ComplianceType[] = ["NON_COMPLIANT", "INSUFFICIENT_DATA", "COMPLIANT", "NOT_APPLICABLE"];

/**
 * One account-level verdict per account and region that was read: the worst group decides and
 * is named; a region without groups is COMPLIANT, so an earlier finding there gets cleared.
 */
function accountEvaluations(model: ResourceModel, judged: { group: PlacementGroup; outcome: GroupResult }[]): Evaluation[] {
  const byScope = groupBy(judged, ({ group }) => scopeKey(group));
  return model.scopes().map((scope) => {
    const entries = byScope.get(scopeKey(scope)) ?? [];
    const worst = SEVERITY_ORDER.find((type) => entries.some(({ outcome }) => outcome.complianceType === type));
    const culprits = entries.filter(({ outcome }) => outcome.complianceType === worst);
    let annotation = "No placement groups";
    if (culprits.length === 1 && culprits[0]) annotation = `${culprits[0].group.name}: ${culprits[0].outcome.annotation}`;
    else if (culprits.length > 1) {
      annotation = `${culprits.length} of ${entries.length} placement groups ${worst}: ${listIds(culprits.map(({ group }) => group.name))}`;
    }
    return {
      ruleId: RULE_ID,
      resourceType: ACCOUNT_RESOURCE_TYPE,
      resourceId: scope.accountId,
      region: scope.region,
      accountId: scope.accountId,
      complianceType: worst ?? "COMPLIANT",
      annotation,
    };
  });
}

export default defineRule({
  meta: {
    id: RULE_ID,
    description:
      "Placement groups stay within EC2's documented limits: rack spread at most 7 running instances per AZ, partition at most 7 partitions, cluster in one AZ with one ENA-capable instance type.",
    failsWhen:
      "a rack-spread group has more than 7 running instances in one AZ, a partition group more than 7 partitions, a cluster group spans AZs, mixes types or lacks ENA",
    resourceTypes: ["AWS::EC2::PlacementGroup"],
    // Config records no placement groups (its supported resource types list none), so no change can trigger it.
    triggers: ["periodic"],
    severity: "medium",
    controls: [],
    requires: ["placement-group", "instance"],
    optional: ["instance-type"],
    parameters,
    remediation: {
      summary:
        "Stop the excess or mismatched instances and move them to another placement group (ModifyInstancePlacement needs a stopped instance).",
    },
    docs: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/placement-groups.html",
  },
  evaluate({ model, params }) {
    const judged: { group: PlacementGroup; outcome: GroupResult }[] = [];
    for (const group of model.all("placement-group")) judged.push({ group, outcome: judgeGroup(model, group, params) });
    if (params.resourceType === "AWS::::Account") return accountEvaluations(model, judged);
    return judged.map(({ group, outcome }) => verdict(RULE_ID, group, outcome.complianceType, outcome.annotation));
  },
});
