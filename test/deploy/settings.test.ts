import { readdirSync } from "node:fs";
import path from "node:path";
import { generate } from "../../deploy/generate";
import { parseStageSettings } from "../../deploy/settings";
import { buildStack } from "../../deploy/stack";
import { RULES } from "../../rules";
import { ROOT, readTemplate, removeRun, runPackage } from "./package";

const FILE = "deploy/params/x.json";
const ORG = { enabled: true, organizationId: "o-a1b2c3d4e5" };

function build(raw: unknown) {
  return buildStack({ stage: "x", settings: parseStageSettings(raw, FILE), settingsFile: FILE });
}

describe("stage parameters", () => {
  test.each(readdirSync(path.join(ROOT, "deploy", "params")))("shipped deploy/params/%s builds a stack", (file) => {
    const stack = generate({ stage: path.basename(file, ".json"), paramsFile: path.join(ROOT, "deploy", "params", file), root: ROOT });
    expect(Object.keys(stack.functions).length).toBeGreaterThanOrEqual(RULES.length);
  });

  test("defaults: daily periodic runs, no email, manual remediation", () => {
    const { resources } = build({});
    const rule = resources.Resources.SgAttachedToEniConfigRule as { Properties: { Source: { SourceDetails: unknown[] } } };
    expect(rule.Properties.Source.SourceDetails).toEqual([
      { EventSource: "aws.config", MessageType: "ScheduledNotification", MaximumExecutionFrequency: "TwentyFour_Hours" },
    ]);
    expect(resources.Resources.AlertsEmailSubscription).toBeUndefined();
    expect(resources.Resources.Imdsv2RequiredRemediation).toMatchObject({ Properties: { Automatic: false } });
    const { functions } = build({});
    expect(functions.scheduledReport).toMatchObject({ environment: { REPORT_NOTIFY: "on-change" } });
    expect(functions.eipAttached).toMatchObject({ environment: { ALERTS_MAX_ATTEMPTS: "5", ALERTS_TABLE: { Ref: "AlertsTable" } } });
  });

  test("Security Hub sink: off by default; on, each rule role may import into this account's default product only", () => {
    const roleStatements = (stack: ReturnType<typeof build>) =>
      Object.entries(stack.resources.Resources)
        .filter(([name]) => name.endsWith("Role") && name !== "RemediationRole" && name !== "ScheduledReportRole")
        .map(
          ([, role]) =>
            (role as { Properties: { Policies: { PolicyDocument: { Statement: { Action: string[] }[] } }[] } }).Properties.Policies[0]
              ?.PolicyDocument.Statement ?? [],
        );
    const importing = (stack: ReturnType<typeof build>) =>
      roleStatements(stack).map((statements) =>
        statements.filter((statement) => statement.Action.includes("securityhub:BatchImportFindings")),
      );
    const off = build({});
    expect(importing(off).flat()).toEqual([]);
    for (const fn of Object.values(off.functions))
      expect((fn as { environment: object }).environment).not.toHaveProperty("SECURITY_HUB_ENABLED");

    const on = build({ securityHub: { enabled: true } });
    const statements = importing(on);
    expect(statements).toHaveLength(RULES.length);
    for (const found of statements) {
      expect(found).toEqual([
        {
          Effect: "Allow",
          Action: ["securityhub:BatchImportFindings"],
          Resource: {
            "Fn::Sub": `arn:\${AWS::Partition}:securityhub:\${AWS::Region}:\${AWS::AccountId}:product/\${AWS::AccountId}/default`,
          },
        },
      ]);
    }
    const ruleFunctions = Object.values(on.functions).filter(
      (fn) => (fn as { handler: string }).handler !== "handlers/scheduled-report.handler",
    );
    expect(ruleFunctions).toHaveLength(RULES.length);
    for (const fn of ruleFunctions) expect((fn as { environment: object }).environment).toHaveProperty("SECURITY_HUB_ENABLED", "true");
  });

  test("the Security Hub sink is refused on organization stages, naming the field", () => {
    expect(() => build({ organization: ORG, securityHub: { enabled: true } })).toThrow(/securityHub\.enabled/);
    expect(() => build({ securityHub: { enabled: "yes" } })).toThrow(/securityHub\.enabled/);
  });

  test.each([
    [{ maximumExecutionFrequency: "Two_Hours" }, /deploy\/params\/x\.json: field maximumExecutionFrequency: /],
    [{ alert: {} }, /deploy\/params\/x\.json: unknown key\(s\) alert/],
    [{ alerts: { email: "not-an-address" } }, /field alerts\.email/],
    [{ reports: { expirationDays: 0 } }, /field reports\.expirationDays/],
    [
      { organization: { ...ORG, excludedAccounts: ["123"] } },
      /field organization\.excludedAccounts\.0: expected a 12-digit AWS account id/,
    ],
    [{ organization: { enabled: true } }, /deploy\/params\/x\.json: field organization\.organizationId: required in organization mode/],
    [
      { organization: { enabled: true, organizationId: "o-short" } },
      /field organization\.organizationId: expected an AWS Organizations id such as "o-a1b2c3d4e5"/,
    ],
    [
      { organization: { enabled: true, organizationId: "r-a1b2c3d4e5" } },
      /field organization\.organizationId: expected an AWS Organizations id/,
    ],
    [
      { organization: { enabled: true, organizationId: "o-A1B2C3D4E5" } },
      /field organization\.organizationId: expected an AWS Organizations id/,
    ],
    [{ reports: { notify: "daily" } }, /field reports\.notify/],
    [{ alerts: { maxAttempts: 0 } }, /field alerts\.maxAttempts/],
  ])("%j is refused with the file and field named", (raw, message) => {
    expect(() => build(raw)).toThrow(message);
  });

  test("an unknown rule is refused", () => {
    expect(() => build({ rules: { "eip-attachd": {} } })).toThrow(/deploy\/params\/x\.json: field rules\.eip-attachd: no such rule/);
  });

  test("a rule parameter its schema refuses is refused at package time", () => {
    expect(() => build({ rules: { "placement-group-limits": { parameters: { maxPartitions: 500 } } } })).toThrow(
      /field rules\.placement-group-limits\.parameters\.maxPartitions/,
    );
    expect(() => build({ rules: { "eip-attached": { parameters: { requireInUseENI: true } } } })).toThrow(/requireInUseENI/);
  });

  test.each([
    [
      { "endpoint-route-present": { parameters: { services: ["dynamo"] } } },
      "services",
      '"dynamo" is not one of the allowed values: s3, dynamodb',
    ],
    [
      { "endpoint-route-present": { parameters: { services: "s3,s4" } } },
      "services",
      '"s4" is not one of the allowed values: s3, dynamodb',
    ],
    [
      { "endpoint-route-present": { parameters: { services: [] } } },
      "services",
      "must name at least one of the allowed values: s3, dynamodb",
    ],
    [{ "endpoint-route-present": { parameters: { scope: "public" } } }, "scope", '"public" is not one of the allowed values: private, all'],
    [
      { "placement-group-limits": { parameters: { resourceType: "AWS::EC2::Instance" } } },
      "resourceType",
      "allowed values: AWS::EC2::PlacementGroup, AWS::::Account",
    ],
  ])(
    "a parameter outside its domain (%j) is refused at package time, naming rule, parameter, value and the allowed values",
    (rules, parameter, detail) => {
      const [ruleId] = Object.keys(rules);
      const thrown = (() => {
        try {
          build({ rules });
        } catch (error) {
          return error as Error;
        }
        return undefined;
      })();
      expect(thrown?.message).toContain(
        `deploy/params/x.json: field rules.${ruleId}.parameters.${parameter}: rule ${ruleId}: invalid parameter "${parameter}"`,
      );
      expect(thrown?.message).toContain(detail);
    },
  );

  test("maxExemptionDays reaches every rule as the handler parameter MaxExemptionDays", () => {
    const { resources } = build({ maxExemptionDays: 90 });
    const rule = resources.Resources.EipAttachedConfigRule as { Properties: { InputParameters: Record<string, string> } };
    expect(rule.Properties.InputParameters).toMatchObject({ MaxExemptionDays: "90" });
    expect(() => build({ maxExemptionDays: 0 })).toThrow(/deploy\/params\/x\.json: field maxExemptionDays/);
  });

  test("remediation settings are validated; none but manual in organization mode", () => {
    expect(() => build({ remediation: { "placement-group-limits": { mode: "automatic" } } })).toThrow(/no automatic fix exists/);
    expect(() => build({ remediation: { "imdsv2-required": { mode: "sometimes" } } })).toThrow(/imdsv2-required\.mode/);
    expect(() => build({ remediation: { "eip-attached": { mode: "config-automatic" } } })).toThrow(
      /deploy\/params\/x\.json: remediation: field eip-attached\.mode: "config-automatic" would release Elastic IPs without a person.*set eip-attached\.allowRelease: true/,
    );
    expect(() => build({ remediation: { "eip-attached": { mode: "automatic" } } })).toThrow(/allowRelease/);
    const allowed = build({ remediation: { "eip-attached": { mode: "automatic", allowRelease: true, releaseAfterDays: 10 } } });
    expect(allowed.resources.Resources.EipAttachedRemediation).toMatchObject({
      Properties: { Automatic: false, Parameters: { ReleaseAfterDays: { StaticValue: { Values: ["10"] } } } },
    });
    expect((allowed.functions as Record<string, { environment: Record<string, unknown> }>).eipAttached?.environment).toMatchObject({
      REMEDIATION_MODE: "automatic",
      REMEDIATION_ALLOW_RELEASE: "true",
      REMEDIATION_RELEASE_AFTER_DAYS: "10",
    });
    expect(() => build({ organization: ORG, remediation: { "imdsv2-required": { mode: "automatic" } } })).toThrow(
      /field remediation\.imdsv2-required\.mode: remediation is per account/,
    );
  });

  test("organization scan: off by default; enabled, it needs regions, and takes its concurrency, role, external id and schedule", () => {
    expect(build({}).resources.Resources.ScanStateMachine).toBeUndefined();
    expect(() => build({ organizationScan: { enabled: true } })).toThrow(
      /field organizationScan\.regions: required when the organization scan is enabled/,
    );
    expect(() => build({ organizationScan: { enabled: true, regions: ["eu-west"] } })).toThrow(
      /field organizationScan\.regions\.0: expected a region name/,
    );
    expect(() => build({ organizationScan: { enabled: true, regions: ["eu-west-1"], maxConcurrency: 0 } })).toThrow(
      /field organizationScan\.maxConcurrency/,
    );
    const { resources, functions } = build({
      organizationScan: { enabled: true, regions: ["eu-west-1"], maxConcurrency: 40, externalId: "abc-123", schedule: "rate(1 day)" },
    });
    const machine = resources.Resources.ScanStateMachine as {
      Properties: { Definition: { States: { ScanItems: { MaxConcurrency: number } } } };
    };
    expect(machine.Properties.Definition.States.ScanItems.MaxConcurrency).toBe(40);
    expect(functions.scanItem).toMatchObject({
      environment: { SCAN_EXTERNAL_ID: "abc-123", SCAN_ROLE_NAME: "ec2-config-rules-member", SCAN_REGIONS: '["eu-west-1"]' },
    });
    expect(resources.Resources.ScanSchedule).toMatchObject({
      Properties: { ScheduleExpression: "rate(1 day)", Targets: [{ Arn: { Ref: "ScanStateMachine" } }] },
    });
  });

  test("a stage name too long for IAM role names is refused", () => {
    expect(() => buildStack({ stage: "a-very-long-stage-name-here", settings: parseStageSettings({}, FILE), settingsFile: FILE })).toThrow(
      /longer than 64 characters/,
    );
  });
});

describe("organization aggregator", () => {
  type Resources = Record<string, { Properties: Record<string, unknown> } | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: reads the environment and statements of generated values
  const reportOf = (stack: ReturnType<typeof build>): any => stack.functions.scheduledReport;
  type Policy = { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } };
  const reportStatements = (stack: ReturnType<typeof build>) => {
    const policies = (stack.resources.Resources as Resources).ScheduledReportRole?.Properties.Policies as Policy[] | undefined;
    return policies?.[0]?.PolicyDocument.Statement ?? [];
  };
  const EXISTING = "arn:aws:config:eu-west-1:123456789012:config-aggregator/config-aggregator-a1b2c3d4";

  test("by default the stack builds one over its own region, where the organization rules are", () => {
    const stack = build({ organization: ORG });
    const resources = stack.resources.Resources as Resources;
    expect(resources.OrganizationAggregator?.Properties.OrganizationAggregationSource).toEqual({
      RoleArn: { "Fn::GetAtt": ["OrganizationAggregatorRole", "Arn"] },
      AwsRegions: [{ Ref: "AWS::Region" }],
    });
    expect(reportOf(stack).environment).toMatchObject({
      AGGREGATOR_NAME: "ec2-config-rules-x-organization",
      AGGREGATOR_REGIONS: { Ref: "AWS::Region" },
    });
    expect(reportOf(stack).environment.EXCLUDED_ACCOUNTS).toBeUndefined();
    expect(stack.resources.Outputs.OrganizationAggregatorName).toEqual({ Value: "ec2-config-rules-x-organization" });
  });

  test('"all" regions: AllAwsRegions, and the report takes the regions from the aggregator\'s sources', () => {
    const stack = build({ organization: { ...ORG, aggregator: { regions: "all" } } });
    expect((stack.resources.Resources as Resources).OrganizationAggregator?.Properties.OrganizationAggregationSource).toEqual({
      RoleArn: { "Fn::GetAtt": ["OrganizationAggregatorRole", "Arn"] },
      AllAwsRegions: true,
    });
    expect(reportOf(stack).environment.AGGREGATOR_REGIONS).toBe("all");
  });

  test("an existing aggregator: nothing built, the report's Config calls allowed on its ARN alone", () => {
    const stack = build({ organization: { ...ORG, aggregator: { name: "org-wide", arn: EXISTING, regions: ["eu-west-1", "us-east-1"] } } });
    const resources = stack.resources.Resources as Resources;
    expect(resources.OrganizationAggregator).toBeUndefined();
    expect(resources.OrganizationAggregatorRole).toBeUndefined();
    expect(reportOf(stack).environment).toMatchObject({ AGGREGATOR_NAME: "org-wide", AGGREGATOR_REGIONS: "eu-west-1,us-east-1" });
    const configStatements = reportStatements(stack).filter((statement) => statement.Action.some((action) => action.startsWith("config:")));
    expect(configStatements).toEqual([
      {
        Effect: "Allow",
        Action: [
          "config:DescribeAggregateComplianceByConfigRules",
          "config:DescribeConfigurationAggregatorSourcesStatus",
          "config:GetAggregateComplianceDetailsByConfigRule",
        ],
        Resource: EXISTING,
      },
    ]);
  });

  test("account stages build none and keep the report on the account's own rules", () => {
    const stack = build({});
    expect((stack.resources.Resources as Resources).OrganizationAggregator).toBeUndefined();
    expect(reportOf(stack).environment.AGGREGATOR_NAME).toBeUndefined();
    expect(reportStatements(stack).flatMap((statement) => statement.Action)).not.toContain("organizations:ListAccounts");
  });

  test.each([
    [{ name: "org-wide" }, /field organization\.aggregator\.arn: an existing aggregator needs both/],
    [{ arn: EXISTING }, /field organization\.aggregator\.name: an existing aggregator needs both/],
    [
      { name: "org-wide", arn: "arn:aws:config:eu-west-1:123456789012:config-rule/config-rule-abc" },
      /field organization\.aggregator\.arn: expected an aggregator ARN/,
    ],
    [{ regions: ["Ireland"] }, /field organization\.aggregator\.regions(\.0)?: /],
    [{ regions: [] }, /field organization\.aggregator\.regions/],
    [{ region: "eu-west-1" }, /unknown key\(s\) region/],
  ])("refuses %j, naming the field", (aggregator, message) => {
    expect(() => build({ organization: { ...ORG, aggregator } })).toThrow(message);
  });
});

describe("osls package with a bad parameters file", () => {
  test("fails with the file and field named, and writes no template", async () => {
    const run = await runPackage("bad", path.join("test", "deploy", "fixtures", "bad-parameter.json"));
    try {
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(/test\/deploy\/fixtures\/bad-parameter\.json: field rules\.ec2-no-public-ip\.parameters\.ignoreStopped/);
      expect(() => readTemplate(run)).toThrow(/osls package failed/);
    } finally {
      removeRun(run);
    }
  }, 120_000);
});
