import * as z from "../zod";
import { InputError } from "../errors";
import type { Tags } from "../model/types";

/** What an exemption can match on: a resource's id, tags and name. */
export interface ExemptionSubject {
  id: string;
  tags: Tags;
  name?: string;
}

export const DEFAULT_EXEMPTION_TAG_KEY = "compliance-exempt";

/** An exemption that applies to one resource and rule, with who granted it, why and until when. */
export interface Exemption {
  source: "tag" | "file";
  reason?: string;
  owner?: string;
  /** End of the exemption (exclusive); absent only for tag exemptions without an expiry tag. */
  expires?: Date;
}

const isoDate = z.pipe(
  z.string().check(z.refine((value) => !Number.isNaN(Date.parse(value)), { message: "not an ISO 8601 date" })),
  z.transform((value) => new Date(value)),
);

const nonEmpty = () => z.string().check(z.minLength(1));

const ruleList = z.union([z.literal("all"), z.array(nonEmpty()).check(z.minLength(1))]);

const fileEntry = z
  .strictObject({
    rules: z._default(ruleList, "all"),
    resourceId: z.optional(nonEmpty()),
    tag: z.optional(z.strictObject({ key: nonEmpty(), value: z.optional(z.string()) })),
    namePattern: z.optional(nonEmpty()),
    reason: nonEmpty(),
    owner: nonEmpty(),
    expires: isoDate,
  })
  .check(
    z.refine((entry) => [entry.resourceId, entry.tag, entry.namePattern].filter(Boolean).length === 1, {
      message: "give exactly one of resourceId, tag or namePattern",
    }),
  );

export const exemptionsFileSchema = z.strictObject({ exemptions: z.array(fileEntry) });

export type ExemptionsFile = z.output<typeof exemptionsFileSchema>;
type FileEntry = ExemptionsFile["exemptions"][number];

/** Matches a whole name against a glob with `*` and `?` (anchored, so `logs` never matches `prod-logs`). */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

interface CompiledEntry {
  entry: FileEntry;
  rules: ReadonlySet<string> | "all";
  name?: RegExp;
}

export interface ExemptionOptions {
  tagKey?: string;
  /** Entries from an exemptions file (offline only). */
  file?: ExemptionsFile;
  now?: Date;
}

/**
 * Decides whether a resource is exempt from a rule: by its tag (`compliance-exempt` = `all` or a
 * list of rule ids, with optional `-reason`, `-owner` and `-expires` tags beside it) or by an
 * exemptions file entry. Expired exemptions no longer apply. The same object serves the CLI, the
 * Lambda, the reports and remediation, so they all exempt the same resources.
 */
export class ExemptionPolicy {
  readonly tagKey: string;
  private readonly now: Date;
  private readonly entries: CompiledEntry[];

  constructor(options: ExemptionOptions = {}) {
    this.tagKey = options.tagKey ?? DEFAULT_EXEMPTION_TAG_KEY;
    this.now = options.now ?? new Date();
    this.entries = (options.file?.exemptions ?? []).map((entry) => ({
      entry,
      rules: entry.rules === "all" ? "all" : new Set(entry.rules),
      name: entry.namePattern ? globToRegExp(entry.namePattern) : undefined,
    }));
  }

  /** Whether some unexpired exemptions-file entry covers this rule (tag exemptions aside). */
  hasFileEntriesFor(ruleId: string): boolean {
    return this.entries.some(({ entry, rules }) => (rules === "all" || rules.has(ruleId)) && entry.expires > this.now);
  }

  find(ruleId: string, resource: ExemptionSubject): Exemption | undefined {
    return this.fromTags(ruleId, resource.tags) ?? this.fromFile(ruleId, resource);
  }

  private fromTags(ruleId: string, tags: Tags): Exemption | undefined {
    const value = tags[this.tagKey];
    if (value === undefined) return undefined;
    const listed = value
      .split(/[\s,;:/+]+/)
      .map((item) => item.trim().toLowerCase())
      .filter((item) => item.length > 0);
    if (!listed.includes("all") && !listed.includes(ruleId)) return undefined;
    const expiresTag = tags[`${this.tagKey}-expires`];
    const expires = expiresTag && !Number.isNaN(Date.parse(expiresTag)) ? new Date(expiresTag) : undefined;
    if (expires && expires <= this.now) return undefined;
    return {
      source: "tag",
      reason: tags[`${this.tagKey}-reason`],
      owner: tags[`${this.tagKey}-owner`],
      expires,
    };
  }

  private fromFile(ruleId: string, resource: ExemptionSubject): Exemption | undefined {
    for (const { entry, rules, name } of this.entries) {
      if (rules !== "all" && !rules.has(ruleId)) continue;
      if (entry.expires <= this.now) continue;
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

export function describeExemption(exemption: Exemption): string {
  const by = exemption.owner ? ` by ${exemption.owner}` : "";
  const until = exemption.expires ? ` until ${exemption.expires.toISOString().slice(0, 10)}` : " (no expiry)";
  const why = exemption.reason ? `: ${exemption.reason}` : "";
  return `Exempted (${exemption.source})${by}${until}${why}`;
}

/** Validates a parsed exemptions file, naming the file and the field of the first problem. */
export function parseExemptionsFile(content: unknown, file: string): ExemptionsFile {
  const result = exemptionsFileSchema.safeParse(content);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join(".") : undefined;
  throw new InputError(issue?.message ?? "invalid exemptions file", { file, field });
}
