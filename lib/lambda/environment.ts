import { InputError } from "../errors";
import type * as z from "../zod";

/**
 * Parses an environment with a zod schema, naming the variable at fault
 * (`field environment ALERTS_MAX_ATTEMPTS: expected …`).
 */
export function parseEnvironment<S extends z.ZodMiniType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new InputError(issue?.message ?? "invalid", { field: `environment ${String(issue?.path[0] ?? "?")}` });
}
