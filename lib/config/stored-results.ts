import { type ComplianceType, type ConfigServiceClient, paginateGetComplianceDetailsByConfigRule } from "@aws-sdk/client-config-service";

/** A result AWS Config holds under the rule, from its earlier runs. */
export interface StoredResult {
  resourceType: string;
  resourceId: string;
  complianceType?: ComplianceType;
  /** When Config recorded it; drives the alerts' re-notify interval. */
  recordedAt?: Date;
}

/**
 * Every COMPLIANT and NON_COMPLIANT result Config holds under the rule, all pages. A periodic run
 * reads them once, before its PutEvaluations: the stale-result cleanup and the alerts both work
 * from this list.
 */
export async function readStoredResults(config: ConfigServiceClient, configRuleName: string): Promise<StoredResult[]> {
  const stored: StoredResult[] = [];
  const pages = paginateGetComplianceDetailsByConfigRule(
    { client: config, pageSize: 100 },
    { ConfigRuleName: configRuleName, ComplianceTypes: ["COMPLIANT", "NON_COMPLIANT"] },
  );
  for await (const page of pages) {
    for (const result of page.EvaluationResults ?? []) {
      const identifier = result.EvaluationResultIdentifier;
      const qualifier = identifier?.EvaluationResultQualifier;
      if (!qualifier?.ResourceType || !qualifier.ResourceId) continue;
      stored.push({
        resourceType: qualifier.ResourceType,
        resourceId: qualifier.ResourceId,
        complianceType: result.ComplianceType,
        recordedAt: result.ResultRecordedTime ?? identifier?.OrderingTimestamp,
      });
    }
  }
  return stored;
}
