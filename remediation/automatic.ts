import type { SSMClient } from "@aws-sdk/client-ssm";
import { alertOnRuleRun, computeTransitions, type PreviousResults, resourceKey, type RuleRunAlertInput, type RuleRunAlertResult } from "../lib/alerts";
import type { Evaluation } from "../lib/engine/rule";
import { automationFor, parseRemediationSettings, type RuleRemediationSettings } from "./ssm";

/**
 * A rule function's remediation settings from its environment: REMEDIATION_MODE
 * (manual | automatic | config-automatic), REMEDIATION_CAP, REMEDIATION_ROLE_ARN (the
 * Automation role), REMEDIATION_DOCUMENT_PREFIX, and for eip-attached REMEDIATION_ALLOW_RELEASE
 * and REMEDIATION_RELEASE_AFTER_DAYS.
 */
export function remediationFromEnv(ruleId: string, env: NodeJS.ProcessEnv = process.env) {
  const raw: Record<string, unknown> = {};
  if (env.REMEDIATION_MODE) raw.mode = env.REMEDIATION_MODE;
  if (env.REMEDIATION_CAP) raw.cap = Number(env.REMEDIATION_CAP);
  if (env.REMEDIATION_ALLOW_RELEASE) raw.allowRelease = env.REMEDIATION_ALLOW_RELEASE === "true";
  if (env.REMEDIATION_RELEASE_AFTER_DAYS) raw.releaseAfterDays = Number(env.REMEDIATION_RELEASE_AFTER_DAYS);
  if (Object.keys(raw).length === 0) return undefined;
  const settings = parseRemediationSettings({ [ruleId]: raw }, "REMEDIATION_* environment")[ruleId] as RuleRemediationSettings;
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

const DAY_MS = 86_400_000;

/**
 * Which non-compliant resources an irreversible fix (eip-attached's release) may start on, judged
 * from Config's stored results: a newly non-compliant address was associated (or not judged) at
 * its last result, so it is left alone; one whose stored NON_COMPLIANT result is older than
 * releaseAfterDays is started, and the document re-checks the disassociation tag itself.
 */
export function releaseCandidates(
  evaluations: readonly Evaluation[],
  previous: PreviousResults,
  now: Date,
  releaseAfterDays: number,
): { due: { resourceId: string; unassociatedSince: Date }[]; waiting: string[] } {
  const due: { resourceId: string; unassociatedSince: Date }[] = [];
  const waiting: string[] = [];
  for (const evaluation of evaluations) {
    if (evaluation.complianceType !== "NON_COMPLIANT") continue;
    const before = previous.get(resourceKey(evaluation));
    const since = before?.complianceType === "NON_COMPLIANT" ? before.recordedAt : undefined;
    if (since && now.getTime() - since.getTime() >= releaseAfterDays * DAY_MS) due.push({ resourceId: evaluation.resourceId, unassociatedSince: since });
    else waiting.push(evaluation.resourceId);
  }
  return { due, waiting };
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
    let resourceIds = newlyNonCompliant.map((transition) => transition.evaluation.resourceId);
    let extraParameters: ((resourceId: string) => Record<string, string[]>) | undefined;
    if (automationFor(input.rule.id)?.irreversible) {
      const judged = input.evaluations.filter((evaluation) => !input.isExempted?.(evaluation));
      const { due, waiting } = releaseCandidates(judged, input.previous, input.now ?? new Date(), remediation.settings.releaseAfterDays);
      resourceIds = due.map((candidate) => candidate.resourceId);
      const since = new Map(due.map((candidate) => [candidate.resourceId, candidate.unassociatedSince.toISOString()]));
      extraParameters = (resourceId) => ({ UnassociatedSince: [since.get(resourceId) ?? ""], ReleaseAfterDays: [String(remediation.settings.releaseAfterDays)] });
      if (waiting.length > 0) {
        notes.push(
          `Not released (yet): ${waiting.join(", ")}: Config's stored results do not show them unassociated for releaseAfterDays=${remediation.settings.releaseAfterDays} day(s).`,
        );
      }
    }
    if (resourceIds.length > 0) {
      // Loaded only when automations start: the Lambda bundle leaves SSM to the runtime's SDK (serverless.yml).
      const { startAutomations } = await import("./ssm/start");
      const result = await startAutomations({
        ssm: input.ssm,
        ruleId: input.rule.id,
        resourceIds,
        extraParameters,
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
