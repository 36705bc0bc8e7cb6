import type { AnyRule, Evaluation } from "../lib/engine/rule";
import { parseRuleParameters } from "../lib/engine/rule";
import { runRules } from "../lib/engine/run";
import { ExemptionPolicy } from "../lib/exemptions/exemptions";
import type { ResourceModel } from "../lib/model/resource-model";
import { remediationFor } from "./registry";
import { DEFAULT_RELEASE_AFTER_DAYS } from "./release-guard";
import type { PlanContext, PlannedAction } from "./types";

export interface RemediationPlan {
  ruleId: string;
  actions: PlannedAction[];
}

export interface PlanOptions {
  rule: AnyRule;
  model: ResourceModel;
  /** Raw rule parameters, as the rule run got them. */
  params?: Record<string, unknown>;
  exemptions?: ExemptionPolicy;
  /** The run's evaluations; evaluated here from the model when absent. */
  evaluations?: readonly Evaluation[];
  /** Only these resources (the CLI's --resource). */
  resourceIds?: ReadonlySet<string>;
  /** The plan's time, grace period and outside evidence; now, the default grace and none when absent. */
  context?: Partial<PlanContext>;
}

export const planContext = (context: Partial<PlanContext> = {}): PlanContext => ({
  now: context.now ?? new Date(),
  releaseAfterDays: context.releaseAfterDays ?? DEFAULT_RELEASE_AFTER_DAYS,
  nonCompliantSince: context.nonCompliantSince,
});

/**
 * The plan for one rule: an action for each NON_COMPLIANT resource, in resource-id order (then account, region).
 * Exempted resources never appear: the engine reports them NOT_APPLICABLE.
 */
export function planRemediation(options: PlanOptions): RemediationPlan {
  const { rule, model } = options;
  const action = remediationFor(rule);
  const params = parseRuleParameters(rule, options.params) as Record<string, unknown>;
  const context = planContext(options.context);
  const evaluations =
    options.evaluations ??
    runRules(model, {
      rules: [rule],
      params: { [rule.meta.id]: options.params },
      exemptions: options.exemptions ?? new ExemptionPolicy({ ruleIds: [rule.meta.id] }),
    });
  const actions = evaluations
    .filter((evaluation) => evaluation.ruleId === rule.meta.id && evaluation.complianceType === "NON_COMPLIANT")
    .filter((evaluation) => !options.resourceIds || options.resourceIds.has(evaluation.resourceId))
    .sort((a, b) => a.resourceId.localeCompare(b.resourceId) || a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region))
    .map((evaluation) => action.plan(evaluation, model, params, context));
  return { ruleId: rule.meta.id, actions };
}

/** The Elastic IPs (by account and allocation id, or public IP) whose association a fix takes off. */
function disassociatedBy(action: PlannedAction, model: ResourceModel): Set<string> {
  const associations = new Set(
    action.calls.filter((call) => call.operation === "DisassociateAddress").map((call) => String(call.parameters.AssociationId)),
  );
  const addresses = new Set<string>();
  if (associations.size === 0) return addresses;
  for (const eip of model.all("eip")) {
    if (eip.accountId !== action.accountId || !eip.associationId || !associations.has(eip.associationId)) continue;
    addresses.add(`${eip.accountId}/${eip.allocationId ?? eip.publicIp ?? eip.id}`);
  }
  return addresses;
}

const releasedBy = (action: PlannedAction): string[] =>
  action.calls
    .filter((call) => call.operation === "ReleaseAddress")
    .map((call) => `${action.accountId}/${String(call.parameters.AllocationId ?? call.parameters.PublicIp)}`);

/**
 * The plans of several rules, made to agree: an address that one rule's fix disassociates is not
 * released by another's in the same plan (the release waits for its grace period, counted from
 * the disassociation). The one cascade between the rules' fixes goes from ec2-no-public-ip to
 * eip-attached; checking every plan keeps any other order safe too.
 */
export function planAcrossRules(
  options: Omit<PlanOptions, "rule" | "params"> & { rules: readonly AnyRule[]; params?: Record<string, Record<string, unknown>> },
): RemediationPlan[] {
  const context = planContext(options.context);
  const plans = options.rules.map((rule) => planRemediation({ ...options, rule, params: options.params?.[rule.meta.id], context }));
  return reconcilePlans(plans, options.model, context);
}

export function reconcilePlans(plans: RemediationPlan[], model: ResourceModel, context: PlanContext): RemediationPlan[] {
  const disassociated = new Map<string, string>();
  for (const plan of plans) {
    for (const action of fixesOf(plan))
      for (const address of disassociatedBy(action, model)) disassociated.set(address, `${plan.ruleId} ${action.resourceId}`);
  }
  if (disassociated.size === 0) return plans;
  return plans.map((plan) => ({
    ...plan,
    actions: plan.actions.map((action) => {
      const clash = action.status === "fix" ? releasedBy(action).find((address) => disassociated.has(address)) : undefined;
      if (clash === undefined) return action;
      const address = clash.slice(clash.indexOf("/") + 1);
      return {
        ...action,
        status: "skip" as const,
        calls: [],
        why: `EIP ${address} is disassociated by the fix of ${disassociated.get(clash)} in this same plan: it is not released before releaseAfterDays=${context.releaseAfterDays} day(s) after that`,
      };
    }),
  }));
}

export const fixesOf = (plan: RemediationPlan): PlannedAction[] => plan.actions.filter((action) => action.status === "fix");
