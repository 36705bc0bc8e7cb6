import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import type { AnyRule } from "../engine/rule";
import { InputError } from "../errors";
import { ExemptionPolicy, parseExemptionsFile } from "../exemptions/exemptions";
import { findRule, RULES } from "../../rules";

/** Reads a small JSON file (plain or gzipped), naming the file in every error. */
export async function readJsonFile(path: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === "ENOENT" ? "file not found" : `cannot read (${code ?? (error as Error).message})`, { file: path });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new InputError(`corrupt or truncated gzip (${(error as Error).message})`, { file: path });
    }
  }
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { file: path });
  }
}

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
  const content = await readJsonFile(path);
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
  const file = path ? parseExemptionsFile(await readJsonFile(path), path) : undefined;
  return new ExemptionPolicy({ file, tagKey });
}
