import {
  type ConfigServiceClient,
  paginateDescribeComplianceByConfigRule,
  paginateGetComplianceDetailsByConfigRule,
} from "@aws-sdk/client-config-service";
import { ACCOUNT_RESOURCE_TYPE, type ComplianceType, type Evaluation } from "../engine/rule";

const COMPLIANCE: ReadonlySet<string> = new Set(["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"]);

/** Where the stack's rules run, and the Config rule name of each rule id. */
export interface ConfigResultsScope {
  /** `{"<rule id>": "<Config rule name>"}`. */
  configRuleNames: Readonly<Record<string, string>>;
  region: string;
  accountId: string;
}

/** AWS Config's current results for the stack's rules, as evaluations: every page of both APIs. */
export async function readConfigResults(config: ConfigServiceClient, scope: ConfigResultsScope): Promise<Evaluation[]> {
  const { region, accountId } = scope;
  const ruleIdByName = new Map(Object.entries(scope.configRuleNames).map(([ruleId, name]) => [name, ruleId]));
  const names = [...ruleIdByName.keys()];
  const evaluations: Evaluation[] = [];
  // A rule with no results at all is INSUFFICIENT_DATA in Config: report it, never read it as compliant.
  const withoutResults: string[] = [];
  for await (const page of paginateDescribeComplianceByConfigRule({ client: config }, { ConfigRuleNames: names })) {
    for (const entry of page.ComplianceByConfigRules ?? []) {
      if (entry.ConfigRuleName && entry.Compliance?.ComplianceType === "INSUFFICIENT_DATA") withoutResults.push(entry.ConfigRuleName);
    }
  }
  for (const name of names) {
    const ruleId = ruleIdByName.get(name) as string;
    if (withoutResults.includes(name)) {
      evaluations.push({
        ruleId,
        resourceType: ACCOUNT_RESOURCE_TYPE,
        resourceId: accountId,
        region,
        accountId,
        complianceType: "INSUFFICIENT_DATA",
        annotation: `AWS Config has no results for rule ${name} yet`,
      });
      continue;
    }
    const pages = paginateGetComplianceDetailsByConfigRule(
      { client: config, pageSize: 100 },
      { ConfigRuleName: name, ComplianceTypes: ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"] },
    );
    for await (const page of pages) {
      for (const result of page.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        if (!qualifier?.ResourceId || !qualifier.ResourceType || !COMPLIANCE.has(result.ComplianceType ?? "")) continue;
        evaluations.push({
          ruleId,
          resourceType: qualifier.ResourceType,
          resourceId: qualifier.ResourceId,
          region,
          accountId,
          complianceType: result.ComplianceType as ComplianceType,
          annotation: result.Annotation ?? "",
        });
      }
    }
  }
  return evaluations;
}
