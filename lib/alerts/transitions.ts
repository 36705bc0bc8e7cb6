import type { Evaluation } from "../engine/rule";
import { type PreviousResult, type PreviousResults, resourceKey } from "./previous-results";

export interface Transition {
  evaluation: Evaluation;
  previous?: PreviousResult;
  /** When the change was first detected (announcements retried from the outbox: an earlier run). */
  detectedAt?: string;
  /** False when the state before was itself never announced (it changed back while publishing failed). */
  previousAnnounced?: boolean;
}

export interface Transitions {
  newlyNonCompliant: Transition[];
  backToCompliant: Transition[];
  /** Still non-compliant and due a reminder (only with a re-notify interval). */
  reminders: Transition[];
}

export interface TransitionOptions {
  now?: Date;
  /** Remind about resources that stay non-compliant, at most once per interval; off when absent or 0. */
  renotifyIntervalMs?: number;
  /** Extra guard for evaluations that did not go through the engine's exemption step. */
  isExempted?: (evaluation: Evaluation) => boolean;
}

/**
 * What changed since the rule's previous results. Only resources evaluated in this run can
 * change: one that is absent (a change-triggered run on another item) is left alone. An
 * exempted resource is NOT_APPLICABLE, so it lands in no section.
 *
 * Re-notify keeps no state of its own: a still-failing resource is reminded about when its
 * previous result was recorded in an earlier interval window (windows aligned to the epoch) than
 * this run. Whatever the run frequency, that is once per window, and all reminders of a window
 * fall in the same run, so they share one digest.
 */
export function computeTransitions(
  evaluations: readonly Evaluation[],
  previous: PreviousResults,
  options: TransitionOptions = {},
): Transitions {
  const now = options.now ?? new Date();
  const interval = options.renotifyIntervalMs ?? 0;
  const transitions: Transitions = { newlyNonCompliant: [], backToCompliant: [], reminders: [] };
  const seen = new Set<string>();
  for (const evaluation of evaluations) {
    const key = resourceKey(evaluation);
    // A run can hold one resource twice (Config keeps the last); judge it once.
    if (seen.has(key)) continue;
    seen.add(key);
    if (options.isExempted?.(evaluation)) continue;
    const before = previous.get(key);
    const wasNonCompliant = before?.complianceType === "NON_COMPLIANT";
    if (evaluation.complianceType === "NON_COMPLIANT") {
      if (!wasNonCompliant) transitions.newlyNonCompliant.push({ evaluation, previous: before });
      else if (interval > 0 && before?.recordedAt && windowOf(before.recordedAt, interval) < windowOf(now, interval)) {
        transitions.reminders.push({ evaluation, previous: before });
      }
    } else if (evaluation.complianceType === "COMPLIANT" && wasNonCompliant) {
      transitions.backToCompliant.push({ evaluation, previous: before });
    }
  }
  return transitions;
}

const windowOf = (time: Date, intervalMs: number): number => Math.floor(time.getTime() / intervalMs);
