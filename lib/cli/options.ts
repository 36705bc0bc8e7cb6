import type { AnyRule } from "../engine/rule";
import { InputError } from "../errors";
import { ExemptionPolicy, parseExemptionsFile } from "../exemptions/exemptions";
import { readJsonFile } from "../io/read-json-file";
import { findRule, RULES } from "../../rules";

/** `--rule` ids → rule modules; every rule when none is given. */
export function selectRules(ids: readonly string[] | undefined): AnyRule[] {
  if (!ids || ids.length === 0) return [...RULES];
  return ids.map((id) => {
    const rule = findRule(id);
    if (!rule) {
      throw new InputError(`unknown rule id "${id}" (known: ${RULES.map((known) => known.meta.id).join(", ")})`, { field: "--rule" });
    }
    return rule;
  });
}

/**
 * A parameters file: `{ "<rule id>": { "<parameter>": value } }`, the same values a Config rule's
 * InputParameters would carry. Unknown rule ids are refused so a typo never goes unnoticed.
 */
export async function readParamsFile(path: string | undefined): Promise<Record<string, Record<string, unknown>>> {
  if (!path) return {};
  const content = await readJsonFile(path, "parameters file");
  if (content === null || typeof content !== "object" || Array.isArray(content)) {
    throw new InputError("expected an object keyed by rule id", { file: path });
  }
  for (const [ruleId, params] of Object.entries(content)) {
    if (!findRule(ruleId)) throw new InputError(`unknown rule id "${ruleId}"`, { file: path, field: ruleId });
    if (params === null || typeof params !== "object" || Array.isArray(params)) {
      throw new InputError("expected an object of parameters", { file: path, field: ruleId });
    }
  }
  return content as Record<string, Record<string, unknown>>;
}

/** `--max-exemption-days`: a whole number of days, at least 1. */
export function parseMaxExemptionDays(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const days = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(days) || days < 1) {
    throw new InputError(`expected a whole number of days >= 1, got ${JSON.stringify(raw)}`, { field: "--max-exemption-days" });
  }
  return days;
}

/**
 * The exemption policy of an offline run: the tag key, the exemptions file (validated, its lapsed
 * entries warned about on stderr) and the longest exemption allowed.
 */
export async function readExemptions(path: string | undefined, tagKey: string | undefined, maxDays?: string): Promise<ExemptionPolicy> {
  const maxExemptionDays = parseMaxExemptionDays(maxDays);
  const now = new Date();
  const file = path ? parseExemptionsFile(await readJsonFile(path, "exemptions file"), path, { now, maxExemptionDays }) : undefined;
  for (const warning of file?.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
  return new ExemptionPolicy({ file, tagKey, now, maxExemptionDays });
}
