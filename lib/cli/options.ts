import { InvalidArgumentError } from "commander";
import { findRule, RULES } from "../../rules";
import { FRAMEWORK_IDS, isFrameworkId } from "../engine/controls";
import type { AnyRule, FrameworkId } from "../engine/rule";
import { InputError } from "../errors";
import { ExemptionPolicy, parseExemptionsFile } from "../exemptions/exemptions";
import { readJsonFile } from "../io/read-json-file";
import { KINDS, RESOURCE_KINDS } from "../model/kinds";
import type { ResourceModel } from "../model/resource-model";
import type { LoadedInput, SnapshotFormat } from "../sources/load";
import { REGION_NAME } from "../sources/recorded-snapshot";

/** The rule ids exemption files and tags may name. */
const RULE_IDS = RULES.map((rule) => rule.meta.id);

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
      throw new InputError(`no selected rule maps to framework ${framework} (selected: ${rules.map((rule) => rule.meta.id).join(", ")})`, {
        field: "--framework",
      });
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

/** An option that counts something: a whole number of `unit`, at least `min`. */
export function parseWholeNumber(raw: string, field: string, unit: string, min: number): number {
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
    throw new InputError(`expected a whole number of ${unit} >= ${min}, got ${JSON.stringify(raw)}`, { field });
  }
  return value;
}

/** `--max-exemption-days`: a whole number of days, at least 1. */
export function parseMaxExemptionDays(raw: string | undefined): number | undefined {
  return raw === undefined ? undefined : parseWholeNumber(raw, "--max-exemption-days", "days", 1);
}

/**
 * The exemption policy of an offline run: the tag key, the exemptions file (validated, its lapsed
 * entries warned about on stderr) and the longest exemption allowed.
 */
export async function readExemptions(path: string | undefined, tagKey: string | undefined, maxDays?: string): Promise<ExemptionPolicy> {
  const maxExemptionDays = parseMaxExemptionDays(maxDays);
  const now = new Date();
  const file = path
    ? parseExemptionsFile(await readJsonFile(path, "exemptions file"), path, { ruleIds: RULE_IDS, now, maxExemptionDays })
    : undefined;
  for (const warning of file?.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
  return new ExemptionPolicy({ ruleIds: RULE_IDS, file, tagKey, now, maxExemptionDays });
}

/** commander argument parsers: a malformed value is a usage error (exit 2) before any work. */
export function parseAccountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError("expected an account id of 12 digits");
  return value;
}

export function parseRegion(value: string): string {
  if (!REGION_NAME.test(value)) throw new InvalidArgumentError("expected a region name such as eu-west-1");
  return value;
}

/** What `--fail-on` makes exit 1: violations only, or also what could not be judged. */
export const FAIL_ON_LEVELS = ["non-compliant", "insufficient-data"] as const;
export type FailOn = (typeof FAIL_ON_LEVELS)[number];

const FORMAT_NAMES: Readonly<Record<SnapshotFormat, string>> = {
  recorded: "recorded snapshot",
  config: "AWS Config file",
  "config-recorders": "AWS Config recorder list",
  "describe-folder": "describe folder",
  "organization-recording": "organization recording",
};

/**
 * Refuses a run that made no evaluation at all (not even INSUFFICIENT_DATA): the inputs held no
 * resource of the selected rules' types, so a gate would pass without having judged anything.
 * The message says what was read and what was found.
 */
export function checkNotEmpty(
  evaluations: number,
  context: {
    rules: readonly AnyRule[];
    model: ResourceModel;
    inputs: readonly LoadedInput[];
    unread: ReadonlyMap<string, string[]>;
    allowEmpty?: boolean;
  },
): void {
  if (evaluations > 0 || context.allowEmpty) return;
  const { rules, model, inputs, unread } = context;
  const judged = [...new Set(rules.flatMap((rule) => rule.meta.resourceTypes))].sort();
  const read = inputs.map((input) => {
    const scopes = input.accountIds.length > 0 ? ` of ${input.accountIds.join(", ")} in ${input.regions.join(", ") || "no region"}` : "";
    const others = unread.get(input.path);
    return `${input.path} (${FORMAT_NAMES[input.format]}${scopes}${others ? `; not read by any rule: ${others.join(", ")}` : ""})`;
  });
  const found = RESOURCE_KINDS.filter((kind) => model.count(kind) > 0).map((kind) => `${model.count(kind)} ${KINDS[kind].configType}`);
  throw new InputError(
    `nothing to evaluate: the inputs hold no resource of the types the selected rules judge (${judged.join(", ")}), so no verdict at all was made; ` +
      `read ${read.join(", ")}; found ${found.length > 0 ? found.join(", ") : "no resource of a type the rules read"}. ` +
      "Give --allow-empty to accept an empty result",
  );
}
