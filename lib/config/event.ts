import { InputError } from "../errors";
import * as z from "../zod";

/**
 * The event AWS Config sends a custom Lambda rule (https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_example-events.html).
 * @types/aws-lambda has no type for it. `invokingEvent` and `ruleParameters` are JSON strings that are parsed a second time.
 */
export interface ConfigEvent {
  version?: string;
  invokingEvent: string;
  ruleParameters?: string;
  resultToken: string;
  eventLeftScope?: boolean;
  executionRoleArn?: string;
  configRuleArn?: string;
  configRuleName?: string;
  configRuleId?: string;
  accountId: string;
  evaluationMode?: string;
}

export const CHANGE = "ConfigurationItemChangeNotification";
export const OVERSIZED = "OversizedConfigurationItemChangeNotification";
export const SCHEDULED = "ScheduledNotification";

const timestamp = z
  .union([z.string(), z.date()])
  .check(z.refine((value) => !Number.isNaN(new Date(value).getTime()), { message: "not a valid timestamp" }));

const accountId = z.string().check(z.regex(/^\d{12}$/, { message: "not a 12-digit account id" }));

export const configEventSchema = z.object({
  version: z.optional(z.string()),
  invokingEvent: z.string({ error: "required, a JSON string" }),
  ruleParameters: z.optional(z.string()),
  resultToken: z.string({ error: "required" }).check(z.minLength(1, { message: "must not be empty" })),
  eventLeftScope: z.optional(z.boolean()),
  executionRoleArn: z.optional(z.string()),
  configRuleArn: z.optional(z.string()),
  configRuleName: z.optional(z.string()),
  configRuleId: z.optional(z.string()),
  accountId,
  evaluationMode: z.optional(z.string()),
}) satisfies z.ZodMiniType<ConfigEvent>;

/**
 * The part of a configuration item every event needs, common to both CI shapes (notification
 * and GetResourceConfigHistory): which resource, where, its status and when it was captured.
 * The configuration itself is validated by the Config-item adapter.
 */
const nonEmpty = () => z.string().check(z.minLength(1));

export const itemHeaderSchema = z.looseObject({
  resourceType: nonEmpty(),
  resourceId: nonEmpty(),
  configurationItemStatus: nonEmpty(),
  configurationItemCaptureTime: timestamp,
  awsRegion: z.optional(z.string()),
  awsAccountId: z.optional(z.string()),
  accountId: z.optional(z.string()),
});

export type ItemHeader = z.output<typeof itemHeaderSchema>;

const changeSchema = z.object({
  messageType: z.literal(CHANGE),
  notificationCreationTime: z.optional(timestamp),
  configurationItem: itemHeaderSchema,
});

const oversizedSchema = z.object({
  messageType: z.literal(OVERSIZED),
  notificationCreationTime: z.optional(timestamp),
  configurationItemSummary: itemHeaderSchema,
});

const scheduledSchema = z.object({
  messageType: z.literal(SCHEDULED),
  notificationCreationTime: timestamp,
  awsAccountId: z.optional(z.string()),
});

const invokingEventSchema = z.discriminatedUnion("messageType", [changeSchema, oversizedSchema, scheduledSchema]);

export type InvokingEvent = z.output<typeof invokingEventSchema>;
export type MessageType = InvokingEvent["messageType"];

export interface ParsedConfigEvent {
  event: ConfigEvent;
  invoking: InvokingEvent;
  /** `ruleParameters` parsed; absent or `""` is `{}`. */
  parameters: Record<string, unknown>;
}

function fail(issues: readonly z.core.$ZodIssue[], prefix: string): never {
  const issue = issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter((part) => part !== "").join(".");
  let problem = issue?.message ?? "invalid";
  if (issue?.code === "invalid_union" && issue.path.length === 0 && prefix === "invokingEvent") {
    problem = `messageType must be one of ${CHANGE}, ${OVERSIZED}, ${SCHEDULED}`;
  }
  throw new InputError(`invalid Config event: ${problem}`, { field: path || undefined });
}

function parseJsonField(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`invalid Config event: not valid JSON (${(error as Error).message})`, { field });
  }
}

/**
 * Validates a Config rule event and parses its two JSON-string members. Every error is an
 * {@link InputError} naming the field, e.g. `field invokingEvent.configurationItem.resourceId`.
 */
export function parseConfigEvent(input: unknown): ParsedConfigEvent {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new InputError("invalid Config event: expected a JSON object");
  }
  const envelope = configEventSchema.safeParse(input);
  if (!envelope.success) fail(envelope.error.issues, "");
  const event = envelope.data;

  const invokingJson = parseJsonField(event.invokingEvent, "invokingEvent");
  if (typeof invokingJson !== "object" || invokingJson === null) {
    throw new InputError("invalid Config event: expected a JSON object", { field: "invokingEvent" });
  }
  const messageType = (invokingJson as { messageType?: unknown }).messageType;
  if (![CHANGE, OVERSIZED, SCHEDULED].includes(messageType as string)) {
    throw new InputError(
      `invalid Config event: unsupported messageType ${JSON.stringify(messageType)} (expected ${CHANGE}, ${OVERSIZED} or ${SCHEDULED})`,
      { field: "invokingEvent.messageType" },
    );
  }
  const invoking = invokingEventSchema.safeParse(invokingJson);
  if (!invoking.success) fail(invoking.error.issues, "invokingEvent");

  const rawParameters = event.ruleParameters?.trim() ? parseJsonField(event.ruleParameters, "ruleParameters") : {};
  if (typeof rawParameters !== "object" || rawParameters === null || Array.isArray(rawParameters)) {
    throw new InputError("invalid Config event: expected a JSON object", { field: "ruleParameters" });
  }
  return { event, invoking: invoking.data, parameters: rawParameters as Record<string, unknown> };
}

/**
 * Parameters the Lambda wrapper reads itself (RDK's names where RDK has one); every other
 * parameter belongs to the rule and is validated by its schema.
 */
export interface HandlerParameters {
  /** Assume the event's executionRoleArn (or ExecutionRoleName) before calling AWS. Default false. */
  assumeRole: boolean;
  /** A role name in the rule's account, or a full role ARN, to assume instead of executionRoleArn. */
  executionRoleName?: string;
  /** The exemption tag key (default `compliance-exempt`). */
  exemptionTagKey?: string;
  /** Exemption tags may exempt for at most this many days, and must then carry an expiry. */
  maxExemptionDays?: number;
}

const HANDLER_PARAMETER_NAMES = ["AssumeRoleMode", "ExecutionRoleName", "ExemptionTagKey", "MaxExemptionDays"] as const;

const handlerParametersSchema = z.strictObject({
  AssumeRoleMode: z.optional(
    z.pipe(
      z.union([z.boolean(), z.enum(["true", "false", "True", "False", "TRUE", "FALSE"])]),
      z.transform((value) => value === true || String(value).toLowerCase() === "true"),
    ),
  ),
  ExecutionRoleName: z.optional(nonEmpty()),
  ExemptionTagKey: z.optional(nonEmpty()),
  // Config passes every value as a string.
  MaxExemptionDays: z.optional(
    z.pipe(
      z.union([z.int(), z.string().check(z.regex(/^\s*\d+\s*$/, { message: "expected a whole number of days" }))]),
      z.pipe(z.transform(Number), z.int().check(z.gte(1))),
    ),
  ),
});

/** Splits raw rule parameters into the wrapper's own and the rule's. */
export function splitParameters(raw: Record<string, unknown>): {
  handler: HandlerParameters;
  rule: Record<string, unknown>;
} {
  const own: Record<string, unknown> = {};
  const rule: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if ((HANDLER_PARAMETER_NAMES as readonly string[]).includes(name)) own[name] = value;
    else rule[name] = value;
  }
  const parsed = handlerParametersSchema.safeParse(own);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "?");
    throw new InputError(`invalid parameter ${name} = ${JSON.stringify(own[name])}: ${issue?.message ?? "invalid"}`, {
      field: `ruleParameters.${name}`,
    });
  }
  const { AssumeRoleMode, ExecutionRoleName, ExemptionTagKey, MaxExemptionDays } = parsed.data;
  return {
    handler: {
      assumeRole: AssumeRoleMode ?? ExecutionRoleName !== undefined,
      executionRoleName: ExecutionRoleName,
      exemptionTagKey: ExemptionTagKey,
      maxExemptionDays: MaxExemptionDays,
    },
    rule,
  };
}
