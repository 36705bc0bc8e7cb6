import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { memberRoleTemplate, toYaml } from "../../deploy/member-role";
import { substitution } from "../../deploy/scan";
import type { AnyRule } from "../../lib/engine/rule";
import { KINDS } from "../../lib/model/kinds";
import { RULES } from "../../rules";
import { type PackageRun, ROOT, readTemplate, removeRun, runPackage, type Template } from "./package";

// The templates `osls package` produces for two stages: an account deployment (test/deploy/fixtures/
// account.json) and an organization deployment (organization.json). Packaged once, in parallel.

/** cfn-lint's path, if installed. */
function cfnLint(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v cfn-lint"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

const FIXTURES = path.join("test", "deploy", "fixtures");
let accountRun: PackageRun;
let organizationRun: PackageRun;
let account: Template;
let organization: Template;

beforeAll(async () => {
  [accountRun, organizationRun] = await Promise.all([
    runPackage("test", path.join(FIXTURES, "account.json")),
    runPackage("orgtest", path.join(FIXTURES, "organization.json")),
  ]);
  account = readTemplate(accountRun);
  organization = readTemplate(organizationRun);
}, 300_000);

afterAll(() => {
  removeRun(accountRun);
  removeRun(organizationRun);
});

const CHANGE = ["ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"];
const SCHEDULED = "ScheduledNotification";
/** The outbox (announced-state table) and its dead-letter queue. */
const OUTBOX = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "sqs:SendMessage"];
const COMMON = [
  "logs:CreateLogStream",
  "logs:PutLogEvents",
  "sns:Publish",
  ...OUTBOX,
  "config:PutEvaluations",
  "config:GetComplianceDetailsByConfigRule",
];

type Expected = { logicalName: string; change: boolean; scope?: string[]; reads: string[] };

/** What each of the six original rules must get, written out from AWS's contract, not from the generator. */
const WRITTEN_OUT: Record<string, Expected> = {
  "eip-attached": {
    logicalName: "EipAttached",
    change: true,
    scope: ["AWS::EC2::EIP"],
    reads: ["ec2:DescribeAddresses", "ec2:DescribeNetworkInterfaces"],
  },
  "ec2-no-public-ip": { logicalName: "Ec2NoPublicIp", change: true, scope: ["AWS::EC2::Instance"], reads: ["ec2:DescribeInstances"] },
  "sg-attached-to-eni": {
    logicalName: "SgAttachedToEni",
    change: false,
    scope: ["AWS::EC2::SecurityGroup"],
    reads: ["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces"],
  },
  "endpoint-route-present": {
    logicalName: "EndpointRoutePresent",
    change: true,
    scope: ["AWS::EC2::RouteTable", "AWS::EC2::VPCEndpoint"],
    reads: ["ec2:DescribeRouteTables", "ec2:DescribeSubnets", "ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists"],
  },
  "imdsv2-required": { logicalName: "Imdsv2Required", change: true, scope: ["AWS::EC2::Instance"], reads: ["ec2:DescribeInstances"] },
  // Config does not record placement groups: no Scope (a periodic rule needs none).
  "placement-group-limits": {
    logicalName: "PlacementGroupLimits",
    change: false,
    reads: ["ec2:DescribePlacementGroups", "ec2:DescribeInstances", "ec2:DescribeInstanceTypes"],
  },
};
/**
 * A rule added later (npm run new-rule) is expected from its own metadata: change-triggered when
 * it says so, scoped to its resource types, reading the Describe call of each kind it requires.
 */
function expectedFromMeta(rule: AnyRule): Expected {
  return {
    logicalName: rule.meta.id
      .split("-")
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(""),
    change: rule.meta.triggers.includes("change"),
    scope: [...rule.meta.resourceTypes],
    reads: [...rule.meta.requires, ...(rule.meta.optional ?? [])].map((kind) => `ec2:${KINDS[kind].operation}`),
  };
}

const EXPECTED: Record<string, Expected> = Object.fromEntries(
  RULES.map((rule) => [rule.meta.id, WRITTEN_OUT[rule.meta.id] ?? expectedFromMeta(rule)]),
);
const RULE_IDS = Object.keys(EXPECTED);

/** A resource that must exist. */
function res(template: Template, logicalId: string): Template["Resources"][string] {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`the template has no resource ${logicalId}`);
  return resource;
}

const ofType = (template: Template, type: string) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

const statementsOf = (role: Template["Resources"][string]): Statement[] =>
  (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((policy) => policy.PolicyDocument.Statement);

const actionsOf = (statements: Statement[]): string[] =>
  [...new Set(statements.filter((s) => s.Effect === "Allow").flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();

const sorted = (values: string[]) => [...values].sort();

const resourceFor = (statements: Statement[], action: string): unknown[] =>
  statements.filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(action)).map((s) => s.Resource);

/** Every IAM statement anywhere in a template: role policies, managed policies, bucket and topic policies. */
function allStatements(value: unknown, found: Statement[] = []): Statement[] {
  if (Array.isArray(value)) for (const item of value) allStatements(item, found);
  else if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.Statement)) found.push(...(record.Statement as Statement[]));
    for (const item of Object.values(record)) allStatements(item, found);
  }
  return found;
}

describe("account deployment", () => {
  test("one Config rule per rule, with its triggers, frequency, scope and parameters", () => {
    const rules = ofType(account, "AWS::Config::ConfigRule");
    expect(rules.map(([, rule]) => rule.Properties.ConfigRuleName).sort()).toEqual(
      RULE_IDS.map((id) => `ec2-config-rules-test-${id}`).sort(),
    );
    for (const [id, expected] of Object.entries(EXPECTED)) {
      const rule = res(account, `${expected.logicalName}ConfigRule`);
      expect(rule.Type).toBe("AWS::Config::ConfigRule");
      const source = rule.Properties.Source;
      expect(source.Owner).toBe("CUSTOM_LAMBDA");
      expect(source.SourceIdentifier).toEqual({ "Fn::GetAtt": [`${expected.logicalName}LambdaFunction`, "Arn"] });
      // The fixture sets Six_Hours for the stage and Twelve_Hours for sg-attached-to-eni.
      const frequency = id === "sg-attached-to-eni" ? "Twelve_Hours" : "Six_Hours";
      expect(source.SourceDetails).toEqual([
        ...(expected.change ? CHANGE.map((MessageType) => ({ EventSource: "aws.config", MessageType })) : []),
        { EventSource: "aws.config", MessageType: SCHEDULED, MaximumExecutionFrequency: frequency },
      ]);
      if (expected.scope) expect(rule.Properties.Scope).toEqual({ ComplianceResourceTypes: expected.scope });
      else expect(rule.Properties.Scope).toBeUndefined();
      expect(rule.DependsOn).toContain(`${expected.logicalName}ConfigPermission`);
    }
  });

  test("InputParameters come from the stage's file as strings, with the exemption tag key", () => {
    expect(res(account, "EndpointRoutePresentConfigRule").Properties.InputParameters).toEqual({
      services: "s3,dynamodb",
      requireEndpoint: "true",
      ExemptionTagKey: "compliance-exempt",
    });
    expect(res(account, "SgAttachedToEniConfigRule").Properties.InputParameters).toEqual({
      countReferencesAsUse: "true",
      ExemptionTagKey: "compliance-exempt",
    });
    expect(res(account, "EipAttachedConfigRule").Properties.InputParameters).toEqual({ ExemptionTagKey: "compliance-exempt" });
  });

  test("each rule function may be invoked by Config from this account only", () => {
    const permissions = ofType(account, "AWS::Lambda::Permission").filter(([, p]) => p.Properties.Principal === "config.amazonaws.com");
    expect(permissions).toHaveLength(RULE_IDS.length);
    for (const expected of Object.values(EXPECTED)) {
      expect(res(account, `${expected.logicalName}ConfigPermission`).Properties).toEqual({
        FunctionName: { "Fn::GetAtt": [`${expected.logicalName}LambdaFunction`, "Arn"] },
        Action: "lambda:InvokeFunction",
        Principal: "config.amazonaws.com",
        SourceAccount: { Ref: "AWS::AccountId" },
      });
    }
  });

  test("rule functions: nodejs22.x on arm64, own role, sized for a large account, alerts topic in the environment", () => {
    for (const [id, expected] of Object.entries(EXPECTED)) {
      const fn = res(account, `${expected.logicalName}LambdaFunction`).Properties;
      expect(fn).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        Handler: `handlers/${id}.handler`,
        FunctionName: `ec2-config-rules-test-${id}`,
        MemorySize: 1024,
        Timeout: 900,
        Role: { "Fn::GetAtt": [`${expected.logicalName}Role`, "Arn"] },
      });
      expect(fn.Environment.Variables).toMatchObject({
        ALERTS_TOPIC_ARN: { Ref: "AlertsTopic" },
        ALERTS_RENOTIFY_MINUTES: "1440",
        SECURITY_HUB_ENABLED: "true",
      });
      // Account mode: no membership check (Config may invoke from this account only).
      expect(fn.Environment.Variables.ORGANIZATION_ID).toBeUndefined();
      expect(res(account, `${expected.logicalName}LogGroup`).Properties).toEqual({
        LogGroupName: `/aws/lambda/ec2-config-rules-test-${id}`,
        RetentionInDays: 14,
      });
    }
    expect(ofType(account, "AWS::IAM::Role").map(([name]) => name)).not.toContain("IamRoleLambdaExecution");
  });

  test("each rule role holds exactly the actions its function calls, scoped where the API allows", () => {
    for (const [id, expected] of Object.entries(EXPECTED)) {
      const statements = statementsOf(res(account, `${expected.logicalName}Role`));
      const automatic = id === "imdsv2-required"; // the fixture's Lambda-driven remediation
      expect(actionsOf(statements)).toEqual(
        sorted([
          ...COMMON,
          ...expected.reads,
          ...(expected.change ? ["config:GetResourceConfigHistory", "config:GetComplianceDetailsByResource"] : []),
          ...(automatic ? ["ssm:StartAutomationExecution", "iam:PassRole"] : []),
          "securityhub:BatchImportFindings", // the fixture turns on securityHub.enabled
        ]),
      );
      // Only into this account's default product, in this region: the ProductArn of every finding it imports.
      expect(statements.filter((s) => actionsOf([s]).includes("securityhub:BatchImportFindings"))).toEqual([
        {
          Effect: "Allow",
          Action: ["securityhub:BatchImportFindings"],
          Resource: {
            "Fn::Sub": `arn:\${AWS::Partition}:securityhub:\${AWS::Region}:\${AWS::AccountId}:product/\${AWS::AccountId}/default`,
          },
        },
      ]);
      expect(resourceFor(statements, "sns:Publish")).toEqual([{ Ref: "AlertsTopic" }]);
      expect(resourceFor(statements, "logs:PutLogEvents")).toEqual([
        { "Fn::Sub": `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/ec2-config-rules-test-${id}:*` },
      ]);
      expect(resourceFor(statements, "config:GetComplianceDetailsByConfigRule")).toEqual([
        { "Fn::Sub": `arn:\${AWS::Partition}:config:\${AWS::Region}:\${AWS::AccountId}:config-rule/*` },
      ]);
      const trust = res(account, `${expected.logicalName}Role`).Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["sts:AssumeRole"] }]);
    }
    const imds = statementsOf(res(account, "Imdsv2RequiredRole"));
    expect(resourceFor(imds, "ssm:StartAutomationExecution")).toEqual([
      {
        "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:automation-definition/Ec2ConfigRules-test-EnforceImdsV2:*`,
      },
    ]);
    const passRole = imds.find((s) => s.Action.includes("iam:PassRole"));
    expect(passRole).toMatchObject({
      Resource: { "Fn::GetAtt": ["RemediationRole", "Arn"] },
      Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
    });
  });

  test("remediation writes only in the remediation role, which only SSM of this account assumes", () => {
    const remediation = res(account, "RemediationRole");
    expect(remediation.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "ssm.amazonaws.com" },
        Action: ["sts:AssumeRole"],
        Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
      },
    ]);
    const statements = statementsOf(remediation);
    const writes = actionsOf(statements).filter((action) => !/^ec2:Describe/.test(action));
    expect(writes).toEqual(
      sorted([
        "ec2:ReleaseAddress",
        "ec2:CreateTags",
        "ec2:DisassociateAddress",
        "ec2:DeleteSecurityGroup",
        "ec2:ModifyVpcEndpoint",
        "ec2:DeleteRoute",
        "ec2:ModifyInstanceMetadataOptions",
      ]),
    );
    for (const write of writes) {
      for (const resource of resourceFor(statements, write).flat()) {
        expect(JSON.stringify(resource)).toMatch(
          /^\{"Fn::Sub":"arn:\$\{AWS::Partition\}:ec2:\$\{AWS::Region\}:\$\{AWS::AccountId\}:[a-z-]+\/\*"\}$/,
        );
      }
    }
    for (const [name, role] of ofType(account, "AWS::IAM::Role")) {
      if (name === "RemediationRole") continue;
      const mutating = actionsOf(statementsOf(role)).filter((action) => action.startsWith("ec2:") && !action.startsWith("ec2:Describe"));
      expect({ name, mutating }).toEqual({ name, mutating: [] });
    }
  });

  test("SSM documents and remediation configurations: manual unless the stage says otherwise", () => {
    const documents = ofType(account, "AWS::SSM::Document");
    expect(documents.map(([, doc]) => doc.Properties.Name).sort()).toEqual(
      ["DeleteUnusedSecurityGroup", "DisassociateInstanceEips", "EnforceImdsV2", "ReleaseElasticIp", "RouteGatewayEndpoints"].map(
        (s) => `Ec2ConfigRules-test-${s}`,
      ),
    );
    for (const [, doc] of documents)
      expect(doc.Properties).toMatchObject({ DocumentType: "Automation", Content: { schemaVersion: "0.3" } });
    const configs = Object.fromEntries(
      ofType(account, "AWS::Config::RemediationConfiguration").map(([, r]) => [r.Properties.ConfigRuleName.Ref as string, r.Properties]),
    );
    expect(Object.keys(configs).sort()).toEqual(
      [
        "EipAttachedConfigRule",
        "Ec2NoPublicIpConfigRule",
        "SgAttachedToEniConfigRule",
        "EndpointRoutePresentConfigRule",
        "Imdsv2RequiredConfigRule",
      ].sort(),
    );
    // Releases are automatic only because the fixture says allowRelease, and wait its releaseAfterDays.
    expect(configs.EipAttachedConfigRule).toMatchObject({
      Automatic: true,
      MaximumAutomaticAttempts: 3,
      RetryAttemptSeconds: 300,
      Parameters: { ReleaseAfterDays: { StaticValue: { Values: ["14"] } } },
    });
    // Lambda-driven automatic mode keeps Config's own automatic mode off (no double remediation).
    expect(configs.Imdsv2RequiredConfigRule).toMatchObject({ Automatic: false });
    expect(configs.SgAttachedToEniConfigRule).toMatchObject({ Automatic: false });
    for (const config of Object.values(configs)) {
      expect(config.Parameters.AutomationAssumeRole).toEqual({ StaticValue: { Values: [{ "Fn::GetAtt": ["RemediationRole", "Arn"] }] } });
    }
    expect(res(account, "Imdsv2RequiredLambdaFunction").Properties.Environment.Variables).toMatchObject({
      REMEDIATION_MODE: "automatic",
      REMEDIATION_CAP: "5",
      REMEDIATION_ROLE_ARN: { "Fn::GetAtt": ["RemediationRole", "Arn"] },
      REMEDIATION_DOCUMENT_PREFIX: "Ec2ConfigRules-test",
    });
  });

  test("alerts topic is encrypted, with the stage's email subscription", () => {
    expect(res(account, "AlertsTopic").Properties.KmsMasterKeyId).toBe("alias/aws/sns");
    expect(res(account, "AlertsEmailSubscription").Properties).toEqual({
      TopicArn: { Ref: "AlertsTopic" },
      Protocol: "email",
      Endpoint: "secops@example.com",
    });
  });

  test("durable alerts: the announced-state table, a dead-letter queue with an alarm, each function limited to its rule's records", () => {
    const table = res(account, "AlertsTable").Properties;
    expect(table).toMatchObject({
      TableName: "ec2-config-rules-test-alerts",
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
    expect(table.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName)).toEqual(["outbox"]);
    expect(res(account, "AlertsDeadLetterQueue").Properties).toMatchObject({
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
    expect(res(account, "AlertsDeadLetterAlarm").Properties).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["AlertsDeadLetterQueue", "QueueName"] } }],
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [{ Ref: "AlarmsTopic" }],
    });
    // CloudWatch cannot use the AWS managed SNS key of the alerts topic: the alarm's topic has none.
    expect(res(account, "AlarmsTopic").Properties.KmsMasterKeyId).toBeUndefined();
    expect(res(account, "AlarmsEmailSubscription").Properties).toMatchObject({ Protocol: "email", Endpoint: "secops@example.com" });
    for (const [id, expected] of Object.entries(EXPECTED)) {
      const statements = statementsOf(res(account, `${expected.logicalName}Role`));
      const table = statements.find((statement) => statement.Action.includes("dynamodb:PutItem"));
      expect(table).toEqual({
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
        Resource: [{ "Fn::GetAtt": ["AlertsTable", "Arn"] }, { "Fn::Sub": `\${AlertsTable.Arn}/index/outbox` }],
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${id}#*`] } },
      });
      expect(resourceFor(statements, "sqs:SendMessage")).toEqual([{ "Fn::GetAtt": ["AlertsDeadLetterQueue", "Arn"] }]);
      expect(res(account, `${expected.logicalName}LambdaFunction`).Properties.Environment.Variables).toMatchObject({
        ALERTS_TABLE: { Ref: "AlertsTable" },
        ALERTS_DEAD_LETTER_QUEUE_URL: { Ref: "AlertsDeadLetterQueue" },
        ALERTS_MAX_ATTEMPTS: "4",
      });
    }
    expect(res(organization, "AlertsTable").Type).toBe("AWS::DynamoDB::Table");
    expect(res(organization, "EipAttachedLambdaFunction").Properties.Environment.Variables).toMatchObject({ ALERTS_MAX_ATTEMPTS: "5" });
  });

  test("reports bucket: encrypted, public access blocked, TLS only, reports expire", () => {
    const bucket = res(account, "ReportsBucket").Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(
      /^(AES256|aws:kms)$/,
    );
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ Status: "Enabled", ExpirationInDays: 30 }));
    const policy = res(account, "ReportsBucketPolicy").Properties;
    expect(policy.Bucket).toEqual({ Ref: "ReportsBucket" });
    const tls = (policy.PolicyDocument.Statement as Statement[]).find(
      (s) => JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
    );
    expect(tls).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*" });
    expect(tls?.Resource).toEqual([{ "Fn::GetAtt": ["ReportsBucket", "Arn"] }, { "Fn::Sub": `\${ReportsBucket.Arn}/*` }]);
  });

  test("the scheduled report function reads Config and writes only the reports bucket", () => {
    const fn = account.Resources.ScheduledReportLambdaFunction;
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      REPORTS_BUCKET: { Ref: "ReportsBucket" },
      ALERTS_TOPIC_ARN: { Ref: "AlertsTopic" },
      REPORT_NOTIFY: "always",
    });
    const statements = statementsOf(res(account, "ScheduledReportRole"));
    expect(actionsOf(statements)).toEqual(
      sorted([
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sns:Publish",
        "config:DescribeComplianceByConfigRule",
        "config:GetComplianceDetailsByConfigRule",
        "s3:ListBucket",
        "s3:GetObject",
        "s3:PutObject",
      ]),
    );
    expect(resourceFor(statements, "s3:PutObject")).toEqual([{ "Fn::Sub": `\${ReportsBucket.Arn}/*` }]);
    expect(ofType(account, "AWS::Events::Rule")).toHaveLength(1);
    expect(ofType(account, "AWS::Events::Rule")[0]?.[1].Properties.ScheduleExpression).toBe("cron(0 5 * * ? *)");
  });
});

describe("organization deployment", () => {
  test("organization rules only: no account rules, no remediation", () => {
    expect(ofType(organization, "AWS::Config::ConfigRule")).toHaveLength(0);
    expect(ofType(organization, "AWS::Config::RemediationConfiguration")).toHaveLength(0);
    expect(ofType(organization, "AWS::SSM::Document")).toHaveLength(0);
    expect(organization.Resources.RemediationRole).toBeUndefined();
    expect(ofType(organization, "AWS::Config::OrganizationConfigRule")).toHaveLength(RULE_IDS.length);
    for (const [id, expected] of Object.entries(EXPECTED)) {
      const rule = res(organization, `${expected.logicalName}OrganizationConfigRule`);
      expect(rule.DependsOn).toContain(`${expected.logicalName}ConfigPermission`);
      expect(rule.Properties.OrganizationConfigRuleName).toBe(`ec2-config-rules-orgtest-${id}`);
      expect(rule.Properties.ExcludedAccounts).toEqual(["111122223333"]);
      const metadata = rule.Properties.OrganizationCustomRuleMetadata;
      expect(metadata.LambdaFunctionArn).toEqual({ "Fn::GetAtt": [`${expected.logicalName}LambdaFunction`, "Arn"] });
      expect(metadata.OrganizationConfigRuleTriggerTypes).toEqual([...(expected.change ? CHANGE : []), SCHEDULED]);
      expect(metadata.MaximumExecutionFrequency).toBe("Twelve_Hours");
      expect(metadata.ResourceTypesScope).toEqual(expected.scope);
      const parameters = JSON.parse(metadata.InputParameters);
      expect(parameters).toMatchObject({ AssumeRoleMode: "true", ExecutionRoleName: "ec2-config-rules-member" });
      if (id === "placement-group-limits") expect(parameters.maxPartitions).toBe("5");
    }
  });

  test("functions act in member accounts through the member role only, after checking the account is in the organization", () => {
    for (const [id, expected] of Object.entries(EXPECTED)) {
      const statements = statementsOf(res(organization, `${expected.logicalName}Role`));
      expect(actionsOf(statements)).toEqual(
        sorted(["logs:CreateLogStream", "logs:PutLogEvents", "sns:Publish", ...OUTBOX, "sts:AssumeRole", "organizations:DescribeAccount"]),
      );
      expect(resourceFor(statements, "sts:AssumeRole")).toEqual([
        { "Fn::Sub": `arn:\${AWS::Partition}:iam::*:role/ec2-config-rules-member` },
      ]);
      // The organization's accounts only; the `*` stands for the management account, which an account's ARN names.
      expect(resourceFor(statements, "organizations:DescribeAccount")).toEqual([
        { "Fn::Sub": `arn:\${AWS::Partition}:organizations::*:account/o-a1b2c3d4e5/*` },
      ]);
      expect(res(organization, `${expected.logicalName}LambdaFunction`).Properties.Environment.Variables.ORGANIZATION_ID).toBe(
        "o-a1b2c3d4e5",
      );
      // No condition can name the organization for Config's service principal: the function checks
      // each event's account instead (lib/config/organization-guard).
      expect(res(organization, `${expected.logicalName}ConfigPermission`).Properties).toEqual({
        FunctionName: { "Fn::GetAtt": [`${expected.logicalName}LambdaFunction`, "Arn"] },
        Action: "lambda:InvokeFunction",
        Principal: "config.amazonaws.com",
      });
      expect(res(organization, `${expected.logicalName}LambdaFunction`).Properties.FunctionName).toBe(`ec2-config-rules-orgtest-${id}`);
    }
    expect(organization.Resources.AlertsEmailSubscription).toBeUndefined();
    // The Security Hub sink is off unless the stage turns it on (and organization stages cannot).
    expect(allStatements(organization.Resources).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))).not.toContain(
      "securityhub:BatchImportFindings",
    );
    for (const expected of Object.values(EXPECTED)) {
      expect(
        res(organization, `${expected.logicalName}LambdaFunction`).Properties.Environment.Variables.SECURITY_HUB_ENABLED,
      ).toBeUndefined();
    }
  });

  test("the report reads the organization rules' results through the organization aggregator the stack builds, allowed on it alone", () => {
    const aggregator = res(organization, "OrganizationAggregator");
    expect(aggregator.Type).toBe("AWS::Config::ConfigurationAggregator");
    expect(aggregator.Properties).toEqual({
      ConfigurationAggregatorName: "ec2-config-rules-orgtest-organization",
      OrganizationAggregationSource: {
        RoleArn: { "Fn::GetAtt": ["OrganizationAggregatorRole", "Arn"] },
        AwsRegions: ["eu-west-1", "eu-central-1"],
      },
    });
    // Config lists the organization's accounts with the AWS managed policy made for it, and nothing else.
    const aggregatorRole = res(organization, "OrganizationAggregatorRole").Properties;
    expect(aggregatorRole.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "config.amazonaws.com" }, Action: ["sts:AssumeRole"] },
    ]);
    expect(aggregatorRole.ManagedPolicyArns).toEqual([
      { "Fn::Sub": `arn:\${AWS::Partition}:iam::aws:policy/service-role/AWSConfigRoleForOrganizations` },
    ]);
    expect(aggregatorRole.Policies).toBeUndefined();

    const fn = res(organization, "ScheduledReportLambdaFunction").Properties;
    expect(fn.Timeout).toBe(900);
    expect(fn.Environment.Variables).toMatchObject({
      AGGREGATOR_NAME: "ec2-config-rules-orgtest-organization",
      AGGREGATOR_REGIONS: "eu-west-1,eu-central-1",
      EXCLUDED_ACCOUNTS: "111122223333",
    });
    expect(JSON.parse(fn.Environment.Variables.CONFIG_RULE_NAMES)).toEqual(
      Object.fromEntries(RULE_IDS.map((id) => [id, `ec2-config-rules-orgtest-${id}`])),
    );
    const statements = statementsOf(res(organization, "ScheduledReportRole"));
    expect(actionsOf(statements)).toEqual(
      sorted([
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sns:Publish",
        "config:DescribeAggregateComplianceByConfigRules",
        "config:DescribeConfigurationAggregatorSourcesStatus",
        "config:GetAggregateComplianceDetailsByConfigRule",
        "organizations:ListAccounts",
        "s3:ListBucket",
        "s3:GetObject",
        "s3:PutObject",
      ]),
    );
    // Every Config permission of the report on the aggregator's ARN only.
    const configActions = actionsOf(statements).filter((action) => action.startsWith("config:"));
    for (const action of configActions) {
      expect(resourceFor(statements, action)).toEqual([{ "Fn::GetAtt": ["OrganizationAggregator", "ConfigurationAggregatorArn"] }]);
    }
    // ListAccounts has no resource type (Service Authorization Reference): `*` is the only resource it takes.
    expect(resourceFor(statements, "organizations:ListAccounts")).toEqual(["*"]);
  });

  test("every Config permission of every function in organization mode is on the aggregator: the rule roles have none", () => {
    const functionRoles = Object.entries(organization.Resources).filter(
      ([id, resource]) => resource.Type === "AWS::IAM::Role" && id !== "OrganizationAggregatorRole",
    );
    // The rule roles and the report's at least (a stage may add the organization scan's).
    expect(functionRoles.length).toBeGreaterThanOrEqual(RULE_IDS.length + 1);
    for (const [id, resource] of functionRoles) {
      const statements = statementsOf(resource);
      for (const action of actionsOf(statements).filter((candidate) => candidate.startsWith("config:"))) {
        expect({ id, action, resource: resourceFor(statements, action) }).toEqual({
          id: "ScheduledReportRole",
          action,
          resource: [{ "Fn::GetAtt": ["OrganizationAggregator", "ConfigurationAggregatorArn"] }],
        });
      }
    }
  });
});

describe("organization scan (organizationScan.enabled)", () => {
  const LOGS = ["logs:CreateLogStream", "logs:PutLogEvents"];
  const objects = (rest: string) => ({ "Fn::Sub": `\${ScanBucket.Arn}/scans/${rest}` });
  const definition = () => res(organization, "ScanStateMachine").Properties.Definition;

  test("only where the stage enables it", () => {
    expect(ofType(account, "AWS::StepFunctions::StateMachine")).toHaveLength(0);
    expect(account.Resources.ScanBucket).toBeUndefined();
    expect(ofType(organization, "AWS::StepFunctions::StateMachine")).toHaveLength(1);
  });

  test("a Distributed Map reads the manifest from S3 and runs one item Lambda per (account, region), at the stage's concurrency, failing on any failed item", () => {
    const machine = res(organization, "ScanStateMachine");
    expect(machine.Properties.StateMachineName).toBe("ec2-config-rules-orgtest-organization-scan");
    expect(machine.Properties.DefinitionSubstitutions).toEqual({
      PlanFunctionArn: { "Fn::GetAtt": ["ScanPlanLambdaFunction", "Arn"] },
      ItemFunctionArn: { "Fn::GetAtt": ["ScanItemLambdaFunction", "Arn"] },
      MergeFunctionArn: { "Fn::GetAtt": ["ScanMergeLambdaFunction", "Arn"] },
      ScanBucket: { Ref: "ScanBucket" },
    });
    const states = definition().States;
    expect(definition().StartAt).toBe("ListItems");
    expect(states.ListItems).toMatchObject({ Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Next: "ScanItems" });
    expect(states.ListItems.Parameters.FunctionName).toBe(substitution("PlanFunctionArn"));
    const map = states.ScanItems;
    expect(map.Type).toBe("Map");
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
    expect(map.ItemReader).toEqual({
      Resource: "arn:aws:states:::s3:getObject",
      ReaderConfig: { InputType: "JSON" },
      Parameters: { "Bucket.$": "$.bucket", "Key.$": "$.manifestKey" },
    });
    expect(map.MaxConcurrency).toBe(250);
    expect(map.ToleratedFailurePercentage).toBe(0);
    expect(map.ResultWriter).toEqual({
      Resource: "arn:aws:states:::s3:putObject",
      Parameters: { Bucket: substitution("ScanBucket"), Prefix: "scans/map-results" },
    });
    expect(map.ItemSelector).toEqual({
      "scanId.$": "$.scanId",
      "accountId.$": "$$.Map.Item.Value.accountId",
      "region.$": "$$.Map.Item.Value.region",
    });
    const item = map.ItemProcessor.States[map.ItemProcessor.StartAt];
    expect(item).toMatchObject({ Type: "Task", Resource: "arn:aws:states:::lambda:invoke", End: true });
    expect(item.Parameters.FunctionName).toBe(substitution("ItemFunctionArn"));
    // Success: the merge. Any failure: the failed items listed in an alert, then the execution fails.
    expect(map.Next).toBe("MergeFindings");
    expect(states.MergeFindings.Parameters.FunctionName).toBe(substitution("MergeFunctionArn"));
    expect(map.Catch).toEqual([{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "ReportFailedItems" }]);
    expect(states.ReportFailedItems.Parameters).toMatchObject({
      FunctionName: substitution("MergeFunctionArn"),
      Payload: { failed: true },
    });
    expect(states.ReportFailedItems.Next).toBe("ScanFailed");
    expect(states.ScanFailed.Type).toBe("Fail");
  });

  test("each function has its own role, least privilege, no wildcard action; the item function reads EC2 only as the member role", () => {
    const plan = statementsOf(res(organization, "ScanPlanRole"));
    expect(actionsOf(plan)).toEqual(sorted([...LOGS, "organizations:ListAccounts", "s3:PutObject"]));
    // ListAccounts has no resource-level permission.
    expect(resourceFor(plan, "organizations:ListAccounts")).toEqual(["*"]);
    expect(resourceFor(plan, "s3:PutObject")).toEqual([objects("*/manifest.json")]);

    const item = statementsOf(res(organization, "ScanItemRole"));
    expect(actionsOf(item)).toEqual(sorted([...LOGS, "sts:AssumeRole", "s3:PutObject"]));
    expect(resourceFor(item, "sts:AssumeRole")).toEqual([{ "Fn::Sub": `arn:\${AWS::Partition}:iam::*:role/ec2-config-rules-scan` }]);
    expect(resourceFor(item, "s3:PutObject")).toEqual([objects("*/items/*")]);
    const variables = res(organization, "ScanItemLambdaFunction").Properties.Environment.Variables;
    expect(variables).toMatchObject({
      SCAN_ROLE_NAME: "ec2-config-rules-scan",
      SCAN_EXTERNAL_ID: "scan-external-id",
      SCAN_BUCKET: { Ref: "ScanBucket" },
    });
    expect(JSON.parse(variables.SCAN_REGIONS)).toEqual(["eu-west-1", "ap-southeast-2", "eu-central-1"]);
    expect(JSON.parse(variables.SCAN_EXCLUDED_ACCOUNTS)).toEqual(["111122223333"]);
    expect(JSON.parse(variables.SCAN_RULE_PARAMETERS)).toEqual({ "placement-group-limits": { maxPartitions: 5 } });

    const merge = statementsOf(res(organization, "ScanMergeRole"));
    expect(actionsOf(merge)).toEqual(
      sorted([...LOGS, "sns:Publish", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]),
    );
    expect(resourceFor(merge, "sns:Publish")).toEqual([{ Ref: "AlertsTopic" }]);
    expect(resourceFor(merge, "s3:ListBucket")).toEqual([{ "Fn::GetAtt": ["ScanBucket", "Arn"] }]);
    expect(resourceFor(merge, "s3:GetObject")).toEqual([objects("*")]);

    for (const [step, name] of [
      ["ScanPlan", "scan-plan"],
      ["ScanItem", "scan-item"],
      ["ScanMerge", "scan-merge"],
    ]) {
      const fn = res(organization, `${step}LambdaFunction`);
      expect(fn.Properties.Role).toEqual({ "Fn::GetAtt": [`${step}Role`, "Arn"] });
      expect(fn.Properties.FunctionName).toBe(`ec2-config-rules-orgtest-${name}`);
      expect(resourceFor(statementsOf(res(organization, `${step}Role`)), "logs:PutLogEvents")).toEqual([
        {
          "Fn::Sub": `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/ec2-config-rules-orgtest-${name}:*`,
        },
      ]);
    }
  });

  test("the state machine's role: invoke the three functions, S3 for ItemReader and ResultWriter, child executions of itself", () => {
    const role = res(organization, "ScanStateMachineRole");
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: "states.amazonaws.com" });
    expect(res(organization, "ScanStateMachine").Properties.RoleArn).toEqual({ "Fn::GetAtt": ["ScanStateMachineRole", "Arn"] });
    const statements = statementsOf(role);
    expect(actionsOf(statements)).toEqual(
      sorted([
        "lambda:InvokeFunction",
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListMultipartUploadParts",
        "s3:AbortMultipartUpload",
        "states:StartExecution",
        "states:DescribeExecution",
        "states:StopExecution",
      ]),
    );
    const functions = ["ScanPlan", "ScanItem", "ScanMerge"].map((step) => ({ "Fn::GetAtt": [`${step}LambdaFunction`, "Arn"] }));
    expect(resourceFor(statements, "lambda:InvokeFunction")).toEqual([
      functions.flatMap((arn) => [arn, { "Fn::Join": [":", [arn, "*"]] }]),
    ]);
    expect(resourceFor(statements, "s3:GetObject")).toEqual([objects("*/manifest.json"), objects("map-results/*")]);
    expect(resourceFor(statements, "s3:PutObject")).toEqual([objects("map-results/*")]);
    const machine = "ec2-config-rules-orgtest-organization-scan";
    expect(resourceFor(statements, "states:StartExecution")).toEqual([
      { "Fn::Sub": `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${machine}` },
    ]);
    expect(resourceFor(statements, "states:DescribeExecution")).toEqual([
      { "Fn::Sub": `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${machine}/*` },
    ]);
  });
});

describe("both deployments", () => {
  test("no Allow statement anywhere grants a wildcard action; the only wildcards are the bucket's TLS denials", () => {
    for (const template of [account, organization]) {
      const statements = allStatements(template.Resources);
      expect(statements.length).toBeGreaterThan(20);
      for (const statement of statements) {
        const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
        if (actions.some((action) => action.includes("*"))) {
          expect({ effect: statement.Effect, actions }).toEqual({ effect: "Deny", actions: ["s3:*"] });
        }
      }
    }
  });

  test("nothing in the templates was resolved through AWS: account and region stay pseudo parameters", () => {
    for (const template of [account, organization]) {
      const text = JSON.stringify(template.Resources);
      expect(text).toContain(`\${AWS::AccountId}`);
      expect(text).not.toMatch(/arn:aws[\w-]*:[\w-]+:[\w-]*:\d{12}:/);
      expect(text).not.toMatch(/us-east-1/);
    }
  });
});

describe("rule function bundles", () => {
  test("leave STS, SSM, Security Hub, SQS and Organizations to the runtime's SDK, and load none at import", () => {
    const unpacked = mkdtempSync(path.join(tmpdir(), "ec2-config-rules-zip-"));
    try {
      const unzip = spawnSync("unzip", ["-q", path.join(accountRun.dir, "eipAttached.zip"), "-d", unpacked], { encoding: "utf8" });
      expect(unzip.stderr).toBe("");
      const bundle = path.join(unpacked, "handlers", "eip-attached.js");
      const text = readFileSync(bundle, "utf8");
      expect(text).toContain('require("@aws-sdk/client-sts")');
      expect(text).toContain('require("@aws-sdk/client-ssm")');
      expect(text).toContain('require("@aws-sdk/client-securityhub")');
      expect(text).toContain('require("@aws-sdk/client-sqs")');
      expect(text).toContain('require("@aws-sdk/client-organizations")');
      // Outside the repository neither package resolves: importing works only if neither is loaded.
      const load = spawnSync(
        process.execPath,
        ["-e", "if (typeof require(process.argv[1]).handler !== 'function') process.exit(2)", bundle],
        {
          cwd: unpacked,
          encoding: "utf8",
          env: { PATH: process.env.PATH, AWS_REGION: "us-east-1" },
        },
      );
      expect({ status: load.status, stderr: load.stderr }).toEqual({ status: 0, stderr: "" });
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  });
});

describe("cfn-lint", () => {
  const lint = cfnLint();
  const lintTest = lint ? test : test.skip;
  if (!lint) {
    if (process.env.CI) throw new Error("cfn-lint is required in CI (pip install cfn-lint) and was not found on PATH");
    console.warn("SKIPPED: cfn-lint not found on PATH; the generated templates were not linted");
  }

  lintTest("passes on both generated templates and member-role.yml", () => {
    const files = [
      path.join(accountRun.dir, "cloudformation-template-update-stack.json"),
      path.join(organizationRun.dir, "cloudformation-template-update-stack.json"),
      path.join(ROOT, "deploy", "member-role.yml"),
    ];
    // W3005: the framework adds DependsOn on each function's role, which its Fn::GetAtt already implies.
    const result = spawnSync(lint as string, ["--ignore-checks", "W3005", "--", ...files], { encoding: "utf8", timeout: 120_000 });
    expect({ status: result.status, findings: `${result.stdout}${result.stderr}`.trim() }).toEqual({ status: 0, findings: "" });
  });
});

describe("member-role.yml", () => {
  test("is the generator's current output (regenerate with `npm run member-role`)", () => {
    const committed = readFileSync(path.join(ROOT, "deploy", "member-role.yml"), "utf8");
    expect(committed).toBe(`${toYaml(memberRoleTemplate()).trimStart()}\n`);
  });

  test("grants the union of the rules' reads and Config calls, and trusts only the rule functions' roles and the scan's item function", () => {
    const role = res(memberRoleTemplate() as Template, "MemberRole");
    expect(actionsOf(statementsOf(role))).toEqual(
      sorted([
        ...new Set([
          "config:PutEvaluations",
          "config:GetComplianceDetailsByConfigRule",
          "config:GetResourceConfigHistory",
          "config:GetComplianceDetailsByResource",
          ...Object.values(EXPECTED).flatMap((expected) => expected.reads),
        ]),
      ]),
    );
    const trust = role.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust.Condition.ArnEquals["aws:PrincipalArn"]).toEqual(
      [...RULE_IDS, "scan-item"].map((id) => ({
        "Fn::Sub": `arn:\${AWS::Partition}:iam::\${AdministratorAccountId}:role/ec2-config-rules-\${Stage}-${id}`,
      })),
    );
  });
});
