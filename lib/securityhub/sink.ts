import type { Logger } from "@aws-lambda-powertools/logger";
import type { AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { toAsffFinding } from "../asff/finding";
import type { AwsClients } from "../aws/clients";
import type { FindingImporter } from "../aws/securityhub";
import { fetchPreviousResults, previousResultsOf } from "../config/previous-results";
import type { BeforePutContext } from "../config/put-evaluations";
import { type PreviousResults, resourceKey } from "../engine/previous";
import type { AnyRule, Evaluation } from "../engine/rule";
import { isExempted } from "../exemptions/exemptions";

/** The stage parameter securityHub.enabled, as the stack passes it to each rule function. */

/**
 * The findings whose Security Hub state this run changed, from the same comparison alerts make
 * (lib/alerts/transitions): newly non-compliant (FAILED), back to compliant (PASSED), and failing
 * before but now not applicable: exempted (SUPPRESSED) or gone / out of scope (ARCHIVED). Anything
 * else is what Security Hub already holds, so it is not imported again.
 */
export function changedFindings(
  rule: AnyRule,
  evaluations: readonly Evaluation[],
  previous: PreviousResults,
  now: Date = new Date(),
): AwsSecurityFinding[] {
  const updatedAt = now.toISOString();
  const meta = { id: rule.meta.id, description: rule.meta.description, severity: rule.meta.severity, controls: rule.meta.controls };
  const finding = (evaluation: Evaluation, since: Date | undefined, state: { exempted?: boolean; archived?: boolean } = {}) =>
    toAsffFinding({
      evaluation,
      rule: meta,
      // An update keeps the failing finding's creation time: when Config recorded it as non-compliant.
      createdAt: (since ?? now).toISOString(),
      updatedAt,
      exempted: state.exempted ?? false,
      archived: state.archived,
    });

  const findings: AwsSecurityFinding[] = [];
  const seen = new Set<string>();
  for (const evaluation of evaluations) {
    const key = resourceKey(evaluation);
    // A run can hold one resource twice (Config keeps the last); judge it once.
    if (seen.has(key)) continue;
    seen.add(key);
    const before = previous.get(key);
    const wasFailing = before?.complianceType === "NON_COMPLIANT";
    if (evaluation.complianceType === "NON_COMPLIANT" && !wasFailing) findings.push(finding(evaluation, undefined));
    else if (evaluation.complianceType === "COMPLIANT" && wasFailing) findings.push(finding(evaluation, before.recordedAt));
    else if (evaluation.complianceType === "NOT_APPLICABLE" && wasFailing) {
      const exempted = isExempted(evaluation);
      findings.push(finding(evaluation, before.recordedAt, exempted ? { exempted } : { archived: true }));
    }
  }
  return findings;
}

/** Called before PutEvaluations; returns the import to run once the evaluations are posted. */
export type SecurityHubStep = (context: BeforePutContext) => Promise<((evaluations: readonly Evaluation[]) => Promise<void>) | undefined>;

/**
 * The Lambda's Security Hub step, around PutEvaluations like alerts: previous results are read
 * before this run's verdicts replace them, and the changed findings imported once they are posted.
 * Off unless SECURITY_HUB_ENABLED is "true", and in TestMode. A failed import (the call, or
 * findings Security Hub refused) is logged as an error and never fails the run: the verdicts are
 * already stored in Config.
 */
export function securityHubAroundPut(
  rule: AnyRule,
  logger: Logger,
  enabled: boolean,
  makeImporter: (clients: AwsClients) => Promise<FindingImporter> = async (clients) =>
    // Loaded only where the sink is on: the Lambda bundle leaves Security Hub to the runtime's SDK (serverless.yml).
    (await import("../aws/securityhub")).findingImporter(clients),
): SecurityHubStep {
  return async (context) => {
    if (!enabled || context.testMode) return undefined;
    let previous: PreviousResults;
    try {
      if (context.stored) previous = previousResultsOf(context.stored);
      else if (context.subject && context.configRuleName) {
        previous = await fetchPreviousResults(context.config, context.configRuleName, context.subject);
      } else throw new Error("neither stored results (periodic run) nor a changed resource and configRuleName (change event)");
    } catch (error) {
      logger.error("Security Hub import skipped: could not read the rule's previous results", { error: error as Error });
      return undefined;
    }
    return async (evaluations) => {
      const findings = changedFindings(rule, evaluations, previous);
      if (findings.length === 0) return;
      try {
        const importFindings = await makeImporter(context.clients(context.region));
        const result = await importFindings(findings);
        if (result.failed.length > 0) {
          logger.error("Security Hub refused findings", {
            securityHub: { imported: result.imported, failedCount: result.failed.length, failed: result.failed.slice(0, 10) },
          });
        } else {
          logger.info("findings imported into Security Hub", { securityHub: { imported: result.imported, calls: result.calls } });
        }
      } catch (error) {
        logger.error("Security Hub import failed after the evaluations were posted", {
          error: error as Error,
          securityHub: { findings: findings.length },
        });
      }
    };
  };
}
