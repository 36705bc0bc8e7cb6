import { Logger } from "@aws-lambda-powertools/logger";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { AnyRule, ComplianceType, Evaluation } from "../lib/engine/rule";
import { parseRuleParameters } from "../lib/engine/rule";
import { runRules } from "../lib/engine/run";
import { ExemptionPolicy } from "../lib/exemptions/exemptions";
import { kindOfConfigType } from "../lib/model/kinds";
import type { ResourceModel } from "../lib/model/resource-model";
import { DEFAULT_REMEDIATION_CAP } from "./cap";
import { dryRun, errorCode, errorMessage, isGone, sendCall } from "./ec2-calls";
import { collectAround } from "./fresh-model";
import { fixesOf, planContext, type RemediationPlan } from "./plan";
import { remediationFor } from "./registry";
import type { PlanContext, PlannedAction, PlannedCall } from "./types";

/**
 * - applied: the calls were made;
 * - already-compliant / gone: nothing to do any more (a second run, a resource deleted since the plan): success;
 * - exempted: the resource is exempt now; never touched;
 * - skipped: the re-check found a reason not to act (now in use, now referenced…);
 * - unauthorized: the dry run showed a missing permission; nothing was changed;
 * - failed: a call failed;
 * - over-cap: more fixes than the cap; nothing was applied in this run.
 */
export type OutcomeStatus = "applied" | "already-compliant" | "gone" | "exempted" | "skipped" | "unauthorized" | "failed" | "over-cap";

export interface CallRecord extends PlannedCall {
  dryRun?: string;
  result?: string;
}

export interface ActionOutcome {
  resourceType: string;
  resourceId: string;
  status: OutcomeStatus;
  detail: string;
  calls: CallRecord[];
  /** The rule's verdict on a fresh read after applying; "deleted" when the resource is gone. */
  after?: ComplianceType | "deleted";
  afterAnnotation?: string;
}

export interface RemediationReport {
  ruleId: string;
  accountId: string;
  region: string;
  cap: number;
  capExceeded: boolean;
  /** Why nothing was applied, when so. */
  note?: string;
  outcomes: ActionOutcome[];
  /** Actions the plan left to a person, or skipped, with their reasons. */
  notApplied: PlannedAction[];
}

export interface ApplyOptions {
  ec2: EC2Client;
  rule: AnyRule;
  plan: RemediationPlan;
  params?: Record<string, unknown>;
  exemptions?: ExemptionPolicy;
  /** Most fixes one run may apply; with more, none is applied. Default 10. */
  cap?: number;
  /** The re-plan's grace period and outside evidence; its time is always the time of the apply. */
  context?: Omit<Partial<PlanContext>, "now">;
  logger?: Logger;
}

const defaultLogger = new Logger({ serviceName: "ec2-config-rules", persistentKeys: { component: "remediation" } });

/**
 * Applies a plan's fixes, each only after re-reading the resource live and re-judging it with the
 * rule (the plan may be stale), dry-running every call, then re-evaluating it. Every action is
 * written as an audit log record. Within the cap, or not at all.
 */
export async function applyRemediation(options: ApplyOptions): Promise<RemediationReport> {
  const logger = options.logger ?? defaultLogger;
  const cap = options.cap ?? DEFAULT_REMEDIATION_CAP;
  const fixes = fixesOf(options.plan);
  const notApplied = options.plan.actions.filter((action) => action.status !== "fix");
  const first = options.plan.actions[0];
  const report: RemediationReport = {
    ruleId: options.rule.meta.id,
    accountId: first?.accountId ?? "",
    region: first?.region ?? "",
    cap,
    capExceeded: fixes.length > cap,
    outcomes: [],
    notApplied,
  };
  if (report.capExceeded) {
    report.note = `${fixes.length} resources need a fix, above the cap of ${cap} per run: nothing was applied. Review the plan, then raise the cap or narrow it to some resources.`;
    report.outcomes = fixes.map((action) => ({
      ...identity(action),
      status: "over-cap",
      detail: "not applied: cap exceeded",
      calls: action.calls,
    }));
    logger.warn("Remediation cap exceeded; nothing applied", { audit: true, ruleId: report.ruleId, fixes: fixes.length, cap });
    return report;
  }
  for (const action of fixes) {
    const outcome = await applyOne(action, options);
    report.outcomes.push(outcome);
    logger.info("Remediation action", {
      audit: true,
      ruleId: report.ruleId,
      accountId: action.accountId,
      region: action.region,
      ...outcome,
    });
  }
  return report;
}

const identity = (action: PlannedAction) => ({ resourceType: action.resourceType, resourceId: action.resourceId });

async function applyOne(planned: PlannedAction, options: ApplyOptions): Promise<ActionOutcome> {
  const { ec2, rule } = options;
  const action = remediationFor(rule);
  const params = parseRuleParameters(rule, options.params) as Record<string, unknown>;
  const exemptions = options.exemptions ?? new ExemptionPolicy({ ruleIds: [rule.meta.id] });
  const judge = (model: ResourceModel): Evaluation | undefined =>
    runRules(model, {
      rules: [rule],
      params: { [rule.meta.id]: options.params },
      exemptions,
      resourceIds: new Set([planned.resourceId]),
    }).find((evaluation) => evaluation.resourceType === planned.resourceType);
  const outcome = (status: OutcomeStatus, detail: string, calls: CallRecord[] = []): ActionOutcome => ({
    ...identity(planned),
    status,
    detail,
    calls,
  });

  let fresh: ResourceModel;
  try {
    fresh = await collectAround(ec2, rule, action, planned);
  } catch (error) {
    return outcome("failed", `could not re-read the resource: ${errorCode(error)}: ${errorMessage(error)}`);
  }
  const current = judge(fresh);
  if (!current) return outcome("gone", "the resource no longer exists: nothing to do");
  if (current.complianceType !== "NON_COMPLIANT") {
    const kind = kindOfConfigType(planned.resourceType);
    const record = kind ? fresh.get(kind, planned.resourceId, planned) : undefined;
    const exempt =
      record !== undefined &&
      exemptions.find(rule.meta.id, {
        id: record.id,
        accountId: record.accountId,
        tags: "tags" in record ? record.tags : {},
        name: "name" in record ? record.name : undefined,
      }) !== undefined;
    return outcome(exempt ? "exempted" : "already-compliant", `now ${current.complianceType}: ${current.annotation}`);
  }
  // Re-plan on the live state: the calls made are those the current state calls for, or none.
  const replanned = action.plan(current, fresh, params, planContext({ ...options.context, now: new Date() }));
  if (replanned.status !== "fix") return outcome("skipped", replanned.why);

  const calls: CallRecord[] = replanned.calls.map((call) => ({ ...call }));
  const ranDuringDryRun = new Set<CallRecord>();
  for (const call of calls) {
    const check = await dryRun(ec2, call);
    if (!check.ok) {
      call.dryRun = check.code;
      if (isGone(check.code)) return outcome("gone", `${call.operation}: ${check.code}: the resource went away`, calls);
      if (check.code === "UnauthorizedOperation") {
        return outcome("unauthorized", `missing permission for ec2:${call.operation}: nothing was changed`, calls);
      }
      return outcome("failed", `dry run of ${call.operation} failed: ${check.code}: ${check.message}`, calls);
    }
    call.dryRun = check.ignored ? "ignored: the endpoint made the change during the dry run" : "DryRunOperation";
    if (check.ignored) ranDuringDryRun.add(call);
  }
  for (const call of calls) {
    if (ranDuringDryRun.has(call)) {
      call.result = "ok (during dry run)";
      continue;
    }
    try {
      await sendCall(ec2, call, false);
      call.result = "ok";
    } catch (error) {
      const code = errorCode(error);
      call.result = code;
      if (isGone(code)) return outcome("gone", `${call.operation}: ${code}: the resource went away`, calls);
      return outcome("failed", `${call.operation} failed: ${code}: ${errorMessage(error)}`, calls);
    }
  }
  const done = outcome("applied", replanned.why, calls);
  try {
    const after = judge(await collectAround(ec2, rule, action, planned));
    done.after = after?.complianceType ?? "deleted";
    done.afterAnnotation = after?.annotation;
  } catch (error) {
    done.afterAnnotation = `re-evaluation failed: ${errorCode(error)}: ${errorMessage(error)}`;
  }
  return done;
}
