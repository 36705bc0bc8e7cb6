import type { Logger } from "@aws-lambda-powertools/logger";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { type PreviousResults, resourceKey } from "../engine/previous";
import type { Evaluation, Severity } from "../engine/rule";
import { SNS_MAX_MESSAGE_BYTES, splitBulletinParts } from "./bulletin";
import { buildDigest } from "./digest";
import { type AlertRecord, type AlertScope, type AnnouncedStore, alertPending, automationPending, inOutbox, recordKey } from "./store";
import type { Transition } from "./transitions";

/** Publish attempts of one announcement (one per run) before it goes to the dead-letter queue. */
export const DEFAULT_MAX_ATTEMPTS = 5;
/** A run holds the records it publishes this long: longer than a rule function may run (900 s). */
const CLAIM_MS = 16 * 60_000;
/** Parallel writes to the table. */
const WRITE_CONCURRENCY = 16;

export interface DetectInput {
  store: AnnouncedStore;
  scope: AlertScope;
  /** This run's evaluations (after exemptions). */
  evaluations: readonly Evaluation[];
  /** Config's results from before this run: the baseline of resources the store has no record of (first run, or an upgrade). */
  previous: PreviousResults;
  /** The resource of a change event: only it (and the outbox) is read from the store. */
  subject?: { resourceType: string; resourceId: string };
  now?: Date;
  renotifyIntervalMs?: number;
  isExempted?: (evaluation: Evaluation) => boolean;
  /** Automatic remediation: newly non-compliant resources get a pending automation, unless more than `cap` turned at once. */
  automation?: { cap: number };
  /** Identifies the run (Config's result token): a retried invocation is the same run. */
  runKey?: string;
}

export interface Detected {
  scope: AlertScope;
  now: Date;
  /** The store's records after this run's detections: the outbox is drained from them. */
  records: Map<string, AlertRecord>;
  /** Keys of the records this run created (and holds). */
  fresh: Set<string>;
  /** Still non-compliant, announced before, and due a reminder. */
  reminders: AlertRecord[];
  notes: string[];
}

const windowOf = (time: Date, intervalMs: number): number => Math.floor(time.getTime() / intervalMs);

/**
 * Before PutEvaluations: what changed since what was last detected (the store's record of each
 * resource; Config's previous result where there is none), each change recorded as pending in the
 * store before anything is published. Throws when the store cannot be written: the invocation then
 * fails having posted nothing, and the next run detects the same changes again.
 */
export async function recordTransitions(input: DetectInput): Promise<Detected> {
  const now = input.now ?? new Date();
  const records = await input.store.load(input.scope, input.subject ? [input.subject] : undefined);
  const interval = input.renotifyIntervalMs ?? 0;
  const fresh: AlertRecord[] = [];
  const reminders: AlertRecord[] = [];
  const seen = new Set<string>();
  for (const evaluation of input.evaluations) {
    const key = recordKey(evaluation);
    // A run can hold one resource twice (Config keeps the last); judge it once.
    if (seen.has(key)) continue;
    seen.add(key);
    if (input.isExempted?.(evaluation)) continue;
    const state = evaluation.complianceType;
    if (state !== "NON_COMPLIANT" && state !== "COMPLIANT") continue;
    const record = records.get(key);
    const before = input.previous.get(resourceKey(evaluation));
    const baseline = record ? record.complianceType : before?.complianceType === "NON_COMPLIANT" ? "NON_COMPLIANT" : undefined;
    const changed = state === "NON_COMPLIANT" ? baseline !== "NON_COMPLIANT" : baseline === "NON_COMPLIANT";
    if (changed) {
      fresh.push({
        resourceType: evaluation.resourceType,
        resourceId: evaluation.resourceId,
        complianceType: state,
        previousComplianceType: record?.complianceType ?? before?.complianceType ?? null,
        previousAnnounced: record ? Boolean(record.announcedAt) : true,
        annotation: evaluation.annotation,
        detectedAt: now.toISOString(),
        ...(input.runKey ? { runKey: input.runKey } : {}),
        attempts: 0,
        ...(state === "NON_COMPLIANT" && input.automation ? { automation: { status: "pending" as const, attempts: 0 } } : {}),
        claimedUntil: new Date(now.getTime() + CLAIM_MS).toISOString(),
        version: (record?.version ?? 0) + 1,
      });
      continue;
    }
    if (state !== "NON_COMPLIANT" || interval <= 0) continue;
    // Re-notify: once per interval window (aligned to the epoch) after the last announcement.
    const since = record ? record.announcedAt : before?.recordedAt?.toISOString();
    if (since && windowOf(new Date(since), interval) < windowOf(now, interval)) {
      reminders.push(
        record
          ? { ...record, annotation: evaluation.annotation }
          : {
              resourceType: evaluation.resourceType,
              resourceId: evaluation.resourceId,
              complianceType: "NON_COMPLIANT",
              previousComplianceType: null,
              previousAnnounced: true,
              annotation: evaluation.annotation,
              detectedAt: since,
              announcedAt: since,
              attempts: 0,
              version: 0,
            },
      );
    }
  }

  const notes: string[] = [];
  const newlyNonCompliant = fresh.filter((record) => record.complianceType === "NON_COMPLIANT");
  if (input.automation && newlyNonCompliant.length > input.automation.cap) {
    for (const record of newlyNonCompliant) delete record.automation;
    notes.push(
      `Automatic remediation not started: ${newlyNonCompliant.length} newly non-compliant resources, above the cap of ${input.automation.cap} per run.`,
    );
  }

  const saved = new Set<string>();
  await forEachLimited(fresh, async (record) => {
    // False: another run recorded this change first, and announces it.
    if (await input.store.save(input.scope, record)) {
      records.set(recordKey(record), record);
      saved.add(recordKey(record));
    }
  });
  return { scope: input.scope, now, records, fresh: saved, reminders, notes };
}

/** One announcement, as the run's result and `invoke` show it. */
export interface AnnouncementEntry {
  resourceType: string;
  resourceId: string;
  complianceType: string;
  detectedAt: string;
  /** Failed publish attempts so far. */
  attempts: number;
  error?: string;
}

export interface AlertsOutcome {
  /** True when the announced state is kept in the table; false: for this invocation only (Config's results are the memory). */
  durable: boolean;
  /** Accepted by SNS in this run: this run's changes and earlier ones retried. */
  announced: AnnouncementEntry[];
  /** Reminders accepted by SNS. */
  reminded: number;
  /** Not announced: the next run retries them. */
  pending: AnnouncementEntry[];
  /** Out of attempts: sent to the dead-letter queue. */
  deadLettered: AnnouncementEntry[];
  automations: { started: string[]; pending: string[]; deadLettered: string[] };
  messageIds: string[];
  /** Why publishing (or the outbox) failed in this run. */
  errors: string[];
}

/** Where announcements and automation starts go when their attempts run out (an SQS queue in the stack). */
export interface DeadLetterSink {
  send(letters: DeadLetter[]): Promise<void>;
}

export interface DeadLetter {
  kind: "alert" | "automation";
  scope: AlertScope;
  configRuleName?: string;
  record: AlertRecord;
  error: string;
}

export interface DeliverInput {
  store: AnnouncedStore;
  sns?: SNSClient;
  /** Without a topic nothing is published, and changes count as announced. */
  topicArn?: string;
  rule: { id: string; severity: Severity };
  configRuleName?: string;
  deadLetters?: DeadLetterSink;
  maxAttempts?: number;
  /** Starts the automation of a pending record; its idempotency token derives from the record (so a retry starts no second one). */
  startAutomation?: (record: AlertRecord) => Promise<{ executionId?: string }>;
  maxMessageBytes?: number;
  logger?: Logger;
}

/**
 * After PutEvaluations: drains the outbox. Starts pending automations, publishes one digest of
 * every pending announcement (this run's and earlier runs') plus reminders, and writes back what
 * SNS accepted. What it did not accept stays pending for the next run, up to `maxAttempts`
 * attempts, then goes to the dead-letter queue. Never throws: the outcome says what was and was
 * not announced.
 */
export async function deliverAlerts(detected: Detected, input: DeliverInput): Promise<AlertsOutcome> {
  const { scope, now } = detected;
  const nowIso = now.toISOString();
  const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const outcome: AlertsOutcome = {
    durable: input.store.durable,
    announced: [],
    reminded: 0,
    pending: [],
    deadLettered: [],
    automations: { started: [], pending: [], deadLettered: [] },
    messageIds: [],
    errors: [],
  };
  const save = async (record: AlertRecord): Promise<boolean> => {
    try {
      return await input.store.save(scope, record);
    } catch (error) {
      outcome.errors.push(`store: ${(error as Error).message}`);
      input.logger?.error("could not write an alert record back", { resource: recordKey(record), error: error as Error });
      return false;
    }
  };

  // Hold the outbox's records, so that a concurrent run does not announce them too.
  const held: AlertRecord[] = [];
  await forEachLimited([...detected.records.values()].filter(inOutbox), async (record) => {
    if (detected.fresh.has(recordKey(record))) return void held.push(record);
    if (record.claimedUntil && record.claimedUntil > nowIso) return;
    const claimed = { ...record, claimedUntil: new Date(now.getTime() + CLAIM_MS).toISOString(), version: record.version + 1 };
    if (await save(claimed)) held.push(claimed);
  });
  held.sort((a, b) => a.detectedAt.localeCompare(b.detectedAt) || recordKey(a).localeCompare(recordKey(b)));

  const letters: DeadLetter[] = [];
  const notes = [...detected.notes];
  for (const record of held.filter(automationPending)) {
    const automation = record.automation as NonNullable<AlertRecord["automation"]>;
    if (record.complianceType !== "NON_COMPLIANT" || !input.startAutomation) {
      // Compliant again before its automation started: nothing left to fix.
      delete record.automation;
      continue;
    }
    try {
      const started = await input.startAutomation(record);
      record.automation = {
        status: "started",
        attempts: automation.attempts + 1,
        ...(started.executionId ? { executionId: started.executionId } : {}),
      };
      outcome.automations.started.push(record.resourceId);
    } catch (error) {
      automation.attempts += 1;
      automation.lastError = (error as Error).message;
      if (automation.attempts >= maxAttempts)
        letters.push({ kind: "automation", scope, configRuleName: input.configRuleName, record, error: automation.lastError });
      else outcome.automations.pending.push(record.resourceId);
    }
  }
  if (outcome.automations.started.length > 0) notes.push(`Automatic remediation started for ${outcome.automations.started.join(", ")}.`);
  if (outcome.automations.pending.length > 0) {
    notes.push(`Automatic remediation could not start for ${outcome.automations.pending.join(", ")}; the next run retries.`);
  }

  const announce = held.filter(alertPending);
  const transition = (record: AlertRecord): Transition => ({
    evaluation: {
      ruleId: scope.ruleId,
      resourceType: record.resourceType,
      resourceId: record.resourceId,
      region: scope.region,
      accountId: scope.accountId,
      complianceType: record.complianceType,
      annotation: record.annotation,
    },
    previous: record.previousComplianceType
      ? { resourceType: record.resourceType, resourceId: record.resourceId, complianceType: record.previousComplianceType }
      : undefined,
    ...(record.detectedAt !== nowIso ? { detectedAt: record.detectedAt } : {}),
    ...(record.previousAnnounced ? {} : { previousAnnounced: false }),
  });
  const byTransition = new Map<Transition, AlertRecord>();
  const transitions = (records: AlertRecord[]) =>
    records.map((record) => {
      const item = transition(record);
      byTransition.set(item, record);
      return item;
    });
  const digest = buildDigest(
    {
      newlyNonCompliant: transitions(announce.filter((record) => record.complianceType === "NON_COMPLIANT")),
      backToCompliant: transitions(announce.filter((record) => record.complianceType === "COMPLIANT")),
      reminders: transitions(detected.reminders),
    },
    {
      ruleId: scope.ruleId,
      configRuleName: input.configRuleName,
      severity: input.rule.severity,
      accountId: scope.accountId,
      region: scope.region,
      runAt: now,
      notes,
    },
  );

  const accepted = new Set<AlertRecord>();
  let publishError: string | undefined;
  if (digest && input.topicArn && input.sns) {
    try {
      for (const part of splitBulletinParts(digest, input.maxMessageBytes ?? SNS_MAX_MESSAGE_BYTES)) {
        const result = await input.sns.send(new PublishCommand({ TopicArn: input.topicArn, ...part.body }));
        if (result.MessageId) outcome.messageIds.push(result.MessageId);
        for (const item of part.items) {
          const record = byTransition.get(item as Transition);
          if (record) accepted.add(record);
        }
      }
    } catch (error) {
      publishError = `sns:Publish: ${(error as Error).message}`;
      outcome.errors.push(publishError);
      input.logger?.error("compliance digest not published; its changes stay in the outbox", { error: error as Error });
    }
  } else {
    // Alerts are off (no topic): there is no one to announce to, so nothing is left waiting.
    for (const record of [...announce, ...detected.reminders]) accepted.add(record);
  }

  const entry = (record: AlertRecord, error?: string): AnnouncementEntry => ({
    resourceType: record.resourceType,
    resourceId: record.resourceId,
    complianceType: record.complianceType,
    detectedAt: record.detectedAt,
    attempts: record.attempts,
    ...(error ? { error } : {}),
  });
  for (const record of announce) {
    if (accepted.has(record)) {
      record.announcedAt = nowIso;
      delete record.lastError;
      outcome.announced.push(entry(record));
      continue;
    }
    record.attempts += 1;
    record.lastError = publishError ?? "not published";
    if (record.attempts >= maxAttempts)
      letters.push({ kind: "alert", scope, configRuleName: input.configRuleName, record, error: record.lastError });
    else outcome.pending.push(entry(record, record.lastError));
  }

  if (letters.length > 0) {
    let sent = false;
    if (input.deadLetters) {
      try {
        await input.deadLetters.send(letters);
        sent = true;
      } catch (error) {
        outcome.errors.push(`dead-letter queue: ${(error as Error).message}`);
        input.logger?.error("could not send to the dead-letter queue; the records stay in the outbox", { error: error as Error });
      }
    } else {
      outcome.errors.push("no dead-letter queue configured (ALERTS_DEAD_LETTER_QUEUE_URL)");
    }
    for (const letter of letters) {
      const record = letter.record;
      if (letter.kind === "alert") {
        if (sent) record.deadLetteredAt = nowIso;
        (sent ? outcome.deadLettered : outcome.pending).push(entry(record, letter.error));
      } else if (record.automation) {
        if (sent) record.automation.status = "dead-lettered";
        (sent ? outcome.automations.deadLettered : outcome.automations.pending).push(record.resourceId);
      }
    }
  }

  await forEachLimited(held, async (record) => {
    delete record.claimedUntil;
    record.version += 1;
    await save(record);
  });
  await forEachLimited(
    detected.reminders.filter((record) => accepted.has(record)),
    async (record) => {
      outcome.reminded += 1;
      await save({ ...record, announcedAt: nowIso, version: record.version + 1 });
    },
  );

  const log = outcome.pending.length + outcome.deadLettered.length + outcome.errors.length > 0 ? "warn" : "info";
  input.logger?.[log]("alerts", {
    ruleId: scope.ruleId,
    durable: outcome.durable,
    announced: outcome.announced.length,
    reminded: outcome.reminded,
    pending: outcome.pending.map((item) => `${item.resourceId} (${item.attempts}/${maxAttempts})`),
    deadLettered: outcome.deadLettered.map((item) => item.resourceId),
    automations: outcome.automations,
    messages: outcome.messageIds.length,
    errors: outcome.errors,
  });
  return outcome;
}

async function forEachLimited<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, worker));
}

/** One line on what a run announced and did not, for `invoke` and the logs. */
export function describeAlerts(report: AlertsOutcome | { skipped: string }): string {
  if ("skipped" in report) return `alerts: none (${report.skipped})`;
  const list = (entries: readonly AnnouncementEntry[]) =>
    entries
      .map(
        (entry) => `${entry.resourceId} ${entry.complianceType}${entry.attempts > 0 ? ` after ${entry.attempts} failed attempt(s)` : ""}`,
      )
      .join(", ");
  const parts = [`announced ${report.announced.length}${report.announced.length ? ` (${list(report.announced)})` : ""}`];
  if (report.reminded) parts.push(`reminders ${report.reminded}`);
  if (report.pending.length) parts.push(`NOT announced ${report.pending.length}, retried by the next run (${list(report.pending)})`);
  if (report.deadLettered.length)
    parts.push(
      `NOT announced ${report.deadLettered.length}, out of attempts: sent to the dead-letter queue (${list(report.deadLettered)})`,
    );
  const { started, pending, deadLettered } = report.automations;
  if (started.length) parts.push(`automations started: ${started.join(", ")}`);
  if (pending.length) parts.push(`automations NOT started, retried by the next run: ${pending.join(", ")}`);
  if (deadLettered.length) parts.push(`automations NOT started, sent to the dead-letter queue: ${deadLettered.join(", ")}`);
  if (report.errors.length) parts.push(`errors: ${report.errors.join("; ")}`);
  if (!report.durable) parts.push("announced state not kept (no ALERTS_TABLE)");
  return `alerts: ${parts.join("; ")}`;
}
