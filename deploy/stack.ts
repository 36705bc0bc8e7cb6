import { ALERTS_TABLE_KEYS, OUTBOX_INDEX } from "../lib/alerts/store";
import { type AnyRule, parseRuleParameters, RuleParameterError } from "../lib/engine/rule";
import { InputError } from "../lib/errors";
import { KINDS, kindOfConfigType } from "../lib/model/kinds";
import { AUTOMATION_DOCUMENTS, parseRemediationSettings, remediationCloudFormation } from "../remediation/ssm";
import { RULES } from "../rules";
import { addPrivateBucket } from "./bucket";
import {
  assumeRolePolicy,
  type CfnValue,
  describeAccountStatement,
  importFindingsStatement,
  localArn,
  logStatement,
  type PolicyStatement,
  remediationStatements,
  ruleEvaluationStatements,
} from "./iam";
import { addOrganizationScan } from "./scan";
import type { StageSettings } from "./settings";

export const SERVICE = "ec2-config-rules";

/**
 * Sized for a periodic scan of a large account (10k instances, 10k groups): the run holds a few
 * hundred MB of API pages and model at most, and Lambda gives CPU in proportion to memory, so
 * 1024 MB keeps JSON parsing of 1000-item pages short. A throttled scan spends most of its time
 * in adaptive-retry backoff, hence the maximum timeout: a run that times out posts nothing, and
 * a run cut short at a lower timeout would waste every page already read.
 */
export const RULE_FUNCTION_MEMORY_MB = 1024;
export const RULE_FUNCTION_TIMEOUT_S = 900;
export const REPORT_FUNCTION_MEMORY_MB = 1024;
export const REPORT_FUNCTION_TIMEOUT_S = 300;
/** Organization mode reads every account's results through the aggregator, whose APIs throttle early. */
export const ORGANIZATION_REPORT_TIMEOUT_S = 900;

const CHANGE_MESSAGE_TYPES = ["ConfigurationItemChangeNotification", "OversizedConfigurationItemChangeNotification"] as const;
const SCHEDULED = "ScheduledNotification";

/** Whether AWS Config records a type the rules report on (lib/model/kinds.ts): no Scope for those it does not. */
const isRecordedType = (resourceType: string): boolean => {
  const kind = kindOfConfigType(resourceType);
  return kind === undefined || KINDS[kind].recordedByConfig;
};

/** eip-attached → EipAttached */
export const logicalName = (ruleId: string): string =>
  ruleId
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

/** eip-attached → eipAttached (the serverless function key) */
export const functionKey = (ruleId: string): string => {
  const name = logicalName(ruleId);
  return name.charAt(0).toLowerCase() + name.slice(1);
};

export interface StackInput {
  stage: string;
  settings: StageSettings;
  /** The parameters file, for error messages. */
  settingsFile: string;
}

export interface Stack {
  functions: Record<string, unknown>;
  resources: { Resources: Record<string, unknown>; Outputs: Record<string, unknown> };
  logRetentionDays: number;
}

/** The names every resource of a stage derives from. */
export function stageNames(stage: string) {
  const prefix = `${SERVICE}-${stage}`;
  return {
    prefix,
    functionName: (id: string) => `${prefix}-${id}`,
    configRuleName: (ruleId: string) => `${prefix}-${ruleId}`,
    roleName: (id: string) => `${prefix}-${id}`,
    documentPrefix: `${logicalName(SERVICE)}-${stage}`,
  };
}

const MAX_IAM_ROLE_NAME = 64;
const MAX_LAMBDA_NAME = 64;
const MAX_ORGANIZATION_RULE_NAME = 64;
const MAX_INPUT_PARAMETERS = 1024;

/** Config passes parameters to the rule as the strings an admin types; the rules' schemas read those forms. */
function inputParameters(rule: AnyRule, input: StackInput): Record<string, string> {
  const raw = input.settings.rules[rule.meta.id]?.parameters ?? {};
  try {
    parseRuleParameters(rule, raw);
  } catch (error) {
    if (error instanceof RuleParameterError) {
      throw new InputError(error.message, { file: input.settingsFile, field: `rules.${rule.meta.id}.parameters.${error.parameter}` });
    }
    throw error;
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) values[name] = Array.isArray(value) ? value.join(",") : String(value);
  if (input.settings.exemptionTagKey) values.ExemptionTagKey = input.settings.exemptionTagKey;
  if (input.settings.maxExemptionDays !== undefined) values.MaxExemptionDays = String(input.settings.maxExemptionDays);
  if (input.settings.organization.enabled) {
    // The handler assumes this role in the account named by each event (lib/lambda/run-event).
    values.AssumeRoleMode = "true";
    values.ExecutionRoleName = input.settings.organization.memberRoleName;
  }
  const size = JSON.stringify(values).length;
  if (size > MAX_INPUT_PARAMETERS) {
    throw new InputError(`the rule's parameters take ${size} characters as JSON; Config accepts at most ${MAX_INPUT_PARAMETERS}`, {
      file: input.settingsFile,
      field: `rules.${rule.meta.id}.parameters`,
    });
  }
  return values;
}

function checkLength(kind: string, value: string, max: number): void {
  if (value.length > max)
    throw new InputError(`${kind} "${value}" is longer than ${max} characters: use a shorter stage name`, { field: "stage" });
}

const role = (name: string, service: string, statements: PolicyStatement[], condition?: Record<string, unknown>) => ({
  Type: "AWS::IAM::Role",
  Properties: {
    RoleName: name,
    AssumeRolePolicyDocument: assumeRolePolicy(service, condition),
    Policies: [{ PolicyName: "least-privilege", PolicyDocument: { Version: "2012-10-17", Statement: statements } }],
  },
});

/** The whole stack of one stage: the serverless `functions` and the CloudFormation `resources`. */
export function buildStack(input: StackInput): Stack {
  const { settings, stage } = input;
  const names = stageNames(stage);
  const organization = settings.organization.enabled;
  const organizationId = settings.organization.organizationId ?? "";
  if (organization && !organizationId) {
    // The settings schema requires it; a stack built from unparsed settings must not guard no organization.
    throw new InputError("required in organization mode", { file: input.settingsFile, field: "organization.organizationId" });
  }
  const knownRules = new Set(RULES.map((rule) => rule.meta.id));
  for (const ruleId of Object.keys(settings.rules)) {
    if (!knownRules.has(ruleId)) {
      throw new InputError(`no such rule (rules: ${[...knownRules].join(", ")})`, { file: input.settingsFile, field: `rules.${ruleId}` });
    }
  }
  let remediation: ReturnType<typeof parseRemediationSettings>;
  try {
    remediation = parseRemediationSettings(settings.remediation, `${input.settingsFile}: remediation`);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  if (organization) {
    const notManual = Object.entries(remediation).find(([, value]) => value.mode !== "manual");
    if (notManual) {
      throw new InputError("remediation is per account: Config allows no remediation on organization rules", {
        file: input.settingsFile,
        field: `remediation.${notManual[0]}.mode`,
      });
    }
  }

  if (organization && settings.securityHub.enabled) {
    // BatchImportFindings into the default product takes only the calling account's own findings,
    // and an organization rule's findings belong to the member accounts.
    throw new InputError("the Security Hub sink imports into this account's own product, so it cannot take organization rules' findings", {
      file: input.settingsFile,
      field: "securityHub.enabled",
    });
  }

  const resources: Record<string, unknown> = {};
  const outputs: Record<string, unknown> = {};
  const functions: Record<string, unknown> = {};
  const topic = { Ref: "AlertsTopic" };
  const publishAlerts: PolicyStatement = { Effect: "Allow", Action: ["sns:Publish"], Resource: topic };
  const remediationRoleName = names.roleName("remediation");
  const remediationRoleArn: CfnValue = { "Fn::GetAtt": ["RemediationRole", "Arn"] };
  const deployedDocuments = organization ? [] : AUTOMATION_DOCUMENTS;

  resources.AlertsTopic = {
    Type: "AWS::SNS::Topic",
    Properties: {
      TopicName: `${names.prefix}-alerts`,
      // The AWS managed key: publishers need no KMS grant (its key policy admits SNS callers of
      // this account), so sns:Publish on this topic stays the functions' only alert permission.
      KmsMasterKeyId: "alias/aws/sns",
    },
  };
  outputs.AlertsTopicArn = { Value: topic };
  addAlertsOutbox(names.prefix, settings, resources, outputs);
  if (settings.alerts.email) {
    resources.AlertsEmailSubscription = {
      Type: "AWS::SNS::Subscription",
      Properties: { TopicArn: topic, Protocol: "email", Endpoint: settings.alerts.email },
    };
  }

  for (const rule of RULES) {
    const ruleId = rule.meta.id;
    const name = logicalName(ruleId);
    const functionName = names.functionName(ruleId);
    const roleName = names.roleName(ruleId);
    const configRuleName = names.configRuleName(ruleId);
    checkLength("function name", functionName, MAX_LAMBDA_NAME);
    checkLength("role name", roleName, MAX_IAM_ROLE_NAME);
    if (organization) checkLength("organization rule name", configRuleName, MAX_ORGANIZATION_RULE_NAME);

    const ruleSettings = settings.rules[ruleId];
    const frequency = ruleSettings?.maximumExecutionFrequency ?? settings.maximumExecutionFrequency;
    const change = rule.meta.triggers.includes("change");
    const periodic = rule.meta.triggers.includes("periodic");
    const parameters = inputParameters(rule, input);
    const recordedTypes = rule.meta.resourceTypes.filter(isRecordedType);
    const scoped = recordedTypes.length === rule.meta.resourceTypes.length;
    const ruleRemediation = remediation[ruleId];
    const startsAutomations = ruleRemediation?.mode === "automatic";

    const statements: PolicyStatement[] = [logStatement(functionName), publishAlerts, ...outboxStatements(ruleId)];
    if (organization) {
      // Every read and every Config call happens in the member account, as the member role.
      statements.push({
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Resource: { "Fn::Sub": `arn:\${AWS::Partition}:iam::*:role/${settings.organization.memberRoleName}` },
      });
      statements.push(describeAccountStatement(organizationId));
    } else {
      statements.push(...ruleEvaluationStatements([rule]));
    }
    if (settings.securityHub.enabled) statements.push(importFindingsStatement());
    if (startsAutomations) {
      const binding = AUTOMATION_DOCUMENTS.find((candidate) => candidate.ruleId === ruleId);
      statements.push(
        {
          Effect: "Allow",
          Action: ["ssm:StartAutomationExecution"],
          Resource: localArn("ssm", `automation-definition/${names.documentPrefix}-${binding?.nameSuffix}:*`),
        },
        {
          Effect: "Allow",
          Action: ["iam:PassRole"],
          Resource: remediationRoleArn,
          Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
        },
      );
    }
    resources[`${name}Role`] = role(roleName, "lambda.amazonaws.com", statements);

    functions[functionKey(ruleId)] = {
      name: functionName,
      handler: `handlers/${ruleId}.handler`,
      description: `AWS Config rule ${ruleId}: ${rule.meta.description}`.slice(0, 256),
      role: `${name}Role`,
      memorySize: RULE_FUNCTION_MEMORY_MB,
      timeout: RULE_FUNCTION_TIMEOUT_S,
      environment: {
        ALERTS_TOPIC_ARN: topic,
        ALERTS_TABLE: { Ref: "AlertsTable" },
        ALERTS_DEAD_LETTER_QUEUE_URL: { Ref: "AlertsDeadLetterQueue" },
        ALERTS_MAX_ATTEMPTS: String(settings.alerts.maxAttempts),
        ...(settings.alerts.renotifyMinutes ? { ALERTS_RENOTIFY_MINUTES: String(settings.alerts.renotifyMinutes) } : {}),
        ...(settings.securityHub.enabled ? { SECURITY_HUB_ENABLED: "true" } : {}),
        ...(organization ? { ORGANIZATION_ID: organizationId } : {}),
        ...(ruleRemediation
          ? {
              REMEDIATION_MODE: ruleRemediation.mode,
              REMEDIATION_CAP: String(ruleRemediation.cap),
              REMEDIATION_DOCUMENT_PREFIX: names.documentPrefix,
              ...(AUTOMATION_DOCUMENTS.find((binding) => binding.ruleId === ruleId)?.irreversible
                ? {
                    REMEDIATION_ALLOW_RELEASE: String(ruleRemediation.allowRelease),
                    REMEDIATION_RELEASE_AFTER_DAYS: String(ruleRemediation.releaseAfterDays),
                  }
                : {}),
              ...(startsAutomations ? { REMEDIATION_ROLE_ARN: remediationRoleArn } : {}),
            }
          : {}),
      },
    };

    const functionArn = { "Fn::GetAtt": [`${name}LambdaFunction`, "Arn"] };
    resources[`${name}ConfigPermission`] = {
      Type: "AWS::Lambda::Permission",
      Properties: {
        FunctionName: functionArn,
        Action: "lambda:InvokeFunction",
        Principal: "config.amazonaws.com",
        // Organization mode: no condition. For Config's service principal a permission takes only
        // SourceAccount (one account), SourceArn (Lambda refuses `*` for its account) or PrincipalOrgID
        // (aws:PrincipalOrgID, which a service principal's request does not carry: it would block
        // Config); aws:SourceOrgID cannot be set through AddPermission. The function itself refuses
        // events from accounts outside organization.organizationId (lib/config/organization-guard).
        ...(organization ? {} : { SourceAccount: { Ref: "AWS::AccountId" } }),
      },
    };

    const messageTypes = [...(change ? CHANGE_MESSAGE_TYPES : []), ...(periodic ? [SCHEDULED] : [])];
    if (organization) {
      resources[`${name}OrganizationConfigRule`] = {
        Type: "AWS::Config::OrganizationConfigRule",
        DependsOn: [`${name}ConfigPermission`],
        Properties: {
          OrganizationConfigRuleName: configRuleName,
          ...(settings.organization.excludedAccounts.length > 0 ? { ExcludedAccounts: settings.organization.excludedAccounts } : {}),
          OrganizationCustomRuleMetadata: {
            Description: rule.meta.description.slice(0, 256),
            LambdaFunctionArn: functionArn,
            OrganizationConfigRuleTriggerTypes: messageTypes,
            ...(periodic ? { MaximumExecutionFrequency: frequency } : {}),
            ...(scoped ? { ResourceTypesScope: [...rule.meta.resourceTypes] } : {}),
            InputParameters: JSON.stringify(parameters),
          },
        },
      };
    } else {
      resources[`${name}ConfigRule`] = {
        Type: "AWS::Config::ConfigRule",
        DependsOn: [`${name}ConfigPermission`],
        Properties: {
          ConfigRuleName: configRuleName,
          Description: rule.meta.description.slice(0, 256),
          Source: {
            Owner: "CUSTOM_LAMBDA",
            SourceIdentifier: functionArn,
            SourceDetails: messageTypes.map((messageType) => ({
              EventSource: "aws.config",
              MessageType: messageType,
              ...(messageType === SCHEDULED ? { MaximumExecutionFrequency: frequency } : {}),
            })),
          },
          ...(scoped ? { Scope: { ComplianceResourceTypes: [...rule.meta.resourceTypes] } } : {}),
          InputParameters: parameters,
        },
      };
    }
  }

  if (deployedDocuments.length > 0) {
    const actions = [...new Set(deployedDocuments.flatMap((binding) => binding.iamActions))];
    resources.RemediationRole = role(remediationRoleName, "ssm.amazonaws.com", remediationStatements(actions), {
      StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
    });
    Object.assign(
      resources,
      remediationCloudFormation({
        settings: remediation,
        assumeRoleArn: remediationRoleArn,
        configRuleName: (ruleId) => ({ Ref: `${logicalName(ruleId)}ConfigRule` }),
        documentPrefix: names.documentPrefix,
        ruleIds: RULES.map((rule) => rule.meta.id),
      }),
    );
  }

  // The report reads the stack's account rules, or in organization mode the organization rules'
  // results in every member account through an organization aggregator.
  const aggregator = organization ? addAggregator(input, resources, outputs) : undefined;
  addReports(input, resources, outputs, functions, publishAlerts, aggregator);
  if (settings.organizationScan.enabled) {
    addOrganizationScan(
      { prefix: names.prefix, settings, functionName: names.functionName, roleName: names.roleName, role, publishAlerts },
      resources,
      outputs,
      functions,
    );
  }
  return { functions, resources: { Resources: resources, Outputs: outputs }, logRetentionDays: settings.logRetentionDays };
}

/**
 * Durable alerts (lib/alerts/store.ts, outbox.ts): the announced-state table, whose sparse `outbox`
 * index lists what is still to announce; the dead-letter queue for announcements and automation
 * starts given up on after `alerts.maxAttempts` runs; and an alarm on that queue. DynamoDB rather
 * than objects in the reports bucket: conditional writes per resource make concurrent runs of one
 * rule announce a change once, and the table exists in organization mode too (the bucket does not).
 */
function addAlertsOutbox(
  prefix: string,
  settings: StageSettings,
  resources: Record<string, unknown>,
  outputs: Record<string, unknown>,
): void {
  resources.AlertsTable = {
    Type: "AWS::DynamoDB::Table",
    Properties: {
      TableName: `${prefix}-alerts`,
      BillingMode: "PAY_PER_REQUEST",
      ...ALERTS_TABLE_KEYS,
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      SSESpecification: { SSEEnabled: true },
    },
  };
  resources.AlertsDeadLetterQueue = {
    Type: "AWS::SQS::Queue",
    Properties: {
      QueueName: `${prefix}-alerts-dead-letters`,
      // SQS's maximum: two weeks to read what was never announced.
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    },
  };
  // CloudWatch cannot publish to a topic under the AWS managed SNS key (its key policy admits no
  // CloudWatch), so the alarm has its own topic; its messages carry only the alarm's name and state.
  resources.AlarmsTopic = { Type: "AWS::SNS::Topic", Properties: { TopicName: `${prefix}-alarms` } };
  resources.AlarmsTopicPolicy = {
    Type: "AWS::SNS::TopicPolicy",
    Properties: {
      Topics: [{ Ref: "AlarmsTopic" }],
      PolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "CloudWatchAlarmsOfThisAccount",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: { Ref: "AlarmsTopic" },
            Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
          },
        ],
      },
    },
  };
  if (settings.alerts.email) {
    resources.AlarmsEmailSubscription = {
      Type: "AWS::SNS::Subscription",
      Properties: { TopicArn: { Ref: "AlarmsTopic" }, Protocol: "email", Endpoint: settings.alerts.email },
    };
  }
  resources.AlertsDeadLetterAlarm = {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmName: `${prefix}-alerts-not-delivered`,
      AlarmDescription: "Compliance alerts or automatic remediations were given up on: read the dead-letter queue",
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": ["AlertsDeadLetterQueue", "QueueName"] } }],
      Statistic: "Maximum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: [{ Ref: "AlarmsTopic" }],
    },
  };
  outputs.AlertsTableName = { Value: { Ref: "AlertsTable" } };
  outputs.AlertsDeadLetterQueueUrl = { Value: { Ref: "AlertsDeadLetterQueue" } };
}

/** A rule function's access to the outbox: its own rule's partition only (dynamodb:LeadingKeys), and sending to the dead-letter queue. */
export function outboxStatements(ruleId: string): PolicyStatement[] {
  return [
    {
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
      Resource: [{ "Fn::GetAtt": ["AlertsTable", "Arn"] }, { "Fn::Sub": `\${AlertsTable.Arn}/index/${OUTBOX_INDEX}` }],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${ruleId}#*`] } },
    },
    { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: { "Fn::GetAtt": ["AlertsDeadLetterQueue", "Arn"] } },
  ];
}

/** The aggregator the organization report reads: its name, ARN and the regions whose results are expected. */
interface ReportAggregator {
  name: CfnValue;
  arn: CfnValue;
  /** `all` or comma-separated regions, as the report function reads them (AGGREGATOR_REGIONS). */
  regions: CfnValue;
}

/**
 * Organization mode: the organization ConfigurationAggregator of the administrator account, with
 * the role Config uses to list the organization's accounts (the AWS managed policy
 * AWSConfigRoleForOrganizations); or the existing aggregator the stage names. The expected regions
 * default to the stack's own, where the organization rules are (PutOrganizationConfigRule is regional).
 */
function addAggregator(input: StackInput, resources: Record<string, unknown>, outputs: Record<string, unknown>): ReportAggregator {
  const names = stageNames(input.stage);
  const { aggregator } = input.settings.organization;
  const regions = aggregator.regions;
  const regionsValue: CfnValue = regions === undefined ? { Ref: "AWS::Region" } : regions === "all" ? "all" : regions.join(",");
  if (aggregator.name && aggregator.arn) {
    outputs.OrganizationAggregatorName = { Value: aggregator.name };
    return { name: aggregator.name, arn: aggregator.arn, regions: regionsValue };
  }
  const roleName = names.roleName("aggregator");
  checkLength("role name", roleName, MAX_IAM_ROLE_NAME);
  resources.OrganizationAggregatorRole = {
    Type: "AWS::IAM::Role",
    Properties: {
      RoleName: roleName,
      AssumeRolePolicyDocument: assumeRolePolicy("config.amazonaws.com"),
      ManagedPolicyArns: [{ "Fn::Sub": `arn:\${AWS::Partition}:iam::aws:policy/service-role/AWSConfigRoleForOrganizations` }],
    },
  };
  const name = `${names.prefix}-organization`;
  resources.OrganizationAggregator = {
    Type: "AWS::Config::ConfigurationAggregator",
    Properties: {
      ConfigurationAggregatorName: name,
      OrganizationAggregationSource: {
        RoleArn: { "Fn::GetAtt": ["OrganizationAggregatorRole", "Arn"] },
        ...(regions === "all" ? { AllAwsRegions: true } : { AwsRegions: regions ?? [{ Ref: "AWS::Region" }] }),
      },
    },
  };
  outputs.OrganizationAggregatorName = { Value: name };
  return { name, arn: { "Fn::GetAtt": ["OrganizationAggregator", "ConfigurationAggregatorArn"] }, regions: regionsValue };
}

/**
 * The report's reads: this account's rule results; or, in organization mode, the aggregate APIs
 * on the aggregator alone and organizations:ListAccounts for the expected accounts. ListAccounts
 * has no resource type in the Service Authorization Reference, so it can only be granted on `*`.
 */
function reportReadStatements(aggregator: ReportAggregator | undefined): PolicyStatement[] {
  if (!aggregator) {
    return [
      {
        Effect: "Allow",
        Action: ["config:DescribeComplianceByConfigRule", "config:GetComplianceDetailsByConfigRule"],
        Resource: localArn("config", "config-rule/*"),
      },
    ];
  }
  return [
    {
      Effect: "Allow",
      Action: [
        "config:DescribeAggregateComplianceByConfigRules",
        "config:DescribeConfigurationAggregatorSourcesStatus",
        "config:GetAggregateComplianceDetailsByConfigRule",
      ],
      Resource: aggregator.arn,
    },
    { Effect: "Allow", Action: ["organizations:ListAccounts"], Resource: "*" },
  ];
}

/** The reports bucket and the scheduled report function. */
function addReports(
  input: StackInput,
  resources: Record<string, unknown>,
  outputs: Record<string, unknown>,
  functions: Record<string, unknown>,
  publishAlerts: PolicyStatement,
  aggregator: ReportAggregator | undefined,
): void {
  const { settings } = input;
  const names = stageNames(input.stage);
  const { bucket, bucketArn, objectsArn } = addPrivateBucket(resources, "ReportsBucket", {
    ruleId: "expire-reports",
    expirationDays: settings.reports.expirationDays,
  });
  outputs.ReportsBucketName = { Value: bucket };

  const functionName = names.functionName("scheduled-report");
  const ruleNames = Object.fromEntries(RULES.map((rule) => [rule.meta.id, names.configRuleName(rule.meta.id)]));
  resources.ScheduledReportRole = role(names.roleName("scheduled-report"), "lambda.amazonaws.com", [
    logStatement(functionName),
    publishAlerts,
    ...reportReadStatements(aggregator),
    { Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
    // GetObject also backs the pre-signed link, which is signed with this role's credentials.
    { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: objectsArn },
  ]);
  functions.scheduledReport = {
    name: functionName,
    handler: "handlers/scheduled-report.handler",
    description: aggregator
      ? "Scheduled organization compliance report from the Config aggregator: HTML and JSON to S3, digest to SNS"
      : "Scheduled compliance report from AWS Config's results: HTML and JSON to S3, digest to SNS",
    role: "ScheduledReportRole",
    memorySize: REPORT_FUNCTION_MEMORY_MB,
    timeout: aggregator ? ORGANIZATION_REPORT_TIMEOUT_S : REPORT_FUNCTION_TIMEOUT_S,
    events: [{ schedule: settings.reports.schedule }],
    environment: {
      ALERTS_TOPIC_ARN: { Ref: "AlertsTopic" },
      REPORTS_BUCKET: bucket,
      REPORT_LINK_EXPIRY_SECONDS: String(settings.reports.linkExpirySeconds),
      REPORT_NOTIFY: settings.reports.notify,
      CONFIG_RULE_NAMES: JSON.stringify(ruleNames),
      ...(aggregator
        ? {
            AGGREGATOR_NAME: aggregator.name,
            AGGREGATOR_REGIONS: aggregator.regions,
            ...(settings.organization.excludedAccounts.length > 0
              ? { EXCLUDED_ACCOUNTS: settings.organization.excludedAccounts.join(",") }
              : {}),
          }
        : {}),
    },
  };
}
