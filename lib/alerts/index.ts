import { Logger } from "@aws-lambda-powertools/logger";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { Evaluation, Severity } from "../engine/rule";
import { SNS_MAX_MESSAGE_BYTES } from "./bulletin";
import { buildDigest } from "./digest";
import type { PreviousResults } from "./previous-results";
import { alertsTopicArn, publishBulletin } from "./publish";
import { computeTransitions, type Transitions } from "./transitions";

export { type Bulletin, type BulletinSection, splitBulletin, SNS_MAX_MESSAGE_BYTES } from "./bulletin";
export { buildDigest, type DigestContext } from "./digest";
export { fetchPreviousResults, type PreviousResult, type PreviousResults, previousResultsOf, resourceKey } from "./previous-results";
export { alertsTopicArn, publishBulletin } from "./publish";
export { computeTransitions, type Transition, type TransitionOptions, type Transitions } from "./transitions";

const defaultLogger = new Logger({ serviceName: "ec2-config-rules", persistentKeys: { component: "alerts" } });

/** Reads the optional re-notify interval (minutes) from the environment; off when unset or 0. */
export function renotifyIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.ALERTS_RENOTIFY_MINUTES?.trim();
  if (!raw) return undefined;
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new Error(`ALERTS_RENOTIFY_MINUTES: expected a number of minutes >= 0, got "${raw}"`);
  }
  return minutes > 0 ? minutes * 60_000 : undefined;
}

export interface RuleRunAlertInput {
  sns: SNSClient;
  /** Defaults to ALERTS_TOPIC_ARN; without a topic nothing is published. */
  topicArn?: string;
  rule: { id: string; severity: Severity };
  configRuleName?: string;
  accountId: string;
  region: string;
  /** This run's evaluations (after exemptions). */
  evaluations: readonly Evaluation[];
  /** Config's results from before this run's PutEvaluations: see {@link previousResultsOf} and {@link fetchPreviousResults}. */
  previous: PreviousResults;
  now?: Date;
  renotifyIntervalMs?: number;
  isExempted?: (evaluation: Evaluation) => boolean;
  notes?: readonly string[];
  maxMessageBytes?: number;
  logger?: Logger;
}

export interface RuleRunAlertResult {
  transitions: Transitions;
  messageIds: string[];
}

/**
 * The alerting step of a rule run: compares this run with Config's previous results and
 * publishes one digest (in as many parts as SNS limits need) when something changed, nothing
 * otherwise.
 */
export async function alertOnRuleRun(input: RuleRunAlertInput): Promise<RuleRunAlertResult> {
  const logger = input.logger ?? defaultLogger;
  const now = input.now ?? new Date();
  const transitions = computeTransitions(input.evaluations, input.previous, {
    now,
    renotifyIntervalMs: input.renotifyIntervalMs,
    isExempted: input.isExempted,
  });
  const digest = buildDigest(transitions, {
    ruleId: input.rule.id,
    configRuleName: input.configRuleName,
    severity: input.rule.severity,
    accountId: input.accountId,
    region: input.region,
    runAt: now,
    notes: input.notes,
  });
  const counts = {
    newlyNonCompliant: transitions.newlyNonCompliant.length,
    backToCompliant: transitions.backToCompliant.length,
    reminders: transitions.reminders.length,
  };
  if (!digest) {
    logger.info("No compliance change; no alert", { ruleId: input.rule.id, ...counts });
    return { transitions, messageIds: [] };
  }
  const topicArn = input.topicArn ?? alertsTopicArn();
  if (!topicArn) {
    logger.warn("Compliance changed but ALERTS_TOPIC_ARN is not set; no alert sent", { ruleId: input.rule.id, ...counts });
    return { transitions, messageIds: [] };
  }
  const messageIds = await publishBulletin(input.sns, topicArn, digest, input.maxMessageBytes ?? SNS_MAX_MESSAGE_BYTES);
  logger.info("Compliance digest published", { ruleId: input.rule.id, ...counts, messages: messageIds.length });
  return { transitions, messageIds };
}
