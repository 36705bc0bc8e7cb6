import type { Evaluation, Severity } from "../engine/rule";
import type { Bulletin, BulletinSection } from "./bulletin";
import type { Transition, Transitions } from "./transitions";

export interface DigestContext {
  ruleId: string;
  /** The Config rule's name when deployed under another name than the rule id. */
  configRuleName?: string;
  severity: Severity;
  accountId: string;
  region: string;
  runAt: Date;
  /** Lines added at the end, e.g. why remediation did not run. */
  notes?: readonly string[];
}

const record = ({ evaluation, previous, detectedAt, previousAnnounced }: Transition) => ({
  resourceType: evaluation.resourceType,
  resourceId: evaluation.resourceId,
  complianceType: evaluation.complianceType,
  previousComplianceType: previous?.complianceType ?? null,
  annotation: evaluation.annotation,
  ...(previous?.recordedAt ? { previousRecordedAt: previous.recordedAt.toISOString() } : {}),
  ...(detectedAt ? { detectedAt } : {}),
  ...(previousAnnounced === false ? { previousAnnounced } : {}),
});

const line = ({ evaluation, detectedAt, previousAnnounced }: Transition) =>
  `${evaluation.resourceId} (${shortType(evaluation)}): ${evaluation.annotation}` +
  (detectedAt ? ` [detected ${detectedAt}]` : "") +
  (previousAnnounced === false ? " [its previous change was never announced]" : "");

const shortType = (evaluation: Evaluation): string => evaluation.resourceType.replace(/^AWS::EC2::/, "");

/**
 * The one digest of a rule run: what turned non-compliant, what is compliant again, and (with a
 * re-notify interval) what is still failing. Returns undefined when nothing changed, so that
 * nothing is sent.
 */
export function buildDigest(transitions: Transitions, context: DigestContext): Bulletin | undefined {
  const { newlyNonCompliant, backToCompliant, reminders } = transitions;
  if (newlyNonCompliant.length + backToCompliant.length + reminders.length === 0) return undefined;

  const sections: BulletinSection<Transition>[] = [
    { key: "newlyNonCompliant", title: "Newly NON_COMPLIANT", items: newlyNonCompliant, line, record },
    { key: "backToCompliant", title: "Back to COMPLIANT", items: backToCompliant, line, record },
    { key: "stillNonCompliant", title: "Still NON_COMPLIANT (reminder)", items: reminders, line, record },
  ];
  const counts = [
    newlyNonCompliant.length ? `${newlyNonCompliant.length} newly non-compliant` : undefined,
    backToCompliant.length ? `${backToCompliant.length} back to compliant` : undefined,
    reminders.length ? `${reminders.length} still non-compliant` : undefined,
  ].filter((part): part is string => part !== undefined);

  const complianceTypes = [
    ...(newlyNonCompliant.length + reminders.length > 0 ? ["NON_COMPLIANT"] : []),
    ...(backToCompliant.length > 0 ? ["COMPLIANT"] : []),
  ];
  const ruleName = context.configRuleName ?? context.ruleId;
  return {
    subject: `[${context.severity.toUpperCase()}] ${ruleName}: ${counts.join(", ")} in ${context.accountId} ${context.region}`,
    intro: [
      `Compliance changes for rule ${ruleName} (severity ${context.severity}) in account ${context.accountId}, region ${context.region}, run at ${context.runAt.toISOString()}: ${counts.join(", ")}.`,
    ],
    notes: context.notes,
    sections,
    json: {
      kind: "compliance-digest",
      schemaVersion: 1,
      ruleId: context.ruleId,
      configRuleName: ruleName,
      severity: context.severity,
      accountId: context.accountId,
      region: context.region,
      runAt: context.runAt.toISOString(),
      totals: {
        newlyNonCompliant: newlyNonCompliant.length,
        backToCompliant: backToCompliant.length,
        stillNonCompliant: reminders.length,
      },
      notes: context.notes ?? [],
    },
    attributes: {
      kind: "compliance-digest",
      ruleId: context.ruleId,
      severity: context.severity,
      accountId: context.accountId,
      region: context.region,
      complianceType: complianceTypes,
    },
  };
}
