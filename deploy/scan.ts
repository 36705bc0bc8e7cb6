import { MAP_RESULTS_PREFIX, SCANS_PREFIX } from "../lib/scan/keys";
import { addPrivateBucket } from "./bucket";
import { type CfnValue, logStatement, type PolicyStatement } from "./iam";
import type { StageSettings } from "./settings";

export const SCAN_PLAN_MEMORY_MB = 256;
export const SCAN_PLAN_TIMEOUT_S = 120;
/** As a rule function: a large account-region's Describe* pages and model. */
export const SCAN_ITEM_MEMORY_MB = 1024;
export const SCAN_ITEM_TIMEOUT_S = 900;
/** 1,769 MB is one full vCPU: the merge is gunzip, JSON and gzip bound, on one thread. Its memory stays bounded (lib/scan/merge). */
export const SCAN_MERGE_MEMORY_MB = 1769;
export const SCAN_MERGE_TIMEOUT_S = 900;

/** The Lambda service errors worth retrying (AWS's recommended Retry for lambda:invoke tasks). */
const LAMBDA_RETRY = [
  {
    ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: "FULL",
  },
];

/** The placeholder of a DefinitionSubstitution: `${name}`. */
export const substitution = (name: string): string => `\${${name}}`;

/** A lambda:invoke task of the function whose ARN the DefinitionSubstitution `functionArn` holds. */
const lambdaTask = (functionArn: string, payload: Record<string, unknown>) => ({
  Type: "Task",
  Resource: "arn:aws:states:::lambda:invoke",
  Parameters: { FunctionName: substitution(functionArn), ...payload },
  Retry: LAMBDA_RETRY,
});

/**
 * The scan's state machine (Amazon States Language): the plan writes the manifest; a Distributed Map
 * reads it from S3 (ItemReader) and runs one child execution per (account, region), at most
 * `maxConcurrency` at once; ToleratedFailurePercentage 0, so any failed item fails the map, whose
 * Catch lists the failed items (from the ResultWriter's FAILED files) in an alert and fails the
 * execution; otherwise the merge writes the report and sends the digest.
 */
export function scanDefinition(maxConcurrency: number): Record<string, unknown> {
  return {
    Comment:
      "ec2-config-rules organization scan: every active account × the stage's regions, recorded and evaluated, merged into one report",
    StartAt: "ListItems",
    States: {
      ListItems: {
        ...lambdaTask("PlanFunctionArn", { Payload: {} }),
        ResultSelector: {
          "scanId.$": "$.Payload.scanId",
          "bucket.$": "$.Payload.bucket",
          "manifestKey.$": "$.Payload.manifestKey",
          "items.$": "$.Payload.items",
        },
        Next: "ScanItems",
      },
      ScanItems: {
        Type: "Map",
        ItemReader: {
          Resource: "arn:aws:states:::s3:getObject",
          ReaderConfig: { InputType: "JSON" },
          Parameters: { "Bucket.$": "$.bucket", "Key.$": "$.manifestKey" },
        },
        ItemSelector: {
          "scanId.$": "$.scanId",
          "accountId.$": "$$.Map.Item.Value.accountId",
          "region.$": "$$.Map.Item.Value.region",
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: "ScanItem",
          States: {
            ScanItem: { ...lambdaTask("ItemFunctionArn", { "Payload.$": "$" }), OutputPath: "$.Payload", End: true },
          },
        },
        MaxConcurrency: maxConcurrency,
        ToleratedFailurePercentage: 0,
        ResultWriter: {
          Resource: "arn:aws:states:::s3:putObject",
          Parameters: { Bucket: substitution("ScanBucket"), Prefix: MAP_RESULTS_PREFIX },
        },
        ResultPath: "$.map",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "ReportFailedItems" }],
        Next: "MergeFindings",
      },
      MergeFindings: {
        ...lambdaTask("MergeFunctionArn", { Payload: { "scanId.$": "$.scanId" } }),
        OutputPath: "$.Payload",
        End: true,
      },
      ReportFailedItems: {
        ...lambdaTask("MergeFunctionArn", { Payload: { "scanId.$": "$.scanId", failed: true, "error.$": "$.error" } }),
        ResultPath: "$.failure",
        Next: "ScanFailed",
      },
      ScanFailed: {
        Type: "Fail",
        Error: "OrganizationScanFailed",
        Cause:
          "Items of the scan failed (ToleratedFailurePercentage 0): the alert and the Distributed Map's FAILED result files list each account and region with its error",
      },
    },
  };
}

interface ScanStackInput {
  prefix: string;
  settings: StageSettings;
  functionName: (id: string) => string;
  roleName: (id: string) => string;
  role: (name: string, service: string, statements: PolicyStatement[], condition?: Record<string, unknown>) => unknown;
  publishAlerts: PolicyStatement;
}

const partitionArn = (rest: string): CfnValue => ({ "Fn::Sub": `arn:\${AWS::Partition}:${rest}` });
const scanObjects = (rest = "*"): CfnValue => ({ "Fn::Sub": `\${ScanBucket.Arn}/${SCANS_PREFIX}${rest}` });

/**
 * The organization scan (organizationScan.enabled): its bucket, three functions with a role each,
 * the state machine and its role, and the optional schedule. Every statement names its resources;
 * the only `*` resource is organizations:ListAccounts, which has no resource-level permission.
 */
export function addOrganizationScan(
  input: ScanStackInput,
  resources: Record<string, unknown>,
  outputs: Record<string, unknown>,
  functions: Record<string, unknown>,
): void {
  const { settings, prefix } = input;
  const scan = settings.organizationScan;
  const stateMachineName = `${prefix}-organization-scan`;
  const stateMachineArn = {
    "Fn::Sub": `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${stateMachineName}`,
  };
  // The newest scan's findings are the next one's baseline: expire them only well past a daily or weekly schedule.
  const { bucket, bucketArn } = addPrivateBucket(resources, "ScanBucket", {
    ruleId: "expire-scans",
    expirationDays: settings.reports.expirationDays,
  });

  const environment = {
    SCAN_BUCKET: bucket,
    SCAN_ROLE_NAME: scan.roleName,
    ...(scan.externalId ? { SCAN_EXTERNAL_ID: scan.externalId } : {}),
    SCAN_REGIONS: JSON.stringify(scan.regions),
    SCAN_EXCLUDED_ACCOUNTS: JSON.stringify(settings.organization.excludedAccounts),
    SCAN_RULE_PARAMETERS: JSON.stringify(
      Object.fromEntries(Object.entries(settings.rules).map(([ruleId, rule]) => [ruleId, rule.parameters])),
    ),
    ...(settings.exemptionTagKey ? { SCAN_EXEMPTION_TAG_KEY: settings.exemptionTagKey } : {}),
    ...(settings.maxExemptionDays !== undefined ? { SCAN_MAX_EXEMPTION_DAYS: String(settings.maxExemptionDays) } : {}),
    ALERTS_TOPIC_ARN: { Ref: "AlertsTopic" },
    REPORT_LINK_EXPIRY_SECONDS: String(settings.reports.linkExpirySeconds),
    REPORT_NOTIFY: settings.reports.notify,
  };

  const steps = [
    {
      key: "scanPlan",
      id: "scan-plan",
      logical: "ScanPlan",
      description: "Organization scan, step 1: active accounts × regions into the S3 manifest",
      memorySize: SCAN_PLAN_MEMORY_MB,
      timeout: SCAN_PLAN_TIMEOUT_S,
      statements: [
        // ListAccounts has no resource-level permission: Resource must be "*" (it lists the caller's organization only).
        { Effect: "Allow", Action: ["organizations:ListAccounts"], Resource: "*" },
        { Effect: "Allow", Action: ["s3:PutObject"], Resource: scanObjects("*/manifest.json") },
      ] as PolicyStatement[],
    },
    {
      key: "scanItem",
      id: "scan-item",
      logical: "ScanItem",
      description: "Organization scan, step 2: one account and region recorded and evaluated as the member role",
      memorySize: SCAN_ITEM_MEMORY_MB,
      timeout: SCAN_ITEM_TIMEOUT_S,
      statements: [
        // Every EC2 read happens in the member account, as the member role.
        { Effect: "Allow", Action: ["sts:AssumeRole"], Resource: partitionArn(`iam::*:role/${scan.roleName}`) },
        { Effect: "Allow", Action: ["s3:PutObject"], Resource: scanObjects("*/items/*") },
      ] as PolicyStatement[],
    },
    {
      key: "scanMerge",
      id: "scan-merge",
      logical: "ScanMerge",
      description: "Organization scan, step 3: findings merged into one report and the digest; or the failed items listed",
      memorySize: SCAN_MERGE_MEMORY_MB,
      timeout: SCAN_MERGE_TIMEOUT_S,
      statements: [
        input.publishAlerts,
        // ListBucket: the failed items' result files, and a 404 (not 403) for the first scan's missing baseline.
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucketArn },
        { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], Resource: scanObjects() },
      ] as PolicyStatement[],
    },
  ];

  const functionArns: Record<string, CfnValue> = {};
  for (const step of steps) {
    const functionName = input.functionName(step.id);
    resources[`${step.logical}Role`] = input.role(input.roleName(step.id), "lambda.amazonaws.com", [
      logStatement(functionName),
      ...step.statements,
    ]);
    functions[step.key] = {
      name: functionName,
      handler: `handlers/${step.id}.handler`,
      description: step.description,
      role: `${step.logical}Role`,
      memorySize: step.memorySize,
      timeout: step.timeout,
      environment,
    };
    functionArns[step.logical] = { "Fn::GetAtt": [`${step.logical}LambdaFunction`, "Arn"] };
  }
  const invokable = Object.values(functionArns).flatMap((arn) => [arn, { "Fn::Join": [":", [arn, "*"]] }]);

  resources.ScanStateMachineRole = input.role(
    input.roleName("scan-states"),
    "states.amazonaws.com",
    [
      { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: invokable },
      // ItemReader reads the manifest; ResultWriter writes the map run's result files (multipart).
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: scanObjects("*/manifest.json") },
      {
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
        Resource: scanObjects("map-results/*"),
      },
      // The Distributed Map runs its items as child executions of this state machine.
      { Effect: "Allow", Action: ["states:StartExecution"], Resource: stateMachineArn },
      {
        Effect: "Allow",
        Action: ["states:DescribeExecution", "states:StopExecution"],
        Resource: { "Fn::Sub": `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${stateMachineName}/*` },
      },
    ],
    { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
  );

  resources.ScanStateMachine = {
    Type: "AWS::StepFunctions::StateMachine",
    Properties: {
      StateMachineName: stateMachineName,
      StateMachineType: "STANDARD",
      RoleArn: { "Fn::GetAtt": ["ScanStateMachineRole", "Arn"] },
      Definition: scanDefinition(scan.maxConcurrency),
      DefinitionSubstitutions: {
        PlanFunctionArn: functionArns.ScanPlan,
        ItemFunctionArn: functionArns.ScanItem,
        MergeFunctionArn: functionArns.ScanMerge,
        ScanBucket: bucket,
      },
    },
  };
  outputs.ScanStateMachineArn = { Value: { Ref: "ScanStateMachine" } };
  outputs.ScanBucketName = { Value: bucket };

  if (scan.schedule) {
    resources.ScanScheduleRole = input.role(
      input.roleName("scan-schedule"),
      "events.amazonaws.com",
      [{ Effect: "Allow", Action: ["states:StartExecution"], Resource: stateMachineArn }],
      { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
    );
    resources.ScanSchedule = {
      Type: "AWS::Events::Rule",
      Properties: {
        Name: `${prefix}-organization-scan`,
        ScheduleExpression: scan.schedule,
        State: "ENABLED",
        Targets: [{ Id: "organization-scan", Arn: { Ref: "ScanStateMachine" }, RoleArn: { "Fn::GetAtt": ["ScanScheduleRole", "Arn"] } }],
      },
    };
  }
}
