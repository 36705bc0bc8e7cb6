import type { SSMClient } from "@aws-sdk/client-ssm";
import { alertOnRuleRun, computeTransitions, type RuleRunAlertInput, type RuleRunAlertResult } from "../lib/alerts";
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
  /** Identifies the run (Config's result token and notification time), so a retried invocation starts nothing twice. */
  runKey: string;
}

/**
 * What a rule run does after PutEvaluations: in automatic mode, start the automation for newly
 * non-compliant resources within the cap, then publish the digest (which says when the cap
 * stopped remediation).
 */
export async function followUpRuleRun(input: RuleRunFollowUp): Promise<RuleRunAlertResult & { automations: string[] }> {
  const notes = [...(input.notes ?? [])];
  const automations: string[] = [];
  const remediation = input.remediation;
  if (remediation?.settings.mode === "automatic") {
    if (!input.ssm || !remediation.assumeRoleArn) throw new Error("automatic remediation needs an SSM client and REMEDIATION_ROLE_ARN");
    const { newlyNonCompliant } = computeTransitions(input.evaluations, input.previous, { now: input.now, isExempted: input.isExempted });
    if (newlyNonCompliant.length > 0) {
      // Loaded only when automations start: the Lambda bundle leaves SSM to the runtime's SDK (serverless.yml).
      const { startAutomations } = await import("./ssm/start");
      const result = await startAutomations({
        ssm: input.ssm,
        ruleId: input.rule.id,
        resourceIds: newlyNonCompliant.map((transition) => transition.evaluation.resourceId),
        assumeRoleArn: remediation.assumeRoleArn,
        cap: remediation.settings.cap,
        documentPrefix: remediation.documentPrefix,
        runKey: input.runKey,
        logger: input.logger,
      });
      if (result.note) notes.push(result.note);
      for (const started of result.started) automations.push(started.resourceId);
      if (automations.length > 0) notes.push(`Automatic remediation started for ${automations.join(", ")}.`);
    }
  }
  const alert = await alertOnRuleRun({ ...input, notes });
  return { ...alert, automations };
}
