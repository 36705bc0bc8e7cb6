import type { Logger } from "@aws-lambda-powertools/logger";
import { automationStarter, isIrreversible, startDueReleases } from "../../remediation/automatic";
import { type AlertsOutcome, type DeadLetterSink, deliverAlerts, recordTransitions } from "../alerts/outbox";
import { type AnnouncedStore, DynamoDbStore, InvocationStore } from "../alerts/store";
import { dynamodbClient } from "../aws/dynamodb";
import { snsClient } from "../aws/sns";
import { fetchPreviousResults, previousResultsOf } from "../config/previous-results";
import type { BeforePutContext } from "../config/put-evaluations";
import type { PreviousResults } from "../engine/previous";
import type { AnyRule } from "../engine/rule";
import type { RuleFunctionSettings } from "./settings";

/** What the run reports about its alerts: the outcome, or why there were none. */
export type AlertsReport = AlertsOutcome | { skipped: string };

/** Called before PutEvaluations; returns what to do once the evaluations are posted. */
export type BeforePut = (context: BeforePutContext) => Promise<(() => Promise<AlertsReport>) | { skipped: string }>;

/**
 * The Lambda's alerting and automatic-remediation step, in two halves around PutEvaluations.
 * Before: Config's previous results and the announced-state table (ALERTS_TABLE) are read, and
 * every change is recorded there as pending; a failure here fails the invocation, with nothing
 * posted, so that no change is lost. After: the outbox is drained (automations started, one
 * digest published, the rest left for the next run or sent to the dead-letter queue). Off in
 * TestMode, and when neither ALERTS_TOPIC_ARN nor automatic remediation is configured.
 */
export function alertsAroundPut(rule: AnyRule, logger: Logger, settings: RuleFunctionSettings): BeforePut {
  return async (context) => {
    const { topicArn, tableName, renotifyIntervalMs, maxAttempts } = settings.alerts;
    const remediation = settings.remediation;
    const automatic = remediation?.settings.mode === "automatic";
    // Releases are judged every run from how long an address has been unassociated, never on the change itself.
    const irreversible = automatic && isIrreversible(rule.meta.id);
    if (context.testMode) return { skipped: "TestMode" };
    if (!topicArn && !automatic) return { skipped: "no ALERTS_TOPIC_ARN" };
    if (!context.configRuleName) {
      logger.error("alerts skipped: the event names no configRuleName to read previous results from");
      return { skipped: "the event names no configRuleName" };
    }
    const configRuleName = context.configRuleName;
    const clients = context.clients(settings.region || context.region);
    const store: AnnouncedStore = tableName ? new DynamoDbStore(dynamodbClient(clients), tableName) : new InvocationStore();
    let previous: PreviousResults;
    if (context.stored) previous = previousResultsOf(context.stored);
    else if (context.subject) previous = await fetchPreviousResults(context.config, configRuleName, context.subject);
    else throw new Error("alerts: neither stored results (periodic run) nor a changed resource (change event)");
    let detected: Awaited<ReturnType<typeof recordTransitions>>;
    try {
      detected = await recordTransitions({
        store,
        scope: { ruleId: rule.meta.id, accountId: context.accountId, region: context.region },
        previous,
        evaluations: context.evaluations,
        subject: context.subject,
        renotifyIntervalMs,
        automation: automatic && !irreversible ? { cap: remediation.settings.cap } : undefined,
        runKey: context.resultToken,
      });
    } catch (error) {
      throw new Error(`alerts: could not record this run's compliance changes in table ${tableName}: ${(error as Error).message}`);
    }
    return async () => {
      try {
        // Loaded only where automations start or announcements are given up on: the Lambda bundle leaves SSM and SQS to the runtime's SDK (serverless.yml).
        const ssm = automatic ? (await import("../aws/ssm")).ssmClient(clients) : undefined;
        const queueUrl = settings.alerts.deadLetterQueueUrl;
        const deadLetters: DeadLetterSink | undefined = queueUrl
          ? {
              send: async (letters) => {
                const [{ sqsClient }, { SqsDeadLetters }] = await Promise.all([import("../aws/sqs"), import("../alerts/dead-letters")]);
                await new SqsDeadLetters(sqsClient(clients), queueUrl).send(letters);
              },
            }
          : undefined;
        const releases =
          irreversible && remediation
            ? await startDueReleases(
                { ruleId: rule.meta.id, evaluations: context.evaluations, previous, ssm, runKey: context.resultToken, logger },
                remediation,
              )
            : { notes: [], started: [] };
        detected.notes.push(...releases.notes);
        const outcome = await deliverAlerts(detected, {
          store,
          sns: snsClient(clients),
          topicArn,
          rule: { id: rule.meta.id, severity: rule.meta.severity },
          configRuleName,
          deadLetters,
          maxAttempts,
          startAutomation: ssm && remediation && !irreversible ? automationStarter(rule.meta.id, ssm, remediation, logger) : undefined,
          logger,
        });
        outcome.automations.started.push(...releases.started);
        return outcome;
      } catch (error) {
        logger.error("alerting or automatic remediation failed after the evaluations were posted", { error: error as Error });
        return { skipped: `failed: ${(error as Error).message}` };
      }
    };
  };
}
