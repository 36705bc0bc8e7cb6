export { type ActionOutcome, applyRemediation, type ApplyOptions, type OutcomeStatus, type RemediationReport } from "./apply";
export { followUpRuleRun, remediationFromEnv, type RuleRunFollowUp } from "./automatic";
export { DEFAULT_REMEDIATION_CAP } from "./cap";
export { fixesOf, planRemediation, type PlanOptions, type RemediationPlan } from "./plan";
export { REMEDIATIONS, remediationFor } from "./registry";
export { formatPlanTable, remediationBulletin } from "./report";
export {
  AUTOMATION_DOCUMENT_CONTENT,
  AUTOMATION_DOCUMENTS,
  automationFor,
  parseRemediationSettings,
  remediationCloudFormation,
  type RuleRemediationSettings,
} from "./ssm";
export { startAutomations } from "./ssm/start";
export type { PlannedAction, PlannedCall, RemediationAction } from "./types";
