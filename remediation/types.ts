import type { Evaluation } from "../lib/engine/rule";
import type { ResourceModel } from "../lib/model/resource-model";
import type { Origin, ResourceKind } from "../lib/model/types";
import type { UnassociatedSince } from "./release-guard";

/** One EC2 API call of a plan, exactly as it will be sent (without DryRun). */
export interface PlannedCall {
  operation: Ec2WriteOperation;
  parameters: Record<string, unknown>;
}

export type Ec2WriteOperation =
  | "ReleaseAddress"
  | "DisassociateAddress"
  | "DeleteSecurityGroup"
  | "ModifyVpcEndpoint"
  | "DeleteRoute"
  | "ModifyInstanceMetadataOptions"
  | "CreateTags";

/** What a plan knows beyond the model: the time, and the evidence and limits of the fixes that cannot be undone. */
export interface PlanContext {
  /** The time stamped on disassociated addresses, and against which grace periods are judged. */
  now: Date;
  /** eip-attached releases only addresses unassociated for at least this many days. */
  releaseAfterDays: number;
  /** Since when a resource is known non-compliant (a previous report, Config's stored results), by {@link evidenceKey}. */
  nonCompliantSince?: ReadonlyMap<string, UnassociatedSince>;
}

export const evidenceKey = (resource: { ruleId: string; accountId: string; region: string; resourceId: string }): string =>
  `${resource.ruleId}|${resource.accountId}|${resource.region}|${resource.resourceId}`;

/**
 * What a plan proposes for one non-compliant resource:
 * - fix: `calls` are made by `apply` (after re-checking, and a dry run);
 * - manual: no automatic fix exists or would be safe; `manualSteps` say what a person should do;
 * - skip: a fix exists but must not be made now (`reason` says why).
 */
export type PlanStatus = "fix" | "manual" | "skip";

export interface PlannedAction {
  ruleId: string;
  resourceType: string;
  resourceId: string;
  region: string;
  accountId: string;
  status: PlanStatus;
  calls: PlannedCall[];
  /** The violation and what the calls change (or why nothing is done). */
  why: string;
  /** Steps for a person: the whole fix for `manual`, extra proposals beside a `fix`. */
  manualSteps: string[];
}

/** The remediation of one rule: how to plan it from a model, and how to re-check it live. */
export interface RemediationAction {
  ruleId: string;
  /** Whether `plan` can return calls at all (false: manual steps only). */
  automatic: boolean;
  /**
   * Plans the fix of one NON_COMPLIANT evaluation from a model. Pure: the same function plans
   * offline from a snapshot and re-plans at apply time from a freshly collected model, so the
   * re-check and the plan can never disagree.
   */
  plan(evaluation: Evaluation, model: ResourceModel, params: Record<string, unknown>, context: PlanContext): PlannedAction;
  /** Kinds the plan reads beyond the rule's own inputs (collected for a live plan). */
  planKinds?: readonly ResourceKind[];
  /** Filters reading what else the re-check must see of one resource (beyond the rule's own inputs), in `scope`'s account and region. */
  extraQueries?: (resourceId: string, model: ResourceModel, scope: Origin) => ExtraQuery[];
}

export interface ExtraQuery {
  kind: "eip" | "security-group" | "network-interface";
  filters: { Name: string; Values: string[] }[];
}

export function plannedAction(
  evaluation: Evaluation,
  fields: Pick<PlannedAction, "status" | "why"> & Partial<Pick<PlannedAction, "calls" | "manualSteps">>,
): PlannedAction {
  return {
    ruleId: evaluation.ruleId,
    resourceType: evaluation.resourceType,
    resourceId: evaluation.resourceId,
    region: evaluation.region,
    accountId: evaluation.accountId,
    status: fields.status,
    calls: fields.calls ?? [],
    why: fields.why,
    manualSteps: fields.manualSteps ?? [],
  };
}
