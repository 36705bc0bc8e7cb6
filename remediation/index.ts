export { type ActionOutcome, applyRemediation, type ApplyOptions, type OutcomeStatus, type RemediationReport } from "./apply";
export { automaticRemediationOf } from "./automatic";
export { DEFAULT_REMEDIATION_CAP } from "./cap";
export { fixesOf, planAcrossRules, planContext, planRemediation, type PlanOptions, reconcilePlans, type RemediationPlan } from "./plan";
export { DEFAULT_RELEASE_AFTER_DAYS, DISASSOCIATED_AT_TAG, DISASSOCIATED_FROM_TAG, releaseDecision, type UnassociatedSince } from "./release-guard";
export { REMEDIATIONS, remediationFor } from "./registry";
export { formatPlanTable } from "./report";
export {
  AUTOMATION_DOCUMENT_CONTENT,
  AUTOMATION_DOCUMENTS,
  automationFor,
  parseRemediationSettings,
  remediationCloudFormation,
  type RuleRemediationSettings,
} from "./ssm";
export { startAutomations } from "./ssm/start";
export { evidenceKey, type PlanContext, type PlannedAction, type PlannedCall, type RemediationAction } from "./types";
