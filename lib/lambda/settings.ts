import { type AutomaticRemediation, automaticRemediationOf } from "../../remediation/automatic";
import { DEFAULT_MAX_ATTEMPTS } from "../alerts/outbox";
import type { AnyRule } from "../engine/rule";
import * as z from "../zod";
import { parseEnvironment } from "./environment";

/** An optional variable: trimmed, and unset when blank (deploy/stack.ts may set it to ""). */
const text = () =>
  z.optional(
    z.pipe(
      z.string(),
      z.transform((value) => value.trim() || undefined),
    ),
  );

/** An optional number, blank meaning unset; `valid` says what is expected. */
const number = (valid: (value: number) => boolean, expected: string) =>
  z.optional(
    z.pipe(
      z.string(),
      z.transform((raw, context) => {
        const value = raw.trim();
        if (!value) return undefined;
        if (!valid(Number(value))) {
          context.issues.push({ code: "custom", message: `expected ${expected}, got ${JSON.stringify(raw)}`, input: raw });
          return z.NEVER;
        }
        return Number(value);
      }),
    ),
  );

/** The rule function's environment (deploy/stack.ts sets it), as the Lambda reads it: every variable in one place. */
const ruleFunctionSchema = z.object({
  /** The function's region; the event's own region comes first. */
  AWS_REGION: text(),
  /** Organization mode: only accounts of this organization may invoke the function. */
  ORGANIZATION_ID: text(),
  /** Alerts are off without a topic (unless automatic remediation is on). */
  ALERTS_TOPIC_ARN: text(),
  /** The announced-state table; without one, each invocation remembers only its own announcements. */
  ALERTS_TABLE: text(),
  ALERTS_DEAD_LETTER_QUEUE_URL: text(),
  /** Re-announce a still-failing resource after this many minutes; 0 or unset: never. */
  ALERTS_RENOTIFY_MINUTES: number((value) => Number.isFinite(value) && value >= 0, "a number of minutes >= 0"),
  /** Publish attempts before an announcement goes to the dead-letter queue. */
  ALERTS_MAX_ATTEMPTS: number((value) => Number.isInteger(value) && value >= 1, "a whole number >= 1"),
  SECURITY_HUB_ENABLED: z.optional(z.string()),
  REMEDIATION_MODE: text(),
  REMEDIATION_CAP: text(),
  REMEDIATION_ALLOW_RELEASE: text(),
  REMEDIATION_RELEASE_AFTER_DAYS: text(),
  REMEDIATION_ROLE_ARN: text(),
  REMEDIATION_DOCUMENT_PREFIX: text(),
});

export interface RuleFunctionSettings {
  region?: string;
  organizationId?: string;
  alerts: {
    topicArn?: string;
    tableName?: string;
    deadLetterQueueUrl?: string;
    /** Off when undefined. */
    renotifyIntervalMs?: number;
    maxAttempts: number;
  };
  securityHubEnabled: boolean;
  /** Undefined when no REMEDIATION_* variable is set. */
  remediation?: AutomaticRemediation;
}

/** The rule function's settings: read once per cold start by createRuleHandler, and handed to each part. */
export function ruleFunctionSettings(rule: AnyRule, env: NodeJS.ProcessEnv = process.env): RuleFunctionSettings {
  const raw = parseEnvironment(ruleFunctionSchema, env);
  return {
    region: raw.AWS_REGION,
    organizationId: raw.ORGANIZATION_ID,
    alerts: {
      topicArn: raw.ALERTS_TOPIC_ARN,
      tableName: raw.ALERTS_TABLE,
      deadLetterQueueUrl: raw.ALERTS_DEAD_LETTER_QUEUE_URL,
      renotifyIntervalMs: raw.ALERTS_RENOTIFY_MINUTES ? raw.ALERTS_RENOTIFY_MINUTES * 60_000 : undefined,
      maxAttempts: raw.ALERTS_MAX_ATTEMPTS ?? DEFAULT_MAX_ATTEMPTS,
    },
    securityHubEnabled: raw.SECURITY_HUB_ENABLED === "true",
    remediation: automaticRemediationOf(rule.meta.id, {
      mode: raw.REMEDIATION_MODE,
      cap: raw.REMEDIATION_CAP === undefined ? undefined : Number(raw.REMEDIATION_CAP),
      allowRelease: raw.REMEDIATION_ALLOW_RELEASE === undefined ? undefined : raw.REMEDIATION_ALLOW_RELEASE === "true",
      releaseAfterDays: raw.REMEDIATION_RELEASE_AFTER_DAYS === undefined ? undefined : Number(raw.REMEDIATION_RELEASE_AFTER_DAYS),
      assumeRoleArn: raw.REMEDIATION_ROLE_ARN,
      documentPrefix: raw.REMEDIATION_DOCUMENT_PREFIX,
    }),
  };
}
