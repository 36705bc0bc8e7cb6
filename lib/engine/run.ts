import { describeExemption, ExemptionPolicy, withInvalidTagNote } from "../exemptions/exemptions";
import { KINDS, kindOfConfigType } from "../model/kinds";
import { type ResourceModel, scopeKey } from "../model/resource-model";
import type { Origin } from "../model/types";
import { ACCOUNT_RESOURCE_TYPE, type AnyRule, type Evaluation, itemStatusAnnotation, parseRuleParameters } from "./rule";

export interface RunRulesOptions {
  rules: readonly AnyRule[];
  /** Raw parameters per rule id, validated against each rule's schema (defaults filled in). */
  params?: Readonly<Record<string, Record<string, unknown> | undefined>>;
  exemptions?: ExemptionPolicy;
  /** Keep only the evaluations of these resource ids (a change-triggered run on one item). */
  resourceIds?: ReadonlySet<string>;
}

/**
 * Runs rules over a model: the one path every runtime (CLI, Lambda, reports) goes through, so
 * verdicts, gaps and exemptions are the same everywhere. Parameters are validated before any
 * rule runs, so a bad parameter never leaves half the rules evaluated.
 */
export function runRules(model: ResourceModel, options: RunRulesOptions): Evaluation[] {
  const byRule = [...evaluationsByRule(model, options)];
  // A single rule's array is already the run's; concat copies as one block, where flat() (5 times
  // slower on a million evaluations) walks them one by one.
  return byRule.length === 1 ? (byRule[0] as Evaluation[]) : ([] as Evaluation[]).concat(...byRule);
}

/**
 * {@link runRules}' evaluations as they are made, rule by rule, for a consumer that keeps less of
 * them than the evaluations themselves (a report of a million findings). Parameters are still all
 * validated before the first evaluation is given.
 */
export function evaluateRules(model: ResourceModel, options: RunRulesOptions): Generator<Evaluation> {
  return flattened(evaluationsByRule(model, options));
}

function* flattened(byRule: Iterable<Evaluation[]>): Generator<Evaluation> {
  for (const evaluations of byRule) yield* evaluations;
}

/** Each rule's evaluations in turn, as one array per rule: a million evaluations pass no generator one by one. */
function evaluationsByRule(model: ResourceModel, options: RunRulesOptions): Generator<Evaluation[]> {
  // Without a policy from the entry point, tags are judged against the rules of this run.
  const exemptions = options.exemptions ?? new ExemptionPolicy({ ruleIds: options.rules.map((rule) => rule.meta.id) });
  const prepared = options.rules.map((rule) => ({ rule, params: parseRuleParameters(rule, options.params?.[rule.meta.id]) }));
  return judgedByRule(model, prepared, exemptions, options.resourceIds);
}

function* judgedByRule(
  model: ResourceModel,
  prepared: readonly { rule: AnyRule; params: unknown }[],
  exemptions: ExemptionPolicy,
  resourceIds: ReadonlySet<string> | undefined,
): Generator<Evaluation[]> {
  const kept = (evaluation: Evaluation) => resourceIds === undefined || resourceIds.has(evaluation.resourceId);
  for (const { rule, params } of prepared) {
    const gaps = findGaps(model, rule);
    const mayBeExempt = exemptionCandidates(model, rule, exemptions);
    // The rule's own array, judged in place: the rule made it for this run alone.
    const evaluations = rule.evaluate({ model, params });
    let judgedCount = 0;
    for (const evaluation of evaluations) {
      if (gaps.size > 0 && gaps.has(scopeKey(evaluation))) continue;
      const judged = mayBeExempt(evaluation) ? applyExemption(model, rule.meta.id, evaluation, exemptions) : evaluation;
      if (kept(judged)) evaluations[judgedCount++] = judged;
    }
    evaluations.length = judgedCount;
    for (const [key, missing] of gaps) {
      const scope = model.coverage.scopes.get(key);
      if (scope) for (const evaluation of gapEvaluations(model, rule, scope, missing)) if (kept(evaluation)) evaluations.push(evaluation);
    }
    for (const evaluation of deletedEvaluations(model, rule)) if (kept(evaluation)) evaluations.push(evaluation);
    yield evaluations;
  }
}

/**
 * Scopes (account/region) where some input the rule requires was not collected, with why: kinds
 * missing for one reason (an account that could not be recorded) are named together, before it.
 */
function findGaps(model: ResourceModel, rule: AnyRule): Map<string, string> {
  const gaps = new Map<string, string>();
  for (const scope of model.scopes()) {
    const byReason = new Map<string, string[]>();
    for (const kind of rule.meta.requires) {
      if (model.hasCollected(scope, kind)) continue;
      const reason = model.gapReason(scope, kind) ?? "not in the input";
      byReason.set(reason, [...(byReason.get(reason) ?? []), KINDS[kind].configType]);
    }
    if (byReason.size > 0) gaps.set(scopeKey(scope), [...byReason].map(([reason, types]) => `${types.join(", ")} (${reason})`).join("; "));
  }
  return gaps;
}

/**
 * A rule that lacks its inputs never gives a verdict: each resource it would judge in that scope
 * is INSUFFICIENT_DATA, or, when it holds none of them, the account itself is.
 */
function gapEvaluations(model: ResourceModel, rule: AnyRule, scope: Origin, missing: string): Evaluation[] {
  const annotation = `Cannot evaluate: missing ${missing}`;
  const subjects: Evaluation[] = [];
  for (const resourceType of rule.meta.resourceTypes) {
    const kind = kindOfConfigType(resourceType);
    if (!kind) continue;
    for (const record of model.all(kind)) {
      if (record.region !== scope.region || record.accountId !== scope.accountId) continue;
      subjects.push({
        ruleId: rule.meta.id,
        resourceType,
        resourceId: record.id,
        region: scope.region,
        accountId: scope.accountId,
        complianceType: "INSUFFICIENT_DATA",
        annotation,
      });
    }
  }
  if (subjects.length > 0) return subjects;
  return [
    {
      ruleId: rule.meta.id,
      resourceType: ACCOUNT_RESOURCE_TYPE,
      resourceId: scope.accountId,
      region: scope.region,
      accountId: scope.accountId,
      complianceType: "INSUFFICIENT_DATA",
      annotation,
    },
  ];
}

/**
 * A resource the inputs say was deleted is NOT_APPLICABLE for every rule that reports on its
 * type, worded as the Lambda words a deleted item, whatever else is missing in its scope: the
 * deletion is a fact, and it lets a report tell "resolved by deletion" from "no longer seen".
 */
function deletedEvaluations(model: ResourceModel, rule: AnyRule): Evaluation[] {
  if (model.deleted.length === 0) return [];
  const evaluations: Evaluation[] = [];
  for (const resource of model.deleted) {
    const resourceType = KINDS[resource.kind].configType;
    if (!rule.meta.resourceTypes.includes(resourceType)) continue;
    evaluations.push({
      ruleId: rule.meta.id,
      resourceType,
      resourceId: resource.id,
      region: resource.region,
      accountId: resource.accountId,
      complianceType: "NOT_APPLICABLE",
      annotation: itemStatusAnnotation(resource.status, resource.deletedAt),
    });
  }
  return evaluations;
}

/**
 * A cheap test of which evaluations an exemption could touch, so that the record lookup and the
 * policy's matching run only for those: without file entries for the rule, only resources that
 * carry the exemption tag can be exempt.
 */
function exemptionCandidates(model: ResourceModel, rule: AnyRule, exemptions: ExemptionPolicy): (evaluation: Evaluation) => boolean {
  if (exemptions.hasFileEntriesFor(rule.meta.id)) return () => true;
  // By account, then id: no key string is made for each of a million evaluations.
  const tagged = new Map<string, Set<string>>();
  for (const resourceType of rule.meta.resourceTypes) {
    const kind = kindOfConfigType(resourceType);
    if (!kind) continue;
    for (const record of model.all(kind)) {
      if (!("tags" in record) || record.tags[exemptions.tagKey] === undefined) continue;
      let ids = tagged.get(record.accountId);
      if (!ids) {
        ids = new Set();
        tagged.set(record.accountId, ids);
      }
      ids.add(record.id);
    }
  }
  if (tagged.size === 0) return () => false;
  return (evaluation) => tagged.get(evaluation.accountId)?.has(evaluation.resourceId) === true;
}

/**
 * An exemption turns the verdict into NOT_APPLICABLE, saying by whom, until when and why. An
 * exemption tag that is invalid exempts nothing: the verdict stands, and says the tag was ignored.
 */
function applyExemption(model: ResourceModel, ruleId: string, evaluation: Evaluation, exemptions: ExemptionPolicy): Evaluation {
  const kind = kindOfConfigType(evaluation.resourceType);
  const record = kind && model.get(kind, evaluation.resourceId, evaluation);
  if (!record) return evaluation;
  const assessment = exemptions.assess(ruleId, {
    id: record.id,
    accountId: record.accountId,
    tags: "tags" in record ? record.tags : {},
    name: "name" in record ? record.name : undefined,
  });
  if (!assessment) return evaluation;
  if ("invalidTag" in assessment) {
    return { ...evaluation, annotation: withInvalidTagNote(evaluation.annotation, assessment.invalidTag) };
  }
  const { exemption } = assessment;
  const { source, reason, owner, expires } = exemption;
  return {
    ...evaluation,
    complianceType: "NOT_APPLICABLE",
    annotation: describeExemption(exemption),
    exemption: {
      source,
      ...(reason !== undefined ? { reason } : {}),
      ...(owner !== undefined ? { owner } : {}),
      ...(expires ? { expires: expires.label } : {}),
      verdict: evaluation.complianceType,
    },
  };
}
