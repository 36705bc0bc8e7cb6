import { InputError } from "../errors";
import * as z from "../zod";

const jsonOf = <T extends z.ZodMiniType>(schema: T, expected: string) =>
  z.pipe(
    z.string(),
    z.transform((text, context) => {
      try {
        return schema.parse(JSON.parse(text)) as z.output<T>;
      } catch {
        context.issues.push({ code: "custom", message: `expected JSON ${expected}`, input: text });
        return z.NEVER;
      }
    }),
  );

const settingsSchema = z.object({
  SCAN_BUCKET: z.string().check(z.minLength(3)),
  /** The member role each item assumes (organizationScan.roleName). */
  SCAN_ROLE_NAME: z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/)),
  SCAN_EXTERNAL_ID: z.optional(z.string().check(z.minLength(2))),
  SCAN_REGIONS: jsonOf(z.array(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/))).check(z.minLength(1)), '["eu-west-1", …]'),
  SCAN_EXCLUDED_ACCOUNTS: z._default(jsonOf(z.array(z.string().check(z.regex(/^\d{12}$/))), '["111111111111", …]'), []),
  SCAN_RULE_PARAMETERS: z._default(jsonOf(z.record(z.string(), z.record(z.string(), z.unknown())), '{"<rule id>": {…}}'), {}),
  SCAN_EXEMPTION_TAG_KEY: z.optional(z.string().check(z.minLength(1))),
  SCAN_MAX_EXEMPTION_DAYS: z.optional(z.coerce.number().check(z.int(), z.gte(1))),
  ALERTS_TOPIC_ARN: z.optional(z.string().check(z.startsWith("arn:"))),
  REPORT_LINK_EXPIRY_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(60), z.lte(604_800)), 86_400),
  REPORT_NOTIFY: z._default(z.enum(["on-change", "always"]), "on-change"),
  AWS_REGION: z.string().check(z.minLength(1)),
});

export type ScanSettings = z.output<typeof settingsSchema>;

/** The scan functions' settings from their environment (deploy/scan.ts sets them), naming the variable at fault. */
export function scanSettings(env: NodeJS.ProcessEnv = process.env): ScanSettings {
  const result = settingsSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new InputError(issue?.message ?? "invalid", { field: `environment ${String(issue?.path[0] ?? "?")}` });
}
