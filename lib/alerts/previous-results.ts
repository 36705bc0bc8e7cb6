import {
  type ConfigServiceClient,
  type EvaluationResult,
  paginateGetComplianceDetailsByConfigRule,
  paginateGetComplianceDetailsByResource,
} from "@aws-sdk/client-config-service";

/** What AWS Config holds from the rule's earlier runs for one resource. */
export interface PreviousResult {
  resourceType: string;
  resourceId: string;
  complianceType: string;
  /** When Config recorded that result; drives the re-notify interval. */
  recordedAt?: Date;
}

/** Previous results keyed by {@link resourceKey}. */
export type PreviousResults = ReadonlyMap<string, PreviousResult>;

export const resourceKey = (resource: { resourceType: string; resourceId: string }): string =>
  `${resource.resourceType}|${resource.resourceId}`;

/**
 * The rule's stored NON_COMPLIANT results, all pages (only one resource's with `resource`). Only those are needed: a resource is
 * "newly" non-compliant when it is not among them, and "back to compliant" when it was. Call it
 * before this run's PutEvaluations, or Config already holds this run's verdicts.
 */
export async function fetchPreviousResults(
  client: ConfigServiceClient,
  configRuleName: string,
  resource?: { resourceType: string; resourceId: string },
): Promise<PreviousResults> {
  const results = new Map<string, PreviousResult>();
  // A change event judges one resource: its own results, not every failing resource of the rule.
  const pages = resource
    ? paginateGetComplianceDetailsByResource(
        { client },
        { ResourceType: resource.resourceType, ResourceId: resource.resourceId, ComplianceTypes: ["NON_COMPLIANT"] },
      )
    : paginateGetComplianceDetailsByConfigRule(
        { client, pageSize: 100 },
        { ConfigRuleName: configRuleName, ComplianceTypes: ["NON_COMPLIANT"] },
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
