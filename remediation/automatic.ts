import type { Logger } from "@aws-lambda-powertools/logger";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { type PreviousResults, resourceKey } from "../lib/engine/previous";
import type { Evaluation } from "../lib/engine/rule";
import { automationFor, parseRemediationSettings, type RuleRemediationSettings } from "./ssm";

/** A rule function's remediation settings as its environment gives them (lib/lambda/settings.ts reads it). */
export interface RemediationInput {
  /** manual | automatic | config-automatic */
  mode?: string;
  cap?: number;
  /** eip-attached only. */
  allowRelease?: boolean;
  /** eip-attached only. */
  releaseAfterDays?: number;
  /** The Automation role. */
  assumeRoleArn?: string;
  documentPrefix?: string;
}

/**
 * The rule's remediation settings, validated against its automatic fix (REMEDIATION_MODE,
 * REMEDIATION_CAP, and for eip-attached REMEDIATION_ALLOW_RELEASE and REMEDIATION_RELEASE_AFTER_DAYS);
 * undefined when none is given.
 */
export function automaticRemediationOf(ruleId: string, input: RemediationInput): AutomaticRemediation | undefined {
  const raw: Record<string, unknown> = {};
  if (input.mode !== undefined) raw.mode = input.mode;
  if (input.cap !== undefined) raw.cap = input.cap;
  if (input.allowRelease !== undefined) raw.allowRelease = input.allowRelease;
  if (input.releaseAfterDays !== undefined) raw.releaseAfterDays = input.releaseAfterDays;
  if (Object.keys(raw).length === 0) return undefined;
  const settings = parseRemediationSettings({ [ruleId]: raw }, "REMEDIATION_* environment")[ruleId] as RuleRemediationSettings;
  return { settings, assumeRoleArn: input.assumeRoleArn, documentPrefix: input.documentPrefix };
}

/** How a rule function starts its automations (automaticRemediationOf). */
export interface AutomaticRemediation {
  settings: RuleRemediationSettings;
  assumeRoleArn?: string;
  documentPrefix?: string;
}

/** A newly non-compliant resource whose automation is due: the run that detected it makes the start idempotent. */
export interface DueAutomation {
  resourceId: string;
  detectedAt: string;
  runKey?: string;
}

/** Starts a pending record's automation, its idempotency token derived from the rule, the resource and the run that detected the change. */
export function automationStarter(
  ruleId: string,
  ssm: SSMClient,
  remediation: AutomaticRemediation,
  logger?: Logger,
): (record: DueAutomation) => Promise<{ executionId?: string }> {
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
    if (since && now.getTime() - since.getTime() >= releaseAfterDays * DAY_MS)
      due.push({ resourceId: evaluation.resourceId, unassociatedSince: since });
    else waiting.push(evaluation.resourceId);
  }
  return { due, waiting };
}

/** Whether the rule's automatic fix cannot be undone (eip-attached's release). */
export const isIrreversible = (ruleId: string): boolean => automationFor(ruleId)?.irreversible === true;

export interface DueReleasesInput {
  ruleId: string;
  evaluations: readonly Evaluation[];
  previous: PreviousResults;
  now?: Date;
  isExempted?: (evaluation: Evaluation) => boolean;
  ssm?: SSMClient;
  runKey?: string;
  logger?: Logger;
}

/**
 * An irreversible fix (eip-attached's release) is not edge-triggered like the others: each run
 * starts it for the addresses whose stored NON_COMPLIANT result is old enough (the document then
 * re-checks the disassociation tag), within the cap; an address not due yet is named in the digest.
 * Being re-judged every run, a start that fails is simply tried again by the next run.
 */
export async function startDueReleases(
  input: DueReleasesInput,
  remediation: AutomaticRemediation,
): Promise<{ notes: string[]; started: string[] }> {
  const notes: string[] = [];
  const judged = input.evaluations.filter((evaluation) => !input.isExempted?.(evaluation));
  const { releaseAfterDays } = remediation.settings;
  const { due, waiting } = releaseCandidates(judged, input.previous, input.now ?? new Date(), releaseAfterDays);
  if (waiting.length > 0) {
    notes.push(
      `Not released (yet): ${waiting.join(", ")}: Config's stored results do not show them unassociated for releaseAfterDays=${releaseAfterDays} day(s).`,
    );
  }
  if (due.length === 0 || !input.ssm || !remediation.assumeRoleArn) return { notes, started: [] };
  const since = new Map(due.map((candidate) => [candidate.resourceId, candidate.unassociatedSince.toISOString()]));
  // Loaded only when automations start: the Lambda bundle leaves SSM to the runtime's SDK (serverless.yml).
  const { startAutomations } = await import("./ssm/start");
  const result = await startAutomations({
    ssm: input.ssm,
    ruleId: input.ruleId,
    resourceIds: due.map((candidate) => candidate.resourceId),
    extraParameters: (resourceId) => ({ UnassociatedSince: [since.get(resourceId) ?? ""], ReleaseAfterDays: [String(releaseAfterDays)] }),
    assumeRoleArn: remediation.assumeRoleArn,
    cap: remediation.settings.cap,
    documentPrefix: remediation.documentPrefix,
    runKey: input.runKey ?? "",
    logger: input.logger,
  });
  if (result.note) notes.push(result.note);
  const started = result.started.map((entry) => entry.resourceId);
  if (started.length > 0) notes.push(`Automatic release started for ${started.join(", ")}.`);
  return { notes, started };
}
