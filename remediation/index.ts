export { type ActionOutcome, type ApplyOptions, applyRemediation, type OutcomeStatus, type RemediationReport } from "./apply";
export { automaticRemediationOf } from "./automatic";
export { DEFAULT_REMEDIATION_CAP } from "./cap";
export { fixesOf, type PlanOptions, planAcrossRules, planContext, planRemediation, type RemediationPlan, reconcilePlans } from "./plan";
export { REMEDIATIONS, remediationFor } from "./registry";
export {
  DEFAULT_RELEASE_AFTER_DAYS,
  DISASSOCIATED_AT_TAG,
  DISASSOCIATED_FROM_TAG,
  releaseDecision,
  type UnassociatedSince,
} from "./release-guard";
export { formatPlanTable } from "./report";
export {
  AUTOMATION_DOCUMENT_CONTENT,
  AUTOMATION_DOCUMENTS,
  automationFor,
  parseRemediationSettings,
  type RuleRemediationSettings,
  remediationCloudFormation,
} from "./ssm";
export { startAutomations } from "./ssm/start";
export { evidenceKey, type PlanContext, type PlannedAction, type PlannedCall, type RemediationAction } from "./types";
