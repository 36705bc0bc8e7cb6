import type { ConfigServiceClient } from "@aws-sdk/client-config-service";
import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { Bulletin } from "../alerts/bulletin";
import { publishBulletin } from "../alerts/publish";
import { readConfigResults } from "../config/config-results";
import type { AnyRule } from "../engine/rule";
import { buildReport, buildReportAgainst, type Report, reportRuleOf } from "../reports/model";
import { hasNotableChange, latestReportKey, readPreviousReport, writeReport } from "../reports/scheduled";
import * as z from "../zod";
import { parseEnvironment } from "./environment";
import { reportBulletin } from "./report-digest";

const settingsSchema = z.object({
  ALERTS_TOPIC_ARN: z.string().check(z.startsWith("arn:")),
  REPORTS_BUCKET: z.string().check(z.minLength(3)),
  REPORT_LINK_EXPIRY_SECONDS: z.coerce.number().check(z.int(), z.gte(60), z.lte(604_800)),
  CONFIG_RULE_NAMES: z.pipe(
    z.string(),
    z.transform((text, context) => {
      try {
        return z.record(z.string(), z.string().check(z.minLength(1))).parse(JSON.parse(text));
      } catch {
        context.issues.push({ code: "custom", message: 'expected JSON {"<rule id>": "<Config rule name>"}', input: text });
        return z.NEVER;
      }
    }),
  ),
  REPORT_NOTIFY: z._default(z.enum(["on-change", "always"]), "on-change"),
  AWS_REGION: z.string().check(z.minLength(1)),
  /** Organization mode: the aggregator whose organization rules' results the report reads (CONFIG_RULE_NAMES then names organization rules). */
  AGGREGATOR_NAME: z.optional(z.string().check(z.regex(/^[\w-]{1,256}$/))),
  /** `all` (the aggregator's source regions) or comma-separated regions the results are expected in. */
  AGGREGATOR_REGIONS: z._default(z.string().check(z.regex(/^(all|[a-z0-9-]+(,[a-z0-9-]+)*)$/)), "all"),
  /** Comma-separated accounts the organization rules exclude. */
  EXCLUDED_ACCOUNTS: z._default(z.string().check(z.regex(/^(\d{12}(,\d{12})*)?$/)), ""),
});

export type ScheduledReportSettings = z.output<typeof settingsSchema>;

/** The function's settings from its environment (deploy/stack.ts sets them), naming the variable at fault. */
export const scheduledReportSettings = (env: NodeJS.ProcessEnv = process.env): ScheduledReportSettings =>
  parseEnvironment(settingsSchema, env);

export interface ScheduledReportClients {
  config: ConfigServiceClient;
  s3: S3Client;
  sns: SNSClient;
  /** Organization mode only (AGGREGATOR_NAME): the expected accounts. */
  organizations?: OrganizationsClient;
}

export interface ScheduledReportResult {
  htmlKey: string;
  jsonKey: string;
  previousKey?: string;
  link: string;
  report: Report;
  digest: Bulletin;
  /** False when `reports.notify` is on-change and nothing changed: no digest sent. */
  notified: boolean;
  messageIds: string[];
}

/** This account's results, or in organization mode the organization rules' results in every account and region. */
async function readResults(settings: ScheduledReportSettings, clients: ScheduledReportClients, accountId: string) {
  const region = settings.AWS_REGION;
  if (!settings.AGGREGATOR_NAME) {
    return {
      evaluations: await readConfigResults(clients.config, { configRuleNames: settings.CONFIG_RULE_NAMES, region, accountId }),
      scopes: [{ region, accountId }],
      inputs: [{ path: `aws-config:${region}`, format: "config-results", accountIds: [accountId], regions: [region] }],
    };
  }
  if (!clients.organizations) throw new Error("organization report: no Organizations client to list the expected accounts");
  const list = (text: string) => text.split(",").filter((item) => item.length > 0);
  // Loaded only in organization mode: the Lambda bundle leaves Organizations to the runtime's SDK
  // (serverless.yml), and a static import would load that SDK client at every cold start.
  const { readAggregatorResults } = await import("../config/aggregator-results");
  const results = await readAggregatorResults(
    { config: clients.config, organizations: clients.organizations },
    {
      aggregatorName: settings.AGGREGATOR_NAME,
      organizationRuleNames: settings.CONFIG_RULE_NAMES,
      regions: settings.AGGREGATOR_REGIONS === "all" ? "all" : list(settings.AGGREGATOR_REGIONS),
      excludedAccounts: list(settings.EXCLUDED_ACCOUNTS),
    },
  );
  return {
    evaluations: results.evaluations,
    scopes: results.scopes,
    inputs: [
      {
        path: `aws-config-aggregator:${region}/${settings.AGGREGATOR_NAME}`,
        format: "config-aggregator-results",
        accountIds: results.accountIds,
        regions: results.regions,
      },
    ],
  };
}

/**
 * The scheduled report: AWS Config's current results for the stack's rules (those of `rules` named
 * in CONFIG_RULE_NAMES), diffed against the newest JSON report in the bucket, written as HTML and
 * JSON under dated keys, announced through the alerts sink in one SNS digest with a pre-signed link
 * to the HTML: on every run with REPORT_NOTIFY=always, otherwise only when something changed (see
 * {@link hasNotableChange}).
 */
export async function runScheduledReport(
  settings: ScheduledReportSettings,
  clients: ScheduledReportClients,
  accountId: string,
  rules: readonly AnyRule[],
  options: { now?: () => Date; version?: string } = {},
): Promise<ScheduledReportResult> {
  const bucket = settings.REPORTS_BUCKET;
  const { evaluations, scopes, inputs } = await readResults(settings, clients, accountId);
  const previousKey = await latestReportKey(clients.s3, bucket);
  const ruleIds = new Set(Object.keys(settings.CONFIG_RULE_NAMES));
  const build = {
    evaluations,
    rules: rules.filter((rule) => ruleIds.has(rule.meta.id)).map(reportRuleOf),
    scopes,
    inputs,
    tool: { name: "ec2-config-rules", version: options.version ?? "0.1.0" },
    now: options.now,
  };
  // The previous report is read as a stream against this run's evaluations, never held whole.
  const report = previousKey
    ? await buildReportAgainst(build, (take) => readPreviousReport(clients.s3, bucket, previousKey, take))
    : buildReport(build);
  const { htmlKey, jsonKey, link } = await writeReport(clients.s3, bucket, report, settings.REPORT_LINK_EXPIRY_SECONDS);
  const digest = reportBulletin(report, link, settings.REPORT_LINK_EXPIRY_SECONDS, `s3://${bucket}/${jsonKey}`);
  const notify = settings.REPORT_NOTIFY === "always" || hasNotableChange(report);
  const messageIds = notify ? await publishBulletin(clients.sns, settings.ALERTS_TOPIC_ARN, digest) : [];
  return { htmlKey, jsonKey, previousKey, link, report, digest, notified: notify, messageIds };
}
