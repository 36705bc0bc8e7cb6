import type { Logger } from "@aws-lambda-powertools/logger";
import type { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { AwsClients } from "../aws/clients";
import { snsClient } from "../aws/sns";
import type { StoredResult } from "../config/stored-results";
import type { AnyRule, Evaluation } from "../engine/rule";
import { followUpRuleRun, remediationFromEnv } from "../../remediation/automatic";
import { renotifyIntervalFromEnv } from "./index";
import { fetchPreviousResults, type PreviousResults, previousResultsOf } from "./previous-results";
import { alertsTopicArn } from "./publish";

/** What a rule run knows just before PutEvaluations. */
export interface BeforePutContext {
  /** The client PutEvaluations uses (the assumed role's, in cross-account mode): previous results are read with it. */
  config: ConfigServiceClient;
  configRuleName?: string;
  region: string;
  accountId: string;
  testMode: boolean;
  /** Config's result token: the same on a retried invocation, so automations are not started twice. */
  resultToken: string;
  /** The resource of a change event. */
  subject?: { resourceType: string; resourceId: string };
  /** A periodic run's stored results, already read for its stale-result cleanup: the previous results come from them. */
  stored?: readonly StoredResult[];
}

/** Called before PutEvaluations; returns what to do once the evaluations are posted. */
export type BeforePut = (context: BeforePutContext) => Promise<((evaluations: readonly Evaluation[]) => Promise<void>) | undefined>;

/**
 * The Lambda's alerting and automatic-remediation step, in two halves around PutEvaluations:
 * Config's previous results are read before this run's verdicts replace them, and the digest
 * (and, in automatic mode, the automations) follow once they are posted. Off in TestMode, and
 * when neither ALERTS_TOPIC_ARN nor automatic remediation is configured. A failure here is
 * logged and never fails the run: the verdicts are already stored, and a retried invocation
 * would find no change left to announce.
 */
export function alertsAroundPut(rule: AnyRule, logger: Logger, env: NodeJS.ProcessEnv = process.env): BeforePut {
  return async (context) => {
    const topicArn = alertsTopicArn(env);
    const remediation = remediationFromEnv(rule.meta.id, env);
    const automatic = remediation?.settings.mode === "automatic";
    if (context.testMode || (!topicArn && !automatic)) return undefined;
    if (!context.configRuleName) {
      logger.error("alerts skipped: the event names no configRuleName to read previous results from");
      return undefined;
    }
    const configRuleName = context.configRuleName;
    const renotifyIntervalMs = renotifyIntervalFromEnv(env);
    let previous: PreviousResults;
    try {
      if (context.stored) previous = previousResultsOf(context.stored);
      else if (context.subject) previous = await fetchPreviousResults(context.config, configRuleName, context.subject);
      else throw new Error("neither stored results (periodic run) nor a changed resource (change event)");
    } catch (error) {
      logger.error("alerts skipped: could not read the rule's previous results", { error: error as Error });
      return undefined;
    }
    return async (evaluations) => {
      const clients = new AwsClients({ region: context.region });
      try {
        await followUpRuleRun({
          sns: snsClient(clients),
          // Loaded only where automations start; the Lambda bundle leaves SSM to the runtime's SDK (serverless.yml).
          ssm: automatic ? (await import("../aws/ssm")).ssmClient(clients) : undefined,
          topicArn,
          rule: { id: rule.meta.id, severity: rule.meta.severity },
          configRuleName,
          accountId: context.accountId,
          region: context.region,
          evaluations,
          previous,
          renotifyIntervalMs,
          remediation,
          runKey: context.resultToken,
          logger,
        });
      } catch (error) {
        logger.error("alerting or automatic remediation failed after the evaluations were posted", { error: error as Error });
      }
    };
  };
}
