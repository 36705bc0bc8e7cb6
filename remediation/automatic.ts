import type { SSMClient } from "@aws-sdk/client-ssm";
import { alertsTopicArn, type RuleRunAlertInput } from "../lib/alerts";
import { type AlertsOutcome, type DeadLetterSink, deliverAlerts, recordTransitions } from "../lib/alerts/outbox";
import { type AlertRecord, type AnnouncedStore, InvocationStore } from "../lib/alerts/store";
import { parseRemediationSettings, type RuleRemediationSettings } from "./ssm";

/**
 * A rule function's remediation settings from its environment: REMEDIATION_MODE
 * (manual | automatic | config-automatic), REMEDIATION_CAP, REMEDIATION_ROLE_ARN (the
 * Automation role) and REMEDIATION_DOCUMENT_PREFIX.
 */
export function remediationFromEnv(ruleId: string, env: NodeJS.ProcessEnv = process.env) {
  const raw: Record<string, unknown> = {};
  if (env.REMEDIATION_MODE) raw.mode = env.REMEDIATION_MODE;
  if (env.REMEDIATION_CAP) raw.cap = Number(env.REMEDIATION_CAP);
  if (Object.keys(raw).length === 0) return undefined;
  const settings = parseRemediationSettings({ [ruleId]: raw }, "REMEDIATION_MODE/REMEDIATION_CAP")[ruleId] as RuleRemediationSettings;
  return { settings, assumeRoleArn: env.REMEDIATION_ROLE_ARN, documentPrefix: env.REMEDIATION_DOCUMENT_PREFIX };
}

export interface RuleRunFollowUp extends RuleRunAlertInput {
  ssm?: SSMClient;
  remediation?: {
    settings: RuleRemediationSettings;
    assumeRoleArn?: string;
    documentPrefix?: string;
  };
  /** Where announcements are kept between runs; without one, for this call only (Config's results are the memory). */
  store?: AnnouncedStore;
  deadLetters?: DeadLetterSink;
  maxAttempts?: number;
  /** Identifies the run (Config's result token and notification time), so a retried invocation starts nothing twice. */
  runKey?: string;
}

/** Starts a pending record's automation, its idempotency token derived from the rule, the resource and the run that detected the change. */
export function automationStarter(
  ruleId: string,
  ssm: SSMClient,
  remediation: NonNullable<RuleRunFollowUp["remediation"]>,
  logger?: RuleRunFollowUp["logger"],
): (record: AlertRecord) => Promise<{ executionId?: string }> {
  const assumeRoleArn = remediation.assumeRoleArn;
  if (!assumeRoleArn) throw new Error("automatic remediation needs REMEDIATION_ROLE_ARN");
  return async (record) => {
    // Loaded only when automations start: the Lambda bundle leaves SSM to the runtime's SDK (serverless.yml).
    const { startAutomation } = await import("./ssm/start");
    return startAutomation({
      ssm,
      ruleId,
      resourceId: record.resourceId,
      assumeRoleArn,
      documentPrefix: remediation.documentPrefix,
      key: `${ruleId}|${record.resourceId}|${record.runKey ?? record.detectedAt}`,
      logger,
    });
  };
}

/**
 * What a rule run does after PutEvaluations, in one call: records the changes, starts the
 * automation of newly non-compliant resources within the cap (automatic mode), then publishes the
 * digest (which says when the cap stopped remediation). The Lambda splits it around PutEvaluations
 * (lib/alerts/after-run).
 */
export async function followUpRuleRun(input: RuleRunFollowUp): Promise<AlertsOutcome> {
  const remediation = input.remediation;
  const automatic = remediation?.settings.mode === "automatic";
  if (automatic && (!input.ssm || !remediation.assumeRoleArn)) throw new Error("automatic remediation needs an SSM client and REMEDIATION_ROLE_ARN");
  const store = input.store ?? new InvocationStore();
  const detected = await recordTransitions({
    store,
    scope: { ruleId: input.rule.id, accountId: input.accountId, region: input.region },
    evaluations: input.evaluations,
    previous: input.previous,
    now: input.now,
    renotifyIntervalMs: input.renotifyIntervalMs,
    isExempted: input.isExempted,
    automation: automatic ? { cap: remediation.settings.cap } : undefined,
    runKey: input.runKey,
  });
  detected.notes.push(...(input.notes ?? []));
  return deliverAlerts(detected, {
    store,
    sns: input.sns,
    topicArn: input.topicArn ?? alertsTopicArn(),
    rule: input.rule,
    configRuleName: input.configRuleName,
    deadLetters: input.deadLetters,
    maxAttempts: input.maxAttempts,
    startAutomation: automatic && input.ssm ? automationStarter(input.rule.id, input.ssm, remediation, input.logger) : undefined,
    maxMessageBytes: input.maxMessageBytes,
    logger: input.logger,
  });
}
