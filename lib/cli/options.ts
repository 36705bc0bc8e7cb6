import { InvalidArgumentError } from "commander";
import { FRAMEWORK_IDS, isFrameworkId } from "../engine/controls";
import type { AnyRule, FrameworkId } from "../engine/rule";
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

/** `--framework` values, repeatable or comma-separated, each checked against the known frameworks. */
export function parseFrameworkOption(value: string, previous: FrameworkId[] = []): FrameworkId[] {
  const ids = value
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (ids.length === 0) throw new InvalidArgumentError(`expected a framework id (${FRAMEWORK_IDS.join(", ")})`);
  for (const id of ids) {
    if (!isFrameworkId(id)) throw new InvalidArgumentError(`unknown framework "${id}" (known: ${FRAMEWORK_IDS.join(", ")})`);
  }
  return [...new Set([...previous, ...(ids as FrameworkId[])])];
}

/**
 * Keeps the rules that map to at least one of the frameworks. A framework none of the rules maps is
 * an error rather than an empty, passing run.
 */
export function filterByFramework(rules: readonly AnyRule[], frameworks: readonly FrameworkId[] | undefined): AnyRule[] {
  if (!frameworks || frameworks.length === 0) return [...rules];
  for (const framework of frameworks) {
    if (!rules.some((rule) => rule.meta.controls.some((control) => control.framework === framework))) {
      throw new InputError(
        `no selected rule maps to framework ${framework} (selected: ${rules.map((rule) => rule.meta.id).join(", ")})`,
        { field: "--framework" },
      );
    }
  }
  return rules.filter((rule) => rule.meta.controls.some((control) => frameworks.includes(control.framework)));
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
