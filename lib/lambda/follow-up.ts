import type { SSMClient } from "@aws-sdk/client-ssm";
import { type AutomaticRemediation, automationStarter, isIrreversible, startDueReleases } from "../../remediation/automatic";
import { alertOnRuleRun, type RuleRunAlertInput } from "../alerts";
import type { AlertsOutcome, DeadLetterSink } from "../alerts/outbox";
import type { AnnouncedStore } from "../alerts/store";

export interface RuleRunFollowUp extends RuleRunAlertInput {
  ssm?: SSMClient;
  remediation?: AutomaticRemediation;
  /** Where announcements are kept between runs; without one, for this call only (Config's results are the memory). */
  store?: AnnouncedStore;
  deadLetters?: DeadLetterSink;
  maxAttempts?: number;
  /** Identifies the run (Config's result token and notification time), so a retried invocation starts nothing twice. */
  runKey?: string;
}

/**
 * What a rule run does after PutEvaluations, in one call: records the changes, starts the
 * automation of newly non-compliant resources within the cap (automatic mode), then publishes the
 * digest (which says when the cap stopped remediation): the alerts sink and the remediation sink,
 * composed here as the Lambda composes them around PutEvaluations (around-put.ts).
 */
export async function followUpRuleRun(input: RuleRunFollowUp): Promise<AlertsOutcome> {
  const remediation = input.remediation;
  const automatic = remediation?.settings.mode === "automatic";
  if (automatic && (!input.ssm || !remediation.assumeRoleArn))
    throw new Error("automatic remediation needs an SSM client and REMEDIATION_ROLE_ARN");
  const irreversible = automatic && isIrreversible(input.rule.id);
  const releases = irreversible ? await startDueReleases({ ...input, ruleId: input.rule.id }, remediation) : { notes: [], started: [] };
  const outcome = await alertOnRuleRun(
    { ...input, notes: [...(input.notes ?? []), ...releases.notes] },
    {
      store: input.store,
      automation: automatic && !irreversible ? { cap: remediation.settings.cap } : undefined,
      runKey: input.runKey,
      deadLetters: input.deadLetters,
      maxAttempts: input.maxAttempts,
      startAutomation:
        automatic && !irreversible && input.ssm ? automationStarter(input.rule.id, input.ssm, remediation, input.logger) : undefined,
    },
  );
  outcome.automations.started.push(...releases.started);
  return outcome;
}
