import { Readable } from "node:stream";
import {
  type ComplianceType,
  ConfigServiceClient,
  DescribeComplianceByConfigRuleCommand,
  type EvaluationResult,
  GetComplianceDetailsByConfigRuleCommand,
} from "@aws-sdk/client-config-service";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { runScheduledReport, type ScheduledReportSettings, scheduledReportSettings } from "../../lib/lambda/scheduled-report";
import { parseReport, renderJson } from "../../lib/reports/json";
import { buildReport } from "../../lib/reports/model";
import { RULES } from "../../rules";
import { reportRules, TOOL } from "../reports/fixture";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const BUCKET = "ec2-config-rules-reports";
const NOW = new Date("2026-11-23T06:00:00.000Z");
const env = {
  ALERTS_TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:ec2-config-rules-alerts`,
  REPORTS_BUCKET: BUCKET,
  REPORT_LINK_EXPIRY_SECONDS: "86400",
  CONFIG_RULE_NAMES: JSON.stringify({ "eip-attached": "ecr-dev-eip-attached", "imdsv2-required": "ecr-dev-imdsv2-required" }),
  AWS_REGION: REGION,
};

const config = mockClient(ConfigServiceClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);

const result = (ResourceType: string, ResourceId: string, ComplianceType: ComplianceType, Annotation: string): EvaluationResult => ({
  EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: "ecr-dev-eip-attached", ResourceType, ResourceId } },
  ComplianceType,
  Annotation,
});

/** The previous report in the bucket: eipalloc-0old and eipalloc-0idle failing since 1 November. */
function previousReportJson(): string {
  return renderJson(
    buildReport({
      evaluations: [
        {
          ruleId: "eip-attached",
          resourceType: "AWS::EC2::EIP",
          resourceId: "eipalloc-0old",
          region: REGION,
          accountId: ACCOUNT,
          complianceType: "NON_COMPLIANT",
          annotation: "EIP not associated",
        },
        {
          ruleId: "eip-attached",
          resourceType: "AWS::EC2::EIP",
          resourceId: "eipalloc-0idle",
          region: REGION,
          accountId: ACCOUNT,
          complianceType: "NON_COMPLIANT",
          annotation: "EIP not associated",
        },
      ],
      rules: reportRules().filter((rule) => rule.id === "eip-attached" || rule.id === "imdsv2-required"),
      scopes: [{ region: REGION, accountId: ACCOUNT }],
      tool: TOOL,
      now: () => new Date("2026-11-01T06:00:00.000Z"),
    }),
  );
}

function mockAccount(previous: string | undefined): void {
  config.reset();
  s3.reset();
  sns.reset();
  // Two pages of rule compliance: imdsv2-required has no results yet.
  config
    .on(DescribeComplianceByConfigRuleCommand)
    .resolves({
      ComplianceByConfigRules: [{ ConfigRuleName: "ecr-dev-eip-attached", Compliance: { ComplianceType: "NON_COMPLIANT" } }],
      NextToken: "c2",
    })
    .on(DescribeComplianceByConfigRuleCommand, { NextToken: "c2" })
    .resolves({
      ComplianceByConfigRules: [{ ConfigRuleName: "ecr-dev-imdsv2-required", Compliance: { ComplianceType: "INSUFFICIENT_DATA" } }],
    });
  // Two pages of eip-attached results.
  config
    .on(GetComplianceDetailsByConfigRuleCommand, { ConfigRuleName: "ecr-dev-eip-attached" })
    .resolves({
      EvaluationResults: [
        result("AWS::EC2::EIP", "eipalloc-0idle", "NON_COMPLIANT", "EIP 203.0.113.11 is not associated"),
        result("AWS::EC2::EIP", "eipalloc-0new", "NON_COMPLIANT", "EIP 203.0.113.12 is not associated"),
      ],
      NextToken: "d2",
    })
    .on(GetComplianceDetailsByConfigRuleCommand, { ConfigRuleName: "ecr-dev-eip-attached", NextToken: "d2" })
    .resolves({
      EvaluationResults: [
        result("AWS::EC2::EIP", "eipalloc-0old", "COMPLIANT", "EIP attached to instance i-0web"),
        result("AWS::EC2::EIP", "eipalloc-0dr", "NOT_APPLICABLE", "Exempted (tag) by netops (no expiry): DR standby"),
      ],
    });
  // Two pages of listing; the newest JSON is the previous report. An empty bucket on the first run.
  if (previous) {
    s3.on(ListObjectsV2Command)
      .resolves({
        Contents: [
          { Key: "reports/2026/10/31/compliance-2026-10-31T06-00-00-000Z.json" },
          { Key: "reports/2026/11/01/compliance-2026-11-01T06-00-00-000Z.html" },
        ],
        IsTruncated: true,
        NextContinuationToken: "s2",
      })
      .on(ListObjectsV2Command, { ContinuationToken: "s2" })
      .resolves({ Contents: [{ Key: "reports/2026/11/01/compliance-2026-11-01T06-00-00-000Z.json" }], IsTruncated: false });
  } else {
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });
  }
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    if (input.Key === "reports/2026/11/01/compliance-2026-11-01T06-00-00-000Z.json" && previous) {
      return { Body: Readable.from([Buffer.from(previous)]) };
    }
    throw new Error(`unexpected GetObject ${input.Key}`);
  });
  s3.on(PutObjectCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
}

const settings = (): ScheduledReportSettings => scheduledReportSettings(env);
const clients = () => ({
  config: new ConfigServiceClient({ region: REGION }),
  s3: new S3Client({ region: REGION }),
  sns: new SNSClient({ region: REGION }),
});

describe("scheduled report Lambda (mocked Config, S3, SNS)", () => {
  test("reads every page of Config's results, diffs against the newest JSON in the bucket, writes HTML and JSON, sends one digest", async () => {
    mockAccount(previousReportJson());
    const run = await runScheduledReport(settings(), clients(), ACCOUNT, RULES, { now: () => NOW });

    expect(config.commandCalls(DescribeComplianceByConfigRuleCommand)).toHaveLength(2);
    // Both pages of eip-attached; none for the rule Config has no results for.
    expect(config.commandCalls(GetComplianceDetailsByConfigRuleCommand).map((call) => call.args[0].input.ConfigRuleName)).toEqual([
      "ecr-dev-eip-attached",
      "ecr-dev-eip-attached",
    ]);
    expect(run.previousKey).toBe("reports/2026/11/01/compliance-2026-11-01T06-00-00-000Z.json");

    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((put) => [put.Key, put.ContentType])).toEqual([
      ["reports/2026/11/23/compliance-2026-11-23T06-00-00-000Z.html", "text/html; charset=utf-8"],
      ["reports/2026/11/23/compliance-2026-11-23T06-00-00-000Z.json", "application/json"],
    ]);
    expect(String(puts[0]?.Body)).toMatch(/^<!DOCTYPE html>/);
    const written = parseReport(JSON.parse(String(puts[1]?.Body)), "put.json");
    expect(written.diff?.counts).toMatchObject({ new: 1, resolved: 1, "still-failing": 1, exempted: 1 });
    const byId = new Map([...written.findings].map((finding) => [finding.resourceId, finding]));
    expect(byId.get("eipalloc-0idle")?.firstSeen).toBe("2026-11-01T06:00:00.000Z");
    expect(byId.get("eipalloc-0new")?.firstSeen).toBe(NOW.toISOString());
    expect(byId.get(ACCOUNT)).toMatchObject({ ruleId: "imdsv2-required", complianceType: "INSUFFICIENT_DATA" });

    const publishes = sns.commandCalls(PublishCommand);
    expect(publishes).toHaveLength(1);
    expect(run.notified).toBe(true);
    const { Subject, TopicArn, MessageStructure, MessageAttributes } = publishes[0]?.args[0].input ?? {};
    const envelope = JSON.parse(publishes[0]?.args[0].input.Message ?? "{}");
    const Message = envelope.default as string;
    expect(TopicArn).toBe(env.ALERTS_TOPIC_ARN);
    expect(MessageStructure).toBe("json");
    expect(Subject).toBe("EC2 compliance: 2 non-compliant (1 new, 1 resolved)");
    expect(Message).toContain(
      `New (1):\n  - eip-attached AWS::EC2::EIP eipalloc-0new (${ACCOUNT} eu-west-1): EIP 203.0.113.12 is not associated`,
    );
    expect(Message).toContain("Resolved (1):\n  - eip-attached AWS::EC2::EIP eipalloc-0old");
    expect(Message).toContain("Newly exempted (1):");
    // The rule digests' attributes (lib/alerts/digest.ts), so that one subscription filter serves both.
    expect(MessageAttributes).toEqual({
      kind: { DataType: "String", StringValue: "compliance-report" },
      ruleId: { DataType: "String.Array", StringValue: '["eip-attached"]' },
      severity: {
        DataType: "String.Array",
        StringValue: JSON.stringify([reportRules().find((rule) => rule.id === "eip-attached")?.severity]),
      },
      accountId: { DataType: "String", StringValue: ACCOUNT },
      region: { DataType: "String", StringValue: REGION },
      complianceType: { DataType: "String.Array", StringValue: '["NON_COMPLIANT","COMPLIANT","INSUFFICIENT_DATA"]' },
    });
    const body = JSON.parse(envelope.sqs);
    expect(body).toMatchObject({ kind: "compliance-report", changes: { new: 1, resolved: 1 } });
    expect(body.new.map((finding: { resourceId: string }) => finding.resourceId)).toEqual(["eipalloc-0new"]);
    // A pre-signed GET of the HTML key, valid for the configured time.
    expect(run.link).toContain(`https://${BUCKET}.s3.${REGION}.amazonaws.com/reports/2026/11/23/compliance-2026-11-23T06-00-00-000Z.html?`);
    expect(run.link).toContain("X-Amz-Expires=86400");
    expect(Message).toContain(`Report (link valid 24 h): ${run.link}`);
  });

  test("the first run, with no report in the bucket, says so and has no diff", async () => {
    mockAccount(undefined);
    const run = await runScheduledReport(settings(), clients(), ACCOUNT, RULES, { now: () => NOW });
    expect(run.previousKey).toBeUndefined();
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(run.report.diff).toBeUndefined();
    expect(run.digest.intro).toContain("First report: no previous report in the bucket to compare with.");
    // A first report is always announced.
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  test("reports.notify: on-change sends no digest when nothing is new, resolved or unverified; always does", async () => {
    mockAccount(previousReportJson());
    await runScheduledReport(settings(), clients(), ACCOUNT, RULES, { now: () => NOW });
    const unchanged = String(s3.commandCalls(PutObjectCommand)[1]?.args[0].input.Body);
    const nextDay = () => new Date("2026-11-24T06:00:00.000Z");

    mockAccount(unchanged);
    const quiet = await runScheduledReport(settings(), clients(), ACCOUNT, RULES, { now: nextDay });
    expect(quiet.report.diff?.counts).toMatchObject({ new: 0, resolved: 0, unverified: 0 });
    expect(quiet.notified).toBe(false);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    // The report is still written.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);

    mockAccount(unchanged);
    const always = await runScheduledReport(scheduledReportSettings({ ...env, REPORT_NOTIFY: "always" }), clients(), ACCOUNT, RULES, {
      now: nextDay,
    });
    expect(always.notified).toBe(true);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(() => scheduledReportSettings({ ...env, REPORT_NOTIFY: "sometimes" })).toThrow(/environment REPORT_NOTIFY/);
  });

  test("a corrupt previous report fails the run before anything is written or sent", async () => {
    mockAccount('{"reportVersion": 1, "findings": "nope"}');
    await expect(runScheduledReport(settings(), clients(), ACCOUNT, RULES, { now: () => NOW })).rejects.toThrow(
      /^s3:\/\/ec2-config-rules-reports\/reports\/2026\/11\/01\/compliance-2026-11-01T06-00-00-000Z\.json: field /,
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  test("the report covers the rules its caller passes, not the registry", async () => {
    mockAccount(undefined);
    const run = await runScheduledReport(
      settings(),
      clients(),
      ACCOUNT,
      RULES.filter((rule) => rule.meta.id === "eip-attached"),
      { now: () => NOW },
    );
    expect(run.report.rules.map((rule) => rule.id)).toEqual(["eip-attached"]);
  });

  test("settings come from the environment and a bad one is named", () => {
    expect(settings()).toMatchObject({ REPORT_LINK_EXPIRY_SECONDS: 86_400, CONFIG_RULE_NAMES: { "eip-attached": "ecr-dev-eip-attached" } });
    expect(() => scheduledReportSettings({ ...env, REPORT_LINK_EXPIRY_SECONDS: "forever" })).toThrow(
      /environment REPORT_LINK_EXPIRY_SECONDS/,
    );
    expect(() => scheduledReportSettings({ ...env, CONFIG_RULE_NAMES: "eip-attached" })).toThrow(
      /environment CONFIG_RULE_NAMES: expected JSON/,
    );
  });
});
