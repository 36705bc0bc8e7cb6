import { type ConfigServiceClient, type EvaluationResult, paginateGetComplianceDetailsByResource } from "@aws-sdk/client-config-service";
import { type PreviousResult, type PreviousResults, resourceKey } from "../engine/previous";
import type { StoredResult } from "./stored-results";

/**
 * A periodic run's previous results: the NON_COMPLIANT ones among the rule's stored results, which
 * the run has already read for its stale-result cleanup (see readStoredResults). Only those are
 * needed: a resource is "newly" non-compliant when it is not among them, and "back to compliant"
 * when it was.
 */
export function previousResultsOf(stored: readonly StoredResult[]): PreviousResults {
  const results = new Map<string, PreviousResult>();
  for (const result of stored) {
    if (result.complianceType !== "NON_COMPLIANT") continue;
    const previous: PreviousResult = { ...result, complianceType: result.complianceType };
    results.set(resourceKey(previous), previous);
  }
  return results;
}

/**
 * A change event's previous results: the changed resource's stored NON_COMPLIANT result under this
 * rule, all pages. Call it before this run's PutEvaluations, or Config already holds this run's verdict.
 */
export async function fetchPreviousResults(
  client: ConfigServiceClient,
  configRuleName: string,
  resource: { resourceType: string; resourceId: string },
): Promise<PreviousResults> {
  const results = new Map<string, PreviousResult>();
  const pages = paginateGetComplianceDetailsByResource(
    { client },
    { ResourceType: resource.resourceType, ResourceId: resource.resourceId, ComplianceTypes: ["NON_COMPLIANT"] },
  );
  for await (const page of pages) {
    for (const result of page.EvaluationResults ?? []) add(results, configRuleName, result);
  }
  return results;
}

function add(results: Map<string, PreviousResult>, configRuleName: string, result: EvaluationResult): void {
  const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
  if (!qualifier?.ResourceType || !qualifier.ResourceId || !result.ComplianceType) return;
  // Results by resource cover every rule that judged it.
  if (qualifier.ConfigRuleName && qualifier.ConfigRuleName !== configRuleName) return;
  const previous: PreviousResult = {
    resourceType: qualifier.ResourceType,
    resourceId: qualifier.ResourceId,
    complianceType: result.ComplianceType,
    recordedAt: result.ResultRecordedTime ?? result.EvaluationResultIdentifier?.OrderingTimestamp,
  };
  results.set(resourceKey(previous), previous);
}
