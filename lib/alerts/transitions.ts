import type { PreviousResult } from "../engine/previous";
import type { Evaluation } from "../engine/rule";

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
