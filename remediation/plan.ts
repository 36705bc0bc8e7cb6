import type { AnyRule, Evaluation } from "../lib/engine/rule";
import { parseRuleParameters } from "../lib/engine/rule";
import { runRules } from "../lib/engine/run";
import { ExemptionPolicy } from "../lib/exemptions/exemptions";
import type { ResourceModel } from "../lib/model/resource-model";
import { remediationFor } from "./registry";
import type { PlannedAction } from "./types";

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
}

/**
 * The plan for one rule: an action for each NON_COMPLIANT resource, in resource-id order.
 * Exempted resources never appear: the engine reports them NOT_APPLICABLE.
 */
export function planRemediation(options: PlanOptions): RemediationPlan {
  const { rule, model } = options;
  const action = remediationFor(rule.meta.id);
  const params = parseRuleParameters(rule, options.params) as Record<string, unknown>;
  const evaluations =
    options.evaluations ??
    runRules(model, { rules: [rule], params: { [rule.meta.id]: options.params }, exemptions: options.exemptions ?? new ExemptionPolicy() });
  const actions = evaluations
    .filter((evaluation) => evaluation.ruleId === rule.meta.id && evaluation.complianceType === "NON_COMPLIANT")
    .filter((evaluation) => !options.resourceIds || options.resourceIds.has(evaluation.resourceId))
    .sort((a, b) => a.resourceId.localeCompare(b.resourceId))
    .map((evaluation) => action.plan(evaluation, model, params));
  return { ruleId: rule.meta.id, actions };
}

export const fixesOf = (plan: RemediationPlan): PlannedAction[] => plan.actions.filter((action) => action.status === "fix");
