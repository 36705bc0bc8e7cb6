import { Logger } from "@aws-lambda-powertools/logger";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { PreviousResults } from "../engine/previous";
import type { Evaluation, Severity } from "../engine/rule";
import { type AlertsOutcome, type DeliverInput, type DetectInput, deliverAlerts, recordTransitions } from "./outbox";
import { type AnnouncedStore, InvocationStore } from "./store";

export { type Bulletin, type BulletinSection, SNS_MAX_MESSAGE_BYTES, splitBulletin } from "./bulletin";
export { buildDigest, type DigestContext } from "./digest";
export { type AlertsOutcome, type AnnouncementEntry, describeAlerts } from "./outbox";
export { publishBulletin } from "./publish";
export type { Transition, Transitions } from "./transitions";

const defaultLogger = new Logger({ serviceName: "ec2-config-rules", persistentKeys: { component: "alerts" } });

export interface RuleRunAlertInput {
  sns: SNSClient;
  /** Without a topic nothing is published. */
  topicArn?: string;
  rule: { id: string; severity: Severity };
  configRuleName?: string;
  accountId: string;
  region: string;
  /** This run's evaluations (after exemptions). */
  evaluations: readonly Evaluation[];
  /** The rule's results from before this run's PutEvaluations (in the Lambda, Config's: lib/config/previous-results.ts). */
  previous: PreviousResults;
  now?: Date;
  renotifyIntervalMs?: number;
  isExempted?: (evaluation: Evaluation) => boolean;
  notes?: readonly string[];
  maxMessageBytes?: number;
  logger?: Logger;
}

/**
 * The alerting step of a rule run, in one call: compares this run with Config's previous results
 * and publishes one digest (in as many parts as SNS limits need) when something changed, nothing
 * otherwise. It keeps no state between calls; the Lambda keeps it in the announced-state table
 * (lib/lambda/around-put.ts), so that what SNS refused is retried by the next run.
 */
/** What a caller that remediates adds to alerting: its store, pending automations and their delivery. */
export interface RuleRunAlertDelivery
  extends Pick<DetectInput, "automation" | "runKey">,
    Pick<DeliverInput, "deadLetters" | "maxAttempts" | "startAutomation"> {
  /** Where announcements are kept between runs; without one, for this call only (Config's results are the memory). */
  store?: AnnouncedStore;
}

export async function alertOnRuleRun(input: RuleRunAlertInput, delivery: RuleRunAlertDelivery = {}): Promise<AlertsOutcome> {
  const store = delivery.store ?? new InvocationStore();
  const detected = await recordTransitions({
    store,
    scope: { ruleId: input.rule.id, accountId: input.accountId, region: input.region },
    evaluations: input.evaluations,
    previous: input.previous,
    now: input.now,
    renotifyIntervalMs: input.renotifyIntervalMs,
    isExempted: input.isExempted,
    automation: delivery.automation,
    runKey: delivery.runKey,
  });
  detected.notes.push(...(input.notes ?? []));
  const topicArn = input.topicArn;
  if (!topicArn && detected.fresh.size + detected.reminders.length > 0) {
    (input.logger ?? defaultLogger).warn("Compliance changed but ALERTS_TOPIC_ARN is not set; no alert sent", { ruleId: input.rule.id });
  }
  return deliverAlerts(detected, {
    store,
    sns: input.sns,
    topicArn,
    rule: input.rule,
    configRuleName: input.configRuleName,
    deadLetters: delivery.deadLetters,
    maxAttempts: delivery.maxAttempts,
    startAutomation: delivery.startAutomation,
    maxMessageBytes: input.maxMessageBytes,
    logger: input.logger ?? defaultLogger,
  });
}
