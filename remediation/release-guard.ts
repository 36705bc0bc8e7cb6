import type { ElasticIp } from "../lib/model/types";

/** Tags ec2-no-public-ip's fix puts on each address it disassociates: where from, and when (ISO 8601). */
export const DISASSOCIATED_FROM_TAG = "ec2-config-rules:disassociated-from";
export const DISASSOCIATED_AT_TAG = "ec2-config-rules:disassociated-at";

/** Days an address must have been unassociated before eip-attached may release it. */
export const DEFAULT_RELEASE_AFTER_DAYS = 7;

const DAY_MS = 86_400_000;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A strict ISO 8601 time (a date that rolls over, such as Feb 30, is refused), or undefined. */
export function parseIsoTime(value: string): Date | undefined {
  if (!ISO_TIME.test(value)) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) return undefined;
  // Date accepts 2026-02-30 and rolls it to March: the calendar date must survive the round trip (in UTC, for Z times).
  if (value.endsWith("Z") && time.toISOString().slice(0, 10) !== value.slice(0, 10)) return undefined;
  return time;
}

/** Evidence from outside the model that an address was already unassociated at some time. */
export interface UnassociatedSince {
  since: Date;
  /** Where the date comes from, for the plan's reason: "previous report r.json", "Config's stored result". */
  source: string;
}

export interface ReleaseGuardContext {
  now: Date;
  releaseAfterDays: number;
  unassociatedSince?: UnassociatedSince;
}

export type ReleaseDecision = { release: true; why: string } | { release: false; why: string };

const day = (time: Date) => time.toISOString().slice(0, 10);

/**
 * Whether an unassociated address may be released now: only with evidence that it has been
 * unassociated for at least `releaseAfterDays`, and none that it was associated more recently.
 * The evidence is the disassociation tag, or a date from outside (a previous report's first-seen
 * date, Config's stored result). Without any, nothing is released: a released address cannot
 * reliably be got back, and the one ec2-no-public-ip just took off an instance may be needed again.
 */
export function releaseDecision(eip: ElasticIp, context: ReleaseGuardContext): ReleaseDecision {
  const days = context.releaseAfterDays;
  const graceMs = days * DAY_MS;
  const evidence: string[] = [];
  const tagged = eip.tags[DISASSOCIATED_AT_TAG];
  if (tagged !== undefined) {
    const at = parseIsoTime(tagged);
    const from = eip.tags[DISASSOCIATED_FROM_TAG] ?? "an unknown resource";
    if (!at)
      return {
        release: false,
        why: `its ${DISASSOCIATED_AT_TAG} tag ${JSON.stringify(tagged)} is not an ISO 8601 time, so when it was disassociated is unknown: not released`,
      };
    if (context.now.getTime() - at.getTime() < graceMs) {
      return {
        release: false,
        why: `it was disassociated from ${from} at ${at.toISOString()} (tag ${DISASSOCIATED_AT_TAG}), less than releaseAfterDays=${days} day(s) ago: not released before ${day(new Date(at.getTime() + graceMs))}`,
      };
    }
    evidence.push(`disassociated from ${from} at ${at.toISOString()} (tag ${DISASSOCIATED_AT_TAG})`);
  }
  const outside = context.unassociatedSince;
  if (outside) {
    if (context.now.getTime() - outside.since.getTime() < graceMs) {
      return {
        release: false,
        why: `it is known unassociated only since ${outside.since.toISOString()} (${outside.source}), less than releaseAfterDays=${days} day(s): not released before ${day(new Date(outside.since.getTime() + graceMs))}`,
      };
    }
    evidence.push(`unassociated since at least ${outside.since.toISOString()} (${outside.source})`);
  }
  if (evidence.length === 0) {
    return {
      release: false,
      why: `nothing shows how long it has been unassociated (no ${DISASSOCIATED_AT_TAG} tag, no previous report or Config result naming it non-compliant): it may have been disassociated moments ago, so nothing is planned; plan with --previous <report.json> once it has been unassociated for releaseAfterDays=${days} day(s)`,
    };
  }
  return { release: true, why: `${evidence.join("; ")}: more than releaseAfterDays=${days} day(s) ago` };
}
