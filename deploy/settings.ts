import { readFileSync } from "node:fs";
import * as z from "zod";
import { InputError } from "../lib/errors";

/** Config's periodic frequencies, MaximumExecutionFrequency (https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigRule.html). */
export const EXECUTION_FREQUENCIES = ["One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"] as const;
export type ExecutionFrequency = (typeof EXECUTION_FREQUENCIES)[number];

const frequency = z.enum(EXECUTION_FREQUENCIES);

/** When the scheduled report sends its digest. */
export const REPORT_NOTIFY = ["on-change", "always"] as const;

/** A rule parameter as an admin writes it; Config receives every value as a string. */
const parameterValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

const ruleSettings = z
  .object({
    /** The rule's own parameters, validated against its schema at package time. */
    parameters: z.record(z.string(), parameterValue).default({}),
    /** Overrides the stage-wide frequency for this rule's periodic runs. */
    maximumExecutionFrequency: frequency.optional(),
  })
  .strict();

export type RuleSettings = z.output<typeof ruleSettings>;

const awsAccountId = z.string().regex(/^\d{12}$/, { message: "expected a 12-digit AWS account id" });
const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { message: 'expected an AWS region such as "eu-west-1"' });

/**
 * The Config aggregator the organization report reads (lib/config/aggregator-results): the stack
 * builds one unless `name` and `arn` name an existing organization aggregator of the administrator
 * account in the stack's region.
 */
const aggregatorSettings = z
  .object({
    name: z
      .string()
      .regex(/^[\w-]{1,256}$/, { message: "expected a Config aggregator name (letters, digits, _ and -)" })
      .optional(),
    /** The existing aggregator's ARN (describe-configuration-aggregators): the report's aggregate calls are allowed on it alone. */
    arn: z
      .string()
      .regex(/^arn:aws[\w-]*:config:[a-z0-9-]+:\d{12}:config-aggregator\/[\w-]+$/, {
        message: 'expected an aggregator ARN such as "arn:aws:config:eu-west-1:123456789012:config-aggregator/config-aggregator-a1b2c3d4"',
      })
      .optional(),
    /** Regions whose results the report expects: "all" (the built aggregator takes AllAwsRegions) or a list; the stack's region when absent. */
    regions: z.union([z.literal("all"), z.array(awsRegion).min(1)]).optional(),
  })
  .strict()
  .superRefine((aggregator, context) => {
    if ((aggregator.name === undefined) !== (aggregator.arn === undefined)) {
      context.addIssue({
        code: "custom",
        path: [aggregator.name === undefined ? "name" : "arn"],
        message: "an existing aggregator needs both its name (for the API) and its ARN (for the report's permissions)",
      });
    }
  });

export const stageSettingsSchema = z
  .object({
    /** Periodic frequency of every rule that runs on a schedule. */
    maximumExecutionFrequency: frequency.default("TwentyFour_Hours"),
    /** Exemption tag key the rules honour (handler parameter ExemptionTagKey); the handler's default when absent. */
    exemptionTagKey: z.string().min(1).optional(),
    /** Exemption tags may exempt for at most this many days, and must then carry an expiry (handler parameter MaxExemptionDays). */
    maxExemptionDays: z.number().int().min(1).optional(),
    alerts: z
      .object({
        /** Subscribes this address to the alerts topic (the recipient must confirm). */
        email: z.email().optional(),
        /** Re-announce resources that stay non-compliant after this many minutes; off when absent. */
        renotifyMinutes: z.number().int().min(1).optional(),
        /** Runs that try to publish one announcement (or start one automation) before it goes to the dead-letter queue. */
        maxAttempts: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .default({ maxAttempts: 5 }),
    reports: z
      .object({
        /** EventBridge schedule of the report function. */
        schedule: z
          .string()
          .regex(/^(cron|rate)\(.+\)$/, { message: 'expected an EventBridge schedule such as "cron(0 6 * * ? *)"' })
          .default("cron(0 6 * * ? *)"),
        /** Reports are deleted from the bucket after this many days. */
        expirationDays: z.number().int().min(1).default(90),
        /** Validity of the pre-signed link in the digest; S3 allows at most 7 days. */
        linkExpirySeconds: z.number().int().min(60).max(604_800).default(86_400),
        /** `on-change`: a digest only when the diff has new, resolved or no-longer-verifiable findings (or on the first report); `always`: every run. */
        notify: z.enum(REPORT_NOTIFY).default("on-change"),
      })
      .strict()
      .default({ schedule: "cron(0 6 * * ? *)", expirationDays: 90, linkExpirySeconds: 86_400, notify: "on-change" }),
    securityHub: z
      .object({
        /** After each run, the rule functions import the findings that changed into Security Hub (the account's default product). */
        enabled: z.boolean().default(false),
      })
      .strict()
      .default({ enabled: false }),
    /** Days CloudWatch keeps the functions' logs. */
    logRetentionDays: z.number().int().min(1).default(30),
    organization: z
      .object({
        /** Deploy AWS::Config::OrganizationConfigRule (delegated administrator account) instead of account rules. */
        enabled: z.boolean().default(false),
        /** The role deploy/member-role.yml creates in each member account. */
        memberRoleName: z
          .string()
          .regex(/^[\w+=,.@-]{1,64}$/, { message: "expected an IAM role name" })
          .default("ec2-config-rules-member"),
        excludedAccounts: z.array(awsAccountId).default([]),
        /** The organization whose accounts the functions evaluate (env ORGANIZATION_ID, checked by lib/config/organization-guard); required when enabled. */
        organizationId: z
          .string()
          .regex(/^o-[a-z0-9]{10,32}$/, { message: 'expected an AWS Organizations id such as "o-a1b2c3d4e5"' })
          .optional(),
        /** The organization report's Config aggregator: built by the stack unless named. */
        aggregator: aggregatorSettings.default({}),
      })
      .strict()
      .superRefine((organization, context) => {
        if (organization.enabled && !organization.organizationId) {
          context.addIssue({
            code: "custom",
            path: ["organizationId"],
            message: "required in organization mode: the functions refuse events from accounts outside this organization",
          });
        }
      })
      .default({ enabled: false, memberRoleName: "ec2-config-rules-member", excludedAccounts: [], aggregator: {} }),
    organizationScan: z
      .object({
        /** Deploys the organization scan: a Step Functions Distributed Map over every active account × `regions` (deploy/scan.ts). */
        enabled: z.boolean().default(false),
        /** Items (account × region) scanned at once: Lambda concurrency and the member accounts' EC2 request rates bound it. */
        maxConcurrency: z.number().int().min(1).max(10_000).default(100),
        /** The role each item assumes in its account (deploy/member-role.yml creates it). */
        roleName: z
          .string()
          .regex(/^[\w+=,.@-]{1,64}$/, { message: "expected an IAM role name" })
          .default("ec2-config-rules-member"),
        /** Passed to sts:AssumeRole when the member role's trust policy asks for one. */
        externalId: z
          .string()
          .regex(/^[\w+=,.@:/-]{2,1224}$/, { message: "expected an external id (2 to 1224 of A-Z a-z 0-9 +=,.@:/-)" })
          .optional(),
        /** The regions scanned in every account; required when enabled. */
        regions: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { message: "expected a region name such as eu-west-1" })).default([]),
        /** EventBridge schedule that starts a scan; none when absent (start it with aws stepfunctions start-execution). */
        schedule: z
          .string()
          .regex(/^(cron|rate)\(.+\)$/, { message: 'expected an EventBridge schedule such as "cron(0 5 * * ? *)"' })
          .optional(),
      })
      .strict()
      .superRefine((scan, context) => {
        if (scan.enabled && scan.regions.length === 0) {
          context.addIssue({
            code: "custom",
            path: ["regions"],
            message: "required when the organization scan is enabled: the regions to scan in every account",
          });
        }
      })
      .default({ enabled: false, maxConcurrency: 100, roleName: "ec2-config-rules-member", regions: [] }),
    rules: z.record(z.string(), ruleSettings).default({}),
    /** Per rule: `{ "mode": "manual" | "automatic" | "config-automatic", "cap": 10, … }`, validated by remediation/ssm. */
    remediation: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type StageSettings = z.output<typeof stageSettingsSchema>;

/** Validates a parsed parameters file; errors name the file and the field. */
export function parseStageSettings(raw: unknown, file: string): StageSettings {
  const result = stageSettingsSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || undefined;
  const detail = issue?.code === "unrecognized_keys" ? `unknown key(s) ${issue.keys.join(", ")}` : (issue?.message ?? "invalid");
  throw new InputError(detail, { file, field });
}

export function loadStageSettings(file: string): StageSettings {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read the stage parameters file: ${(error as Error).message}`, { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not valid JSON: ${(error as Error).message}`, { file });
  }
  return parseStageSettings(raw, file);
}
