import { InputError } from "../errors";
import type { Tags } from "../model/types";
import * as z from "../zod";

/** What an exemption can match on: a resource's id, tags and name, and the account that holds it. */
export interface ExemptionSubject {
  id: string;
  accountId?: string;
  tags: Tags;
  name?: string;
}

export const DEFAULT_EXEMPTION_TAG_KEY = "compliance-exempt";

/** A file entry that expired less than this long ago lapses with a warning; longer ago it is an error. */
export const EXPIRY_GRACE_DAYS = 30;

/** Reports list the exemptions that end within this many days. */
export const EXPIRING_SOON_DAYS = 14;

const DAY_MS = 24 * 60 * 60 * 1000;

/** When an exemption ends: the first instant it no longer applies, and the expiry as it was written. */
export interface Expiry {
  end: Date;
  label: string;
}

/** An exemption that applies to one resource and rule, with who granted it, why and until when. */
export interface Exemption {
  source: "tag" | "file";
  reason?: string;
  owner?: string;
  /** Absent only for tag exemptions without an expiry tag (and no maxExemptionDays). */
  expires?: Expiry;
}

/** What the policy says about one resource and rule: exempt, or an exemption tag that was ignored and why. */
export type ExemptionAssessment = { exemption: Exemption } | { invalidTag: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

const isCalendarDay = (year: number, month: number, day: number): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Reads an expiry strictly: an ISO 8601 calendar date `YYYY-MM-DD`, which means through the end of
 * that day UTC, or a full timestamp with `Z` or an offset. Impossible days (02-30), other forms
 * ("March 5", "1", "next-year") and timestamps without a zone are undefined, never guessed.
 */
export function parseExpiry(text: string): Expiry | undefined {
  const label = text.trim();
  const date = DATE.exec(label);
  if (date) {
    const [year, month, day] = date.slice(1).map(Number) as [number, number, number];
    if (!isCalendarDay(year, month, day)) return undefined;
    return { end: new Date(Date.UTC(year, month - 1, day + 1)), label };
  }
  const time = TIMESTAMP.exec(label);
  if (!time) return undefined;
  const [year, month, day, hour, minute, second = 0] = time
    .slice(1, 7)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const [offsetHours, offsetMinutes] = [Number(time[8] ?? 0), Number(time[9] ?? 0)];
  const valid =
    isCalendarDay(year as number, month as number, day as number) &&
    (hour as number) <= 23 &&
    (minute as number) <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  const end = new Date(label.toUpperCase());
  return valid && !Number.isNaN(end.getTime()) ? { end, label } : undefined;
}

const nonEmpty = () => z.string().check(z.minLength(1));

const maxDays = () => z.int().check(z.gte(1));

/** The exemptions file's shape; `known` lists the rule ids for the error message. */
function fileSchema(known: string) {
  const ruleList = z.union([z.literal("all"), z.array(nonEmpty()).check(z.minLength(1))], {
    error: `expected "all" or a non-empty list of rule ids (known: ${known})`,
  });
  const entry = z
    .strictObject({
      rules: z._default(ruleList, "all"),
      resourceId: z.optional(nonEmpty()),
      tag: z.optional(z.strictObject({ key: nonEmpty(), value: z.optional(z.string()) })),
      namePattern: z.optional(nonEmpty()),
      /** Limits the entry to one account: ids repeat across accounts (a shared VPC, copied environments). */
      accountId: z.optional(z.string().check(z.regex(/^\d{12}$/, "expected a 12-digit account id"))),
      reason: nonEmpty(),
      owner: nonEmpty(),
      expires: z.string(),
    })
    .check(
      z.refine((entry) => [entry.resourceId, entry.tag, entry.namePattern].filter(Boolean).length === 1, {
        message: "give exactly one of resourceId, tag or namePattern",
      }),
    );
  return z.strictObject({
    /** Refuses any entry that ends further than this from now. */
    maxExemptionDays: z.optional(maxDays()),
    exemptions: z.array(entry),
  });
}

type RawFileEntry = z.output<ReturnType<typeof fileSchema>>["exemptions"][number];

export type FileEntry = Omit<RawFileEntry, "expires"> & { expires: Expiry };

export interface ExemptionsFile {
  maxExemptionDays?: number;
  exemptions: FileEntry[];
  /** Entries that expired within the grace period: they no longer apply, and the CLI says so. */
  warnings: string[];
}

export interface ParseExemptionsOptions {
  /** The rule ids an entry may name: the caller's rules (RULES), as this folder sits below them. */
  ruleIds: Iterable<string>;
  now?: Date;
  /** The limit from the command line; the smaller of it and the file's own applies. */
  maxExemptionDays?: number;
}

/**
 * Validates a parsed exemptions file, naming the file, entry and field of the first problem: a
 * date that is not a strict ISO date or does not exist, an unknown rule id, an expiry more than
 * {@link EXPIRY_GRACE_DAYS} days past, or one further away than maxExemptionDays.
 */
export function parseExemptionsFile(content: unknown, file: string, options: ParseExemptionsOptions): ExemptionsFile {
  const knownRuleIds: ReadonlySet<string> = new Set(options.ruleIds);
  const knownList = [...knownRuleIds].join(", ");
  const result = fileSchema(knownList).safeParse(content);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.length ? issue.path.join(".") : undefined;
    const detail =
      issue?.code === "unrecognized_keys" ? `unknown key(s) ${issue.keys.join(", ")}` : (issue?.message ?? "invalid exemptions file");
    throw new InputError(detail, { file, field });
  }
  const now = options.now ?? new Date();
  const limit = smallest(result.data.maxExemptionDays, options.maxExemptionDays);
  const warnings: string[] = [];
  const exemptions = result.data.exemptions.map((entry, index): FileEntry => {
    const at = (field: string) => ({ file, field: `exemptions.${index}.${field}` });
    if (entry.rules !== "all") {
      entry.rules.forEach((ruleId, position) => {
        if (!knownRuleIds.has(ruleId))
          throw new InputError(`unknown rule id "${ruleId}" (known: all, ${knownList})`, at(`rules.${position}`));
      });
    }
    const expires = parseExpiry(entry.expires);
    if (!expires) {
      throw new InputError(
        `${JSON.stringify(entry.expires)} is not an ISO 8601 date (YYYY-MM-DD, a real calendar day, or a full timestamp with Z or an offset)`,
        at("expires"),
      );
    }
    if (expires.end.getTime() <= now.getTime() - EXPIRY_GRACE_DAYS * DAY_MS) {
      throw new InputError(
        `expired on ${expires.label}, more than ${EXPIRY_GRACE_DAYS} days ago: renew the exemption or remove the entry`,
        at("expires"),
      );
    }
    if (expires.end <= now) {
      warnings.push(
        `${file}: exemptions.${index} (${subjectOf(entry)}) expired on ${expires.label} and no longer applies; ${EXPIRY_GRACE_DAYS} days after expiry it is an error`,
      );
    } else if (limit !== undefined && expires.end.getTime() > now.getTime() + limit * DAY_MS) {
      throw new InputError(`expires ${expires.label}, more than ${limit} days from now (maxExemptionDays ${limit})`, at("expires"));
    }
    return { ...entry, expires };
  });
  return { maxExemptionDays: result.data.maxExemptionDays, exemptions, warnings };
}

const subjectOf = (entry: RawFileEntry): string =>
  entry.resourceId !== undefined
    ? `resourceId ${entry.resourceId}`
    : entry.tag !== undefined
      ? `tag ${entry.tag.key}${entry.tag.value === undefined ? "" : `=${entry.tag.value}`}`
      : `namePattern ${entry.namePattern}`;

function smallest(...limits: (number | undefined)[]): number | undefined {
  const given = limits.filter((limit): limit is number => limit !== undefined);
  return given.length > 0 ? Math.min(...given) : undefined;
}

/** Matches a whole name against a glob with `*` and `?` (anchored, so `logs` never matches `prod-logs`). */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

interface CompiledEntry {
  entry: FileEntry;
  rules: ReadonlySet<string> | "all";
  name?: RegExp;
}

export interface ExemptionOptions {
  /** The rule ids a tag may name (the caller's RULES); a tag naming any other exempts nothing and says so. */
  ruleIds: Iterable<string>;
  tagKey?: string;
  /** Entries from an exemptions file (offline only). */
  file?: ExemptionsFile;
  now?: Date;
  /** Tags (and file entries) may exempt for at most this many days from now; a tag then needs an expiry. */
  maxExemptionDays?: number;
}

/** Tag values longer than this are shortened in annotations, so the reason still fits Config's 256 characters. */
const QUOTED_VALUE_LENGTH = 40;
const quote = (value: string) => JSON.stringify(value.length > QUOTED_VALUE_LENGTH ? `${value.slice(0, QUOTED_VALUE_LENGTH)}…` : value);

/**
 * Decides whether a resource is exempt from a rule: by its tag (`compliance-exempt` = `all` or a
 * list of rule ids, with optional `-reason`, `-owner` and `-expires` tags beside it) or by an
 * exemptions file entry. Expired exemptions no longer apply. A tag that names an unknown rule, has
 * an expiry that is not a strict ISO date, or breaks maxExemptionDays exempts nothing, and the
 * assessment says why. The same object serves the CLI, the Lambda, the reports and remediation,
 * so they all exempt the same resources.
 */
export class ExemptionPolicy {
  readonly tagKey: string;
  private readonly now: Date;
  private readonly maxExemptionDays?: number;
  private readonly entries: CompiledEntry[];
  private readonly knownRuleIds: ReadonlySet<string>;

  constructor(options: ExemptionOptions) {
    this.knownRuleIds = new Set(options.ruleIds);
    this.tagKey = options.tagKey ?? DEFAULT_EXEMPTION_TAG_KEY;
    this.now = options.now ?? new Date();
    this.maxExemptionDays = smallest(options.maxExemptionDays, options.file?.maxExemptionDays);
    this.entries = (options.file?.exemptions ?? []).map((entry) => ({
      entry,
      rules: entry.rules === "all" ? "all" : new Set(entry.rules),
      name: entry.namePattern ? globToRegExp(entry.namePattern) : undefined,
    }));
  }

  /** Whether some unexpired exemptions-file entry covers this rule (tag exemptions aside). */
  hasFileEntriesFor(ruleId: string): boolean {
    return this.entries.some(({ entry, rules }) => (rules === "all" || rules.has(ruleId)) && entry.expires.end > this.now);
  }

  /** The exemption that applies, if any (an invalid tag exempts nothing). */
  find(ruleId: string, resource: ExemptionSubject): Exemption | undefined {
    const assessment = this.assess(ruleId, resource);
    return assessment && "exemption" in assessment ? assessment.exemption : undefined;
  }

  /** The exemption that applies, else the reason an exemption tag meant for this rule was ignored. */
  assess(ruleId: string, resource: ExemptionSubject): ExemptionAssessment | undefined {
    const tag = this.fromTags(ruleId, resource.tags);
    if (tag && "exemption" in tag) return tag;
    const file = this.fromFile(ruleId, resource);
    return file ? { exemption: file } : tag;
  }

  private fromTags(ruleId: string, tags: Tags): ExemptionAssessment | undefined {
    const value = tags[this.tagKey];
    if (value === undefined) return undefined;
    const listed = value
      .split(/[\s,;:/+]+/)
      .map((item) => item.trim().toLowerCase())
      .filter((item) => item.length > 0);
    const unknown = listed.filter((item) => item !== "all" && !this.knownRuleIds.has(item));
    // A tag naming only other, known rules says nothing about this one; an unknown id may have meant it.
    if (listed.length > 0 && unknown.length === 0 && !listed.includes("all") && !listed.includes(ruleId)) return undefined;
    if (listed.length === 0) return { invalidTag: `${this.tagKey} is empty (expected all or rule ids)` };
    if (unknown.length > 0) {
      return { invalidTag: `${this.tagKey} names unknown rule${unknown.length === 1 ? "" : "s"} ${unknown.map(quote).join(", ")}` };
    }
    const expiresKey = `${this.tagKey}-expires`;
    const expiresTag = tags[expiresKey];
    let expires: Expiry | undefined;
    if (expiresTag !== undefined) {
      expires = parseExpiry(expiresTag);
      if (!expires) return { invalidTag: `${expiresKey} ${quote(expiresTag)} is not an ISO date` };
      if (expires.end <= this.now) return undefined;
      const limit = this.maxExemptionDays;
      if (limit !== undefined && expires.end.getTime() > this.now.getTime() + limit * DAY_MS) {
        return { invalidTag: `${expiresKey} ${expires.label} is more than ${limit} days away (maxExemptionDays)` };
      }
    } else if (this.maxExemptionDays !== undefined) {
      return { invalidTag: `no ${expiresKey} tag, required with maxExemptionDays ${this.maxExemptionDays}` };
    }
    return {
      exemption: {
        source: "tag",
        reason: tags[`${this.tagKey}-reason`],
        owner: tags[`${this.tagKey}-owner`],
        expires,
      },
    };
  }

  private fromFile(ruleId: string, resource: ExemptionSubject): Exemption | undefined {
    for (const { entry, rules, name } of this.entries) {
      if (rules !== "all" && !rules.has(ruleId)) continue;
      if (entry.expires.end <= this.now) continue;
      if (entry.accountId !== undefined && entry.accountId !== resource.accountId) continue;
      const matches =
        (entry.resourceId !== undefined && entry.resourceId === resource.id) ||
        (entry.tag !== undefined &&
          resource.tags[entry.tag.key] !== undefined &&
          (entry.tag.value === undefined || resource.tags[entry.tag.key] === entry.tag.value)) ||
        (name !== undefined && resource.name !== undefined && name.test(resource.name));
      if (matches) {
        return { source: "file", reason: entry.reason, owner: entry.owner, expires: entry.expires } satisfies Exemption;
      }
    }
    return undefined;
  }
}

// The annotations below are the one record of an exemption that survives into Config's stored
// results, so the reports (offline and scheduled) read them back with the parsers beside them.

const EXEMPTED = "Exempted";
const INVALID_TAG_PREFIX = "[exemption tag ignored: ";

/** An evaluation an exemption turned NOT_APPLICABLE, read back from its annotation. */
export const isExempted = (evaluation: { complianceType: string; annotation: string }): boolean =>
  evaluation.complianceType === "NOT_APPLICABLE" && evaluation.annotation.startsWith(EXEMPTED);

export function describeExemption(exemption: Exemption): string {
  const by = exemption.owner ? ` by ${exemption.owner}` : "";
  const until = exemption.expires ? ` until ${exemption.expires.label}` : " (no expiry)";
  const why = exemption.reason ? `: ${exemption.reason}` : "";
  return `${EXEMPTED} (${exemption.source})${by}${until}${why}`;
}

/** A verdict's annotation with the note that an exemption tag was ignored, and why, in front. */
export function withInvalidTagNote(annotation: string, problem: string): string {
  return `${INVALID_TAG_PREFIX}${problem}] ${annotation}`;
}

/** The reason an exemption tag was ignored, read back from an annotation. */
export function invalidTagOf(annotation: string): string | undefined {
  if (!annotation.startsWith(INVALID_TAG_PREFIX)) return undefined;
  const end = annotation.indexOf("] ", INVALID_TAG_PREFIX.length);
  return end < 0 ? annotation.slice(INVALID_TAG_PREFIX.length) : annotation.slice(INVALID_TAG_PREFIX.length, end);
}

const EXEMPTION_ANNOTATION = new RegExp(
  `^${EXEMPTED} \\((tag|file)\\)(?: by (.*?))?(?: until (\\d{4}-\\d{2}-\\d{2}(?:[Tt][\\d:.]+(?:[Zz]|[+-]\\d{2}:\\d{2}))?)| \\(no expiry\\))(?=: |$)`,
);

/** An exemption read back from an annotation {@link describeExemption} wrote (the reason is left out). */
export function exemptionOf(annotation: string): Omit<Exemption, "reason"> | undefined {
  const match = EXEMPTION_ANNOTATION.exec(annotation);
  if (!match) return undefined;
  const expires = match[3] === undefined ? undefined : parseExpiry(match[3]);
  return { source: match[1] as Exemption["source"], owner: match[2], expires };
}
