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

export async function readExemptions(path: string | undefined, tagKey: string | undefined): Promise<ExemptionPolicy> {
  const file = path ? parseExemptionsFile(await readJsonFile(path, "exemptions file"), path) : undefined;
  return new ExemptionPolicy({ file, tagKey });
}
