import {
  type ConfigServiceClient,
  paginateDescribeComplianceByConfigRule,
  paginateGetComplianceDetailsByConfigRule,
} from "@aws-sdk/client-config-service";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import type { Bulletin } from "../alerts/bulletin";
import { publishBulletin } from "../alerts/publish";
import * as z from "../zod";
import { ACCOUNT_RESOURCE_TYPE, type ComplianceType, type Evaluation } from "../engine/rule";
import { InputError } from "../errors";
import { readAggregatorResults } from "../config/aggregator-results";
import { RULES } from "../../rules";
import { renderHtml } from "./html";
import { parseReport, renderJson } from "./json";
import { accountsFailingFirst, buildReport, type Finding, type Report, reportRuleOf } from "./model";

export const REPORTS_PREFIX = "reports/";
/** Findings named per change in the SNS digest; the rest are counted. */
const DIGEST_FINDINGS = 10;
/** Accounts (or regions) an organization digest names in one message attribute at most. */
const MAX_ATTRIBUTE_VALUES = 100;

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
export function scheduledReportSettings(env: NodeJS.ProcessEnv = process.env): ScheduledReportSettings {
  const result = settingsSchema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new InputError(issue?.message ?? "invalid", { field: `environment ${String(issue?.path[0] ?? "?")}` });
}

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

const COMPLIANCE: ReadonlySet<string> = new Set(["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE", "INSUFFICIENT_DATA"]);

/** AWS Config's current results for the stack's rules, as evaluations: every page of both APIs. */
async function readConfigResults(
  config: ConfigServiceClient,
  settings: ScheduledReportSettings,
  accountId: string,
): Promise<Evaluation[]> {
  const ruleIdByName = new Map(Object.entries(settings.CONFIG_RULE_NAMES).map(([ruleId, name]) => [name, ruleId]));
  const names = [...ruleIdByName.keys()];
  const evaluations: Evaluation[] = [];
  const region = settings.AWS_REGION;
  // A rule with no results at all is INSUFFICIENT_DATA in Config: report it, never read it as compliant.
  const withoutResults: string[] = [];
  for await (const page of paginateDescribeComplianceByConfigRule({ client: config }, { ConfigRuleNames: names })) {
    for (const entry of page.ComplianceByConfigRules ?? []) {
      if (entry.ConfigRuleName && entry.Compliance?.ComplianceType === "INSUFFICIENT_DATA") withoutResults.push(entry.ConfigRuleName);
    }
  }
  for (const name of names) {
    const ruleId = ruleIdByName.get(name) as string;
    if (withoutResults.includes(name)) {
      evaluations.push({
        ruleId,
        resourceType: ACCOUNT_RESOURCE_TYPE,
        resourceId: accountId,
        region,
        accountId,
        complianceType: "INSUFFICIENT_DATA",
        annotation: `AWS Config has no results for rule ${name} yet`,
      });
      continue;
    }
    const pages = paginateGetComplianceDetailsByConfigRule(
      { client: config, pageSize: 100 },
      { ConfigRuleName: name, ComplianceTypes: ["COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"] },
    );
    for await (const page of pages) {
      for (const result of page.EvaluationResults ?? []) {
        const qualifier = result.EvaluationResultIdentifier?.EvaluationResultQualifier;
        if (!qualifier?.ResourceId || !qualifier.ResourceType || !COMPLIANCE.has(result.ComplianceType ?? "")) continue;
        evaluations.push({
          ruleId,
          resourceType: qualifier.ResourceType,
          resourceId: qualifier.ResourceId,
          region,
          accountId,
          complianceType: result.ComplianceType as ComplianceType,
          annotation: result.Annotation ?? "",
        });
      }
    }
  }
  return evaluations;
}

/** This account's results, or in organization mode the organization rules' results in every account and region. */
async function readResults(settings: ScheduledReportSettings, clients: ScheduledReportClients, accountId: string) {
  const region = settings.AWS_REGION;
  if (!settings.AGGREGATOR_NAME) {
    return {
      evaluations: await readConfigResults(clients.config, settings, accountId),
      scopes: [{ region, accountId }],
      inputs: [{ path: `aws-config:${region}`, format: "config-results", accountIds: [accountId], regions: [region] }],
    };
  }
  if (!clients.organizations) throw new Error("organization report: no Organizations client to list the expected accounts");
  const list = (text: string) => text.split(",").filter((item) => item.length > 0);
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

/** The newest JSON report in the bucket (keys are dated, so the greatest key is the latest). */
async function latestReportKey(s3: S3Client, bucket: string): Promise<string | undefined> {
  let latest: string | undefined;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: REPORTS_PREFIX, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key?.endsWith(".json") && (latest === undefined || object.Key > latest)) latest = object.Key;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return latest;
}

async function readPreviousReport(s3: S3Client, bucket: string, key: string): Promise<Report> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await object.Body?.transformToString("utf-8")) ?? "";
  const where = `s3://${bucket}/${key}`;
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not JSON: ${(error as Error).message}`, { file: where });
  }
  return parseReport(content, where);
}

/** `reports/2026/11/23/compliance-2026-11-23T06-00-00-000Z`: sorts by time, one folder per day. */
export function reportKeyBase(generatedAt: string): string {
  const [year, month, day] = generatedAt.slice(0, 10).split("-");
  return `${REPORTS_PREFIX}${year}/${month}/${day}/compliance-${generatedAt.replace(/[:.]/g, "-")}`;
}

const line = (finding: Finding): string =>
  `- ${finding.ruleId} ${finding.resourceType} ${finding.resourceId} (${finding.accountId} ${finding.region}): ${finding.annotation}`;

/** Accounts named in a digest's intro. */
const DIGEST_ACCOUNTS = 10;

const record = (finding: Finding) => ({
  ruleId: finding.ruleId,
  severity: finding.severity,
  resourceType: finding.resourceType,
  resourceId: finding.resourceId,
  region: finding.region,
  accountId: finding.accountId,
  complianceType: finding.complianceType,
  annotation: finding.annotation,
  firstSeen: finding.firstSeen,
});

/** Whether the report's diff holds a change worth a digest under `reports.notify: on-change`; the first report always is one. */
export function hasNotableChange(report: Report): boolean {
  const diff = report.diff;
  return !diff || diff.counts.new + diff.counts.resolved + diff.counts.unverified > 0;
}

/**
 * The report's digest, as a bulletin the alerts code publishes (lib/alerts/publish.ts): counts, the
 * main changes, the link, and the message attributes of the rule digests (kind, ruleId, severity,
 * accountId, region, complianceType), so that one subscription filter serves both.
 */
export function reportBulletin(report: Report, link: string, expirySeconds: number, jsonUri: string): Bulletin {
  const { totals } = report.summary;
  const diff = report.diff;
  const change = diff ? ` (${diff.counts.new} new, ${diff.counts.resolved} resolved)` : "";
  const accounts = accountsFailingFirst(report.summary);
  const distinct = (values: string[]) => [...new Set(values)].sort();
  const scopeRegions = distinct(report.scopes.map((scope) => scope.region));
  // An organization report covers up to thousands of account/region pairs: counted, not listed.
  const account =
    accounts.length > 1 || report.scopes.length > 3
      ? `${accounts.length} accounts in ${scopeRegions.length} region${scopeRegions.length === 1 ? "" : "s"}`
      : report.scopes.map((scope) => `${scope.accountId} ${scope.region}`).join(", ");
  const failingAccounts = accounts.filter(([, counts]) => counts.NON_COMPLIANT + counts.INSUFFICIENT_DATA > 0).slice(0, DIGEST_ACCOUNTS);
  const intro = [
    `EC2 compliance report of ${report.generatedAt} for ${account}`,
    ...(accounts.length > 1 && failingAccounts.length > 0
      ? [
          `Most failing accounts: ${failingAccounts.map(([id, counts]) => `${id} (${counts.NON_COMPLIANT} non-compliant, ${counts.INSUFFICIENT_DATA} insufficient data)`).join("; ")}`,
        ]
      : []),
    `Non-compliant: ${totals.NON_COMPLIANT}; compliant: ${totals.COMPLIANT}; exempted: ${totals.exempted}; not applicable: ${totals.NOT_APPLICABLE - totals.exempted}; insufficient data: ${totals.INSUFFICIENT_DATA}`,
    diff
      ? `Since ${diff.previousGeneratedAt}: ${diff.counts.new} new, ${diff.counts.resolved} resolved, ${diff.counts["still-failing"]} still failing, ${diff.counts.exempted} newly exempted, ${diff.counts.unverified} no longer verifiable`
      : "First report: no previous report in the bucket to compare with.",
  ];
  const lists: [key: string, title: string, findings: readonly Finding[]][] = diff
    ? [
        ["new", "New", report.findings.filter((finding) => finding.change === "new")],
        ["resolved", "Resolved", diff.resolved],
        ["newlyExempted", "Newly exempted", report.findings.filter((finding) => finding.change === "exempted")],
        ["unverified", "No longer verifiable", diff.unverified],
      ]
    : [];
  const notes = lists
    .filter(([, , findings]) => findings.length > DIGEST_FINDINGS)
    .map(([, title, findings]) => `${title}: ${findings.length - DIGEST_FINDINGS} more in the report.`);
  notes.push(`Report (link valid ${Math.round(expirySeconds / 3600)} h): ${link}`, `JSON: ${jsonUri}`);

  const named = report.findings.filter((finding) => finding.complianceType === "NON_COMPLIANT" || finding.change === "new");
  const concerned = [...named, ...(diff?.resolved ?? []), ...(diff?.unverified ?? [])];
  const complianceTypes = [
    ...(totals.NON_COMPLIANT > 0 ? ["NON_COMPLIANT"] : []),
    ...((diff?.counts.resolved ?? 0) > 0 ? ["COMPLIANT"] : []),
    ...((diff?.counts.unverified ?? 0) > 0 || totals.INSUFFICIENT_DATA > 0 ? ["INSUFFICIENT_DATA"] : []),
  ];
  const attributes: Bulletin["attributes"] = { kind: "compliance-report" };
  const ruleIds = distinct(concerned.map((finding) => finding.ruleId));
  const severities = distinct(concerned.map((finding) => finding.severity));
  if (ruleIds.length > 0) attributes.ruleId = ruleIds;
  if (severities.length > 0) attributes.severity = severities;
  // One scope: its account and region, as a rule digest has. Several: those of the findings named,
  // unless too many to fit beside the message (the attributes count towards SNS's 256 KB).
  const [scope] = report.scopes;
  if (scope && report.scopes.length === 1) Object.assign(attributes, { accountId: scope.accountId, region: scope.region });
  else {
    // The accounts and regions left unjudged concern a subscriber too.
    const unjudged = report.findings.filter((finding) => finding.complianceType === "INSUFFICIENT_DATA");
    const accountIds = distinct([...concerned, ...unjudged].map((finding) => finding.accountId));
    const regions = distinct([...concerned, ...unjudged].map((finding) => finding.region));
    if (accountIds.length > 0 && accountIds.length <= MAX_ATTRIBUTE_VALUES) attributes.accountId = accountIds;
    if (regions.length > 0 && regions.length <= MAX_ATTRIBUTE_VALUES) attributes.region = regions;
  }
  if (complianceTypes.length > 0) attributes.complianceType = complianceTypes;

  return {
    subject: `EC2 compliance: ${totals.NON_COMPLIANT} non-compliant${change}`,
    intro,
    notes,
    sections: lists.map(([key, title, findings]) => ({ key, title, items: findings.slice(0, DIGEST_FINDINGS), line, record })),
    json: {
      kind: "compliance-report",
      schemaVersion: 1,
      generatedAt: report.generatedAt,
      scopes: report.scopes,
      totals,
      ...(diff ? { changes: diff.counts, previousGeneratedAt: diff.previousGeneratedAt } : {}),
      link,
      json: jsonUri,
    },
    attributes,
  };
}

/**
 * The scheduled report: AWS Config's current results for the stack's rules, diffed against the
 * newest JSON report in the bucket, written as HTML and JSON under dated keys, announced in one
 * SNS digest with a pre-signed link to the HTML: on every run with REPORT_NOTIFY=always, otherwise
 * only when something changed (see {@link hasNotableChange}).
 */
export async function runScheduledReport(
  settings: ScheduledReportSettings,
  clients: ScheduledReportClients,
  accountId: string,
  options: { now?: () => Date; version?: string } = {},
): Promise<ScheduledReportResult> {
  const bucket = settings.REPORTS_BUCKET;
  const { evaluations, scopes, inputs } = await readResults(settings, clients, accountId);
  const previousKey = await latestReportKey(clients.s3, bucket);
  const previous = previousKey ? await readPreviousReport(clients.s3, bucket, previousKey) : undefined;
  const ruleIds = new Set(Object.keys(settings.CONFIG_RULE_NAMES));
  const report = buildReport({
    evaluations,
    rules: RULES.filter((rule) => ruleIds.has(rule.meta.id)).map(reportRuleOf),
    scopes,
    inputs,
    previous,
    tool: { name: "ec2-config-rules", version: options.version ?? "0.1.0" },
    now: options.now,
  });
  const base = reportKeyBase(report.generatedAt);
  const htmlKey = `${base}.html`;
  const jsonKey = `${base}.json`;
  // HTML first: the JSON is what the next run diffs against, so it only appears once the HTML is there.
  await clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: htmlKey, Body: renderHtml(report), ContentType: "text/html; charset=utf-8" }),
  );
  await clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: jsonKey, Body: renderJson(report), ContentType: "application/json" }),
  );
  const link = await getSignedUrl(clients.s3, new GetObjectCommand({ Bucket: bucket, Key: htmlKey }), {
    expiresIn: settings.REPORT_LINK_EXPIRY_SECONDS,
  });
  const digest = reportBulletin(report, link, settings.REPORT_LINK_EXPIRY_SECONDS, `s3://${bucket}/${jsonKey}`);
  const notify = settings.REPORT_NOTIFY === "always" || hasNotableChange(report);
  const messageIds = notify ? await publishBulletin(clients.sns, settings.ALERTS_TOPIC_ARN, digest) : [];
  return { htmlKey, jsonKey, previousKey, link, report, digest, notified: notify, messageIds };
}
