import type { ActionOutcome, RemediationReport } from "../../remediation/apply";
import type { PlannedAction } from "../../remediation/types";
import type { Bulletin } from "../alerts/bulletin";
import type { Severity } from "../engine/rule";

const outcomeLine = (outcome: ActionOutcome) => {
  const after = outcome.after ? ` → now ${outcome.after}${outcome.afterAnnotation ? ` (${outcome.afterAnnotation})` : ""}` : "";
  const calls = outcome.calls.length
    ? ` [${outcome.calls.map((call) => `${call.operation}: ${call.result ?? call.dryRun ?? "not sent"}`).join("; ")}]`
    : "";
  return `${outcome.resourceId}: ${outcome.status}: ${outcome.detail}${calls}${after}`;
};

const plannedLine = (action: PlannedAction) =>
  `${action.resourceId}: ${action.status}: ${action.why}${action.manualSteps.length ? ` Steps: ${action.manualSteps.join(" | ")}` : ""}`;

/** The announcement of a remediation run on the alerts topic (every action, or why none ran). */
export function remediationBulletin(report: RemediationReport, severity: Severity): Bulletin {
  const changed = report.outcomes.filter((outcome) => outcome.status === "applied");
  const other = report.outcomes.filter((outcome) => outcome.status !== "applied");
  const summary = report.capExceeded
    ? `cap of ${report.cap} exceeded, nothing applied`
    : `${changed.length} applied, ${other.length} not needed or not done, ${report.notApplied.length} left to a person`;
  return {
    subject: `[REMEDIATION] ${report.ruleId}: ${summary} in ${report.accountId} ${report.region}`,
    intro: [`Remediation for rule ${report.ruleId} in account ${report.accountId}, region ${report.region}: ${summary}.`],
    notes: report.note ? [report.note] : [],
    sections: [
      { key: "applied", title: "Applied", items: changed, line: outcomeLine, record: (outcome: ActionOutcome) => outcome },
      { key: "notApplied", title: "Not applied", items: other, line: outcomeLine, record: (outcome: ActionOutcome) => outcome },
      {
        key: "manual",
        title: "Manual or skipped in the plan",
        items: report.notApplied,
        line: plannedLine,
        record: (action: PlannedAction) => action,
      },
    ],
    json: {
      kind: "remediation",
      schemaVersion: 1,
      ruleId: report.ruleId,
      accountId: report.accountId,
      region: report.region,
      cap: report.cap,
      capExceeded: report.capExceeded,
      note: report.note ?? null,
    },
    attributes: {
      kind: "remediation",
      ruleId: report.ruleId,
      severity,
      accountId: report.accountId,
      region: report.region,
      complianceType: ["NON_COMPLIANT"],
    },
  };
}
