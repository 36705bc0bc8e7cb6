import * as z from "../zod";
import { type AnyRule, allowedValues } from "./rule";

/**
 * What `rules` listings and the generated docs say of each parameter. Apart from lib/engine/rule.ts,
 * so that zod's JSON Schema generator, which gives each parameter's type, stays out of the
 * rule functions' bundles: they only validate.
 */

interface ParameterJsonSchema {
  type?: string | string[];
  enum?: unknown[];
  items?: { enum?: unknown[] };
}

/** The parameter names, types, allowed values and defaults of a rule. */
export function describeParameters(rule: AnyRule): { name: string; type: string; allowed?: string[]; default: unknown }[] {
  // Parsing no parameters at all yields exactly the defaults the rule runs with.
  const defaults = rule.meta.parameters.parse({}) as Record<string, unknown>;
  const json = z.toJSONSchema(rule.meta.parameters, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, ParameterJsonSchema>;
  };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => {
    const allowed = allowedValues(rule, name);
    const type = schema.enum
      ? schema.enum.join("|")
      : schema.items?.enum
        ? `list of ${schema.items.enum.join("|")}`
        : Array.isArray(schema.type)
          ? schema.type.join("|")
          : (schema.type ?? "any");
    return { name, type, ...(allowed ? { allowed } : {}), default: defaults[name] };
  });
}
