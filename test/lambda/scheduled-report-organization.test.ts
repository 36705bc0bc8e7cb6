import { Readable } from "node:stream";
import {
  ConfigServiceClient,
  DescribeAggregateComplianceByConfigRulesCommand,
  DescribeComplianceByConfigRuleCommand,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  GetAggregateComplianceDetailsByConfigRuleCommand,
} from "@aws-sdk/client-config-service";
import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { runScheduledReport, scheduledReportSettings } from "../../lib/lambda/scheduled-report";
import { parseReport } from "../../lib/reports/json";
import { RULES } from "../../rules";

// The scheduled report in organization mode (deploy/stack.ts sets AGGREGATOR_NAME): the organization
// rules' results of every account and region, read through the aggregator, into one report.

const ADMIN = "999999999999";
const [A, B] = ["111111111111", "222222222222"];
const REGION = "eu-west-1";
const AGGREGATOR = "ec2-config-rules-prod-organization";
const EIP = "OrgConfigRule-ec2-config-rules-prod-eip-attached-dbgzf8ba";
const IMDS = "OrgConfigRule-ec2-config-rules-prod-imdsv2-required-k3m9x0qa";
const env = {
  ALERTS_TOPIC_ARN: `arn:aws:sns:${REGION}:${ADMIN}:ec2-config-rules-prod-alerts`,
  REPORTS_BUCKET: "reports-bucket",
  REPORT_LINK_EXPIRY_SECONDS: "3600",
  CONFIG_RULE_NAMES: JSON.stringify({
    "eip-attached": "ec2-config-rules-prod-eip-attached",
    "imdsv2-required": "ec2-config-rules-prod-imdsv2-required",
  }),
  AWS_REGION: REGION,
  AGGREGATOR_NAME: AGGREGATOR,
  AGGREGATOR_REGIONS: `${REGION},us-east-1`,
  EXCLUDED_ACCOUNTS: ADMIN,
};

const config = mockClient(ConfigServiceClient);
const organizations = mockClient(OrganizationsClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);

beforeEach(() => {
  for (const mock of [config, organizations, s3, sns]) mock.reset();
  organizations.on(ListAccountsCommand).resolves({
    Accounts: [
      { Id: A, State: "ACTIVE" },
      { Id: B, State: "ACTIVE" },
      { Id: ADMIN, State: "ACTIVE" },
    ],
  });
  config
    .on(DescribeConfigurationAggregatorSourcesStatusCommand)
    .resolves({ AggregatedSourceStatusList: [{ AwsRegion: REGION, LastUpdateStatus: "SUCCEEDED" }] });
  config.on(DescribeAggregateComplianceByConfigRulesCommand).resolves({
    AggregateComplianceByConfigRules: [
      { ConfigRuleName: EIP, AccountId: A, AwsRegion: REGION, Compliance: { ComplianceType: "NON_COMPLIANT" } },
      { ConfigRuleName: EIP, AccountId: B, AwsRegion: REGION, Compliance: { ComplianceType: "NON_COMPLIANT" } },
      { ConfigRuleName: IMDS, AccountId: A, AwsRegion: REGION, Compliance: { ComplianceType: "COMPLIANT" } },
    ],
  });
  const detail = (accountId: string, type: string, id: string, compliance: "COMPLIANT" | "NON_COMPLIANT") => ({
    AggregateEvaluationResults: [
      {
        EvaluationResultIdentifier: { EvaluationResultQualifier: { ResourceType: type, ResourceId: id } },
        ComplianceType: compliance,
        AccountId: accountId,
        AwsRegion: REGION,
        Annotation: compliance === "NON_COMPLIANT" ? "EIP 203.0.113.7 is not associated" : undefined,
      },
    ],
  });
  config
    .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: EIP, AccountId: A })
    .resolves(detail(A, "AWS::EC2::EIP", "eipalloc-0shared", "NON_COMPLIANT"))
    .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: EIP, AccountId: B })
    .resolves(detail(B, "AWS::EC2::EIP", "eipalloc-0shared", "NON_COMPLIANT"))
    .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: IMDS, AccountId: A })
    .resolves(detail(A, "AWS::EC2::Instance", "i-0a", "COMPLIANT"));
  s3.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });
  s3.on(GetObjectCommand).rejects(new Error("no previous report expected"));
  s3.on(PutObjectCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
});

const clients = () => ({
  config: new ConfigServiceClient({ region: REGION }),
  organizations: new OrganizationsClient({ region: REGION }),
  s3: new S3Client({ region: REGION }),
  sns: new SNSClient({ region: REGION }),
});

describe("scheduled report, organization mode", () => {
  test("one report of every account and region from the aggregator, findings carrying their account; gaps INSUFFICIENT_DATA", async () => {
    const run = await runScheduledReport(scheduledReportSettings(env), clients(), ADMIN, RULES, {
      now: () => new Date("2026-12-01T06:00:00.000Z"),
    });

    // Only the aggregate APIs: the administrator's own rule results are not read.
    expect(config.commandCalls(DescribeComplianceByConfigRuleCommand)).toHaveLength(0);
    const written = parseReport(JSON.parse(String(s3.commandCalls(PutObjectCommand)[1]?.args[0].input.Body)), "put.json");
    expect(written.scopes).toEqual([
      { accountId: A, region: REGION },
      { accountId: A, region: "us-east-1" },
      { accountId: B, region: REGION },
      { accountId: B, region: "us-east-1" },
    ]);
    expect(written.inputs).toEqual([
      {
        path: `aws-config-aggregator:${REGION}/${AGGREGATOR}`,
        format: "config-aggregator-results",
        accountIds: [A, B],
        regions: [REGION, "us-east-1"],
      },
    ]);
    const shared = [...written.findings].filter((finding) => finding.resourceId === "eipalloc-0shared");
    expect(shared.map((finding) => [finding.accountId, finding.complianceType])).toEqual([
      [A, "NON_COMPLIANT"],
      [B, "NON_COMPLIANT"],
    ]);
    // imdsv2-required in B, and both rules in us-east-1: no result, so INSUFFICIENT_DATA, one per account, region and rule.
    const insufficient = [...written.findings].filter((finding) => finding.complianceType === "INSUFFICIENT_DATA");
    expect(insufficient.map((finding) => `${finding.ruleId} ${finding.accountId} ${finding.region}`).sort()).toEqual([
      `eip-attached ${A} us-east-1`,
      `eip-attached ${B} us-east-1`,
      `imdsv2-required ${A} us-east-1`,
      `imdsv2-required ${B} ${REGION}`,
      `imdsv2-required ${B} us-east-1`,
    ]);
    expect(written.summary.totals).toMatchObject({ NON_COMPLIANT: 2, COMPLIANT: 1, INSUFFICIENT_DATA: 5 });

    // The digest counts the organization's scopes rather than listing them; its attributes name the accounts and
    // regions of its failing findings and of those left unjudged (us-east-1 has no results).
    expect(run.digest.intro[0]).toBe("EC2 compliance report of 2026-12-01T06:00:00.000Z for 2 accounts in 2 regions");
    const attributes = sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes;
    expect(attributes?.accountId).toEqual({ DataType: "String.Array", StringValue: JSON.stringify([A, B]) });
    expect(attributes?.region).toEqual({ DataType: "String.Array", StringValue: JSON.stringify([REGION, "us-east-1"]) });
  });

  test("a failing finding of an account that now has no result is no longer verifiable, not resolved", async () => {
    const first = await runScheduledReport(scheduledReportSettings(env), clients(), ADMIN, RULES, {
      now: () => new Date("2026-12-01T06:00:00.000Z"),
    });
    const previous = String(s3.commandCalls(PutObjectCommand)[1]?.args[0].input.Body);
    expect([...first.report.findings].some((finding) => finding.accountId === B && finding.complianceType === "NON_COMPLIANT")).toBe(true);
    // Next day the aggregator has nothing for B.
    config.on(DescribeAggregateComplianceByConfigRulesCommand).resolves({
      AggregateComplianceByConfigRules: [
        { ConfigRuleName: EIP, AccountId: A, AwsRegion: REGION, Compliance: { ComplianceType: "NON_COMPLIANT" } },
        { ConfigRuleName: IMDS, AccountId: A, AwsRegion: REGION, Compliance: { ComplianceType: "COMPLIANT" } },
      ],
    });
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: "reports/2026/12/01/compliance-2026-12-01T06-00-00-000Z.json" }],
      IsTruncated: false,
    });
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(previous)]) } as never);
    const next = await runScheduledReport(scheduledReportSettings(env), clients(), ADMIN, RULES, {
      now: () => new Date("2026-12-02T06:00:00.000Z"),
    });
    expect(next.report.diff?.counts).toMatchObject({ resolved: 0, unverified: 1 });
    expect(next.report.diff?.unverified.map((finding) => [finding.accountId, finding.resourceId])).toEqual([[B, "eipalloc-0shared"]]);
  });

  test("the organization settings are read from the environment and a bad one is named", () => {
    expect(scheduledReportSettings(env)).toMatchObject({
      AGGREGATOR_NAME: AGGREGATOR,
      AGGREGATOR_REGIONS: `${REGION},us-east-1`,
      EXCLUDED_ACCOUNTS: ADMIN,
    });
    expect(scheduledReportSettings({ ...env, AGGREGATOR_REGIONS: undefined, EXCLUDED_ACCOUNTS: undefined })).toMatchObject({
      AGGREGATOR_REGIONS: "all",
      EXCLUDED_ACCOUNTS: "",
    });
    expect(() => scheduledReportSettings({ ...env, EXCLUDED_ACCOUNTS: "1234" })).toThrow(/environment EXCLUDED_ACCOUNTS/);
    expect(() => scheduledReportSettings({ ...env, AGGREGATOR_REGIONS: "eu-west-1;us-east-1" })).toThrow(/environment AGGREGATOR_REGIONS/);
  });

  test("without an Organizations client the organization report fails before writing anything", async () => {
    const { organizations: _none, ...accountClients } = clients();
    await expect(runScheduledReport(scheduledReportSettings(env), accountClients, ADMIN, RULES)).rejects.toThrow(/no Organizations client/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
