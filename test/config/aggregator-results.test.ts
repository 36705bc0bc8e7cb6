import {
  type AggregateComplianceByConfigRule,
  type AggregateEvaluationResult,
  type ComplianceType,
  ConfigServiceClient,
  DescribeAggregateComplianceByConfigRulesCommand,
  DescribeConfigurationAggregatorSourcesStatusCommand,
  GetAggregateComplianceDetailsByConfigRuleCommand,
} from "@aws-sdk/client-config-service";
import { ListAccountsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { AwsClients } from "../../lib/aws/clients";
import { configClient } from "../../lib/aws/config";
import { organizationsClient } from "../../lib/aws/organizations";
import { type AggregatorReadOptions, readAggregatorResults, ruleIdOfMemberRule } from "../../lib/config/aggregator-results";

const AGGREGATOR = "ec2-config-rules-prod-organization";
const HOME = "eu-west-1";
const [A, B, C] = ["111111111111", "222222222222", "333333333333"];
const ORG_RULES = { "eip-attached": "ec2-config-rules-prod-eip-attached", "imdsv2-required": "ec2-config-rules-prod-imdsv2-required" };
/** The names Config gives the organization rules in member accounts (OrgConfigRule-<name>-<suffix>). */
const EIP = "OrgConfigRule-ec2-config-rules-prod-eip-attached-dbgzf8ba";
const IMDS = "OrgConfigRule-ec2-config-rules-prod-imdsv2-required-k3m9x0qa";

const options = (overrides: Partial<AggregatorReadOptions> = {}): AggregatorReadOptions => ({
  aggregatorName: AGGREGATOR,
  organizationRuleNames: ORG_RULES,
  regions: [HOME],
  excludedAccounts: [],
  ...overrides,
});

const rule = (
  ConfigRuleName: string,
  AccountId: string,
  AwsRegion: string,
  ComplianceType: ComplianceType,
): AggregateComplianceByConfigRule => ({
  ConfigRuleName,
  AccountId,
  AwsRegion,
  Compliance: { ComplianceType },
});

const result = (
  memberRule: string,
  AccountId: string,
  AwsRegion: string,
  ResourceType: string,
  ResourceId: string,
  ComplianceType: ComplianceType,
  Annotation?: string,
): AggregateEvaluationResult => ({
  EvaluationResultIdentifier: { EvaluationResultQualifier: { ConfigRuleName: memberRule, ResourceType, ResourceId } },
  ComplianceType,
  AccountId,
  AwsRegion,
  ...(Annotation ? { Annotation } : {}),
});

const key = (e: { ruleId: string; accountId: string; region: string; resourceId: string; complianceType: string }) =>
  `${e.ruleId} ${e.accountId} ${e.region} ${e.resourceId} ${e.complianceType}`;

describe("member-account rule names", () => {
  const names = new Map(Object.entries(ORG_RULES).map(([id, name]) => [name, id]));
  test.each([
    [EIP, "eip-attached"],
    [IMDS, "imdsv2-required"],
    // Not ours: another stage, another organization rule, an account rule of the same name, no suffix.
    ["OrgConfigRule-ec2-config-rules-prod-eu-eip-attached-dbgzf8ba", undefined],
    ["OrgConfigRule-ec2-config-rules-prod-eip-attached-extra-dbgzf8ba", undefined],
    ["ec2-config-rules-prod-eip-attached", undefined],
    ["OrgConfigRule-ec2-config-rules-prod-eip-attached", undefined],
    ["OrgConfigRule-ec2-config-rules-prod-eip-attached-", undefined],
    ["securityhub-ec2-imdsv2-check-a1b2c3", undefined],
  ])("%s → %s", (name, ruleId) => {
    expect(ruleIdOfMemberRule(name, names)).toBe(ruleId);
  });
});

describe("readAggregatorResults (aws-sdk-client-mock)", () => {
  const config = mockClient(ConfigServiceClient);
  const organizations = mockClient(OrganizationsClient);
  // The mocks replace the classes' `send`; the throttling tests below need the real one.
  afterAll(() => {
    config.restore();
    organizations.restore();
  });
  const clients = () => ({ config: new ConfigServiceClient({ region: HOME }), organizations: new OrganizationsClient({ region: HOME }) });

  beforeEach(() => {
    config.reset();
    organizations.reset();
    // Two pages of accounts: C is suspended (Config runs nowhere there).
    organizations
      .on(ListAccountsCommand)
      .resolves({ Accounts: [{ Id: A, State: "ACTIVE" }], NextToken: "o2" })
      .on(ListAccountsCommand, { NextToken: "o2" })
      .resolves({
        Accounts: [
          { Id: B, Status: "ACTIVE" },
          { Id: C, State: "SUSPENDED", Status: "SUSPENDED" },
        ],
      });
    config.on(DescribeConfigurationAggregatorSourcesStatusCommand).resolves({
      AggregatedSourceStatusList: [
        { SourceId: "o-a1b2c3d4e5", SourceType: "ORGANIZATION", AwsRegion: HOME, LastUpdateStatus: "SUCCEEDED" },
      ],
    });
    config.on(GetAggregateComplianceDetailsByConfigRuleCommand).resolves({ AggregateEvaluationResults: [] });
  });

  test("reads every page of both aggregate APIs, maps member rule names to our rules and keeps each result's account and region", async () => {
    config
      .on(DescribeAggregateComplianceByConfigRulesCommand)
      .resolves({
        AggregateComplianceByConfigRules: [
          rule(EIP, A, HOME, "NON_COMPLIANT"),
          rule("OrgConfigRule-someone-elses-rule-zzzz1111", A, HOME, "NON_COMPLIANT"),
          rule(IMDS, A, HOME, "COMPLIANT"),
        ],
        NextToken: "r2",
      })
      // An empty page that still carries a token: the paginator goes on.
      .on(DescribeAggregateComplianceByConfigRulesCommand, { NextToken: "r2" })
      .resolves({ AggregateComplianceByConfigRules: [], NextToken: "r3" })
      .on(DescribeAggregateComplianceByConfigRulesCommand, { NextToken: "r3" })
      .resolves({ AggregateComplianceByConfigRules: [rule(EIP, B, HOME, "COMPLIANT"), rule(IMDS, B, HOME, "NON_COMPLIANT")] });
    // The same allocation id in both accounts (a shared VPC): two findings.
    config
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: EIP, AccountId: A })
      .resolves({
        AggregateEvaluationResults: [
          result(EIP, A, HOME, "AWS::EC2::EIP", "eipalloc-0shared", "NON_COMPLIANT", "EIP 203.0.113.7 is not associated"),
        ],
        NextToken: "d2",
      })
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: EIP, AccountId: A, NextToken: "d2" })
      .resolves({ AggregateEvaluationResults: [result(EIP, A, HOME, "AWS::EC2::EIP", "eipalloc-0web", "COMPLIANT")] })
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: EIP, AccountId: B })
      .resolves({ AggregateEvaluationResults: [result(EIP, B, HOME, "AWS::EC2::EIP", "eipalloc-0shared", "COMPLIANT")] })
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: IMDS, AccountId: A })
      .resolves({ AggregateEvaluationResults: [result(IMDS, A, HOME, "AWS::EC2::Instance", "i-0a", "COMPLIANT")] })
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: IMDS, AccountId: B })
      .resolves({
        AggregateEvaluationResults: [result(IMDS, B, HOME, "AWS::EC2::Instance", "i-0b", "NON_COMPLIANT", "HttpTokens is optional")],
      });

    const read = await readAggregatorResults(clients(), options());

    // Three pages of rules (B's are on the last), two of A's eip-attached results (eipalloc-0web on the second).
    expect(config.commandCalls(DescribeAggregateComplianceByConfigRulesCommand)).toHaveLength(3);
    const detailCalls = config.commandCalls(GetAggregateComplianceDetailsByConfigRuleCommand).map((call) => call.args[0].input);
    expect(detailCalls).toHaveLength(5);
    for (const input of detailCalls) expect(input).toMatchObject({ ConfigurationAggregatorName: AGGREGATOR, AwsRegion: HOME, Limit: 100 });
    // Never the other organization's rule.
    expect(detailCalls.map((input) => input.ConfigRuleName)).not.toContain("OrgConfigRule-someone-elses-rule-zzzz1111");
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(2);

    expect(read.accountIds).toEqual([A, B]);
    expect(read.regions).toEqual([HOME]);
    expect(read.scopes).toEqual([
      { accountId: A, region: HOME },
      { accountId: B, region: HOME },
    ]);
    expect(read.evaluations.map(key).sort()).toEqual(
      [
        `eip-attached ${A} ${HOME} eipalloc-0shared NON_COMPLIANT`,
        `eip-attached ${A} ${HOME} eipalloc-0web COMPLIANT`,
        `eip-attached ${B} ${HOME} eipalloc-0shared COMPLIANT`,
        `imdsv2-required ${A} ${HOME} i-0a COMPLIANT`,
        `imdsv2-required ${B} ${HOME} i-0b NON_COMPLIANT`,
      ].sort(),
    );
    expect(read.evaluations.find((e) => e.resourceId === "i-0b")).toEqual({
      ruleId: "imdsv2-required",
      resourceType: "AWS::EC2::Instance",
      resourceId: "i-0b",
      region: HOME,
      accountId: B,
      complianceType: "NON_COMPLIANT",
      annotation: "HttpTokens is optional",
    });
  });

  test("an expected account or region with no result for a rule is INSUFFICIENT_DATA there, never absent", async () => {
    // Results only for A in eu-west-1; B has nothing; us-east-1 has nothing at all.
    config.on(DescribeAggregateComplianceByConfigRulesCommand).resolves({
      AggregateComplianceByConfigRules: [rule(EIP, A, HOME, "COMPLIANT"), rule(IMDS, A, HOME, "INSUFFICIENT_DATA")],
    });
    config
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { ConfigRuleName: EIP, AccountId: A, AwsRegion: HOME })
      .resolves({ AggregateEvaluationResults: [result(EIP, A, HOME, "AWS::EC2::EIP", "eipalloc-0a", "COMPLIANT")] });

    const read = await readAggregatorResults(clients(), options({ regions: [HOME, "us-east-1"] }));

    // No details asked for a rule Config has no results for.
    expect(config.commandCalls(GetAggregateComplianceDetailsByConfigRuleCommand)).toHaveLength(1);
    const insufficient = read.evaluations.filter((e) => e.complianceType === "INSUFFICIENT_DATA");
    expect(insufficient.map(key).sort()).toEqual(
      [
        `imdsv2-required ${A} ${HOME} ${A} INSUFFICIENT_DATA`,
        `eip-attached ${A} us-east-1 ${A} INSUFFICIENT_DATA`,
        `imdsv2-required ${A} us-east-1 ${A} INSUFFICIENT_DATA`,
        `eip-attached ${B} ${HOME} ${B} INSUFFICIENT_DATA`,
        `imdsv2-required ${B} ${HOME} ${B} INSUFFICIENT_DATA`,
        `eip-attached ${B} us-east-1 ${B} INSUFFICIENT_DATA`,
        `imdsv2-required ${B} us-east-1 ${B} INSUFFICIENT_DATA`,
      ].sort(),
    );
    for (const evaluation of insufficient) expect(evaluation.resourceType).toBe("AWS::::Account");
    expect(insufficient.find((e) => e.accountId === A && e.region === HOME)?.annotation).toBe(
      `AWS Config has no results for rule ${IMDS} in account ${A}, ${HOME} yet`,
    );
    expect(insufficient.find((e) => e.accountId === B && e.region === HOME && e.ruleId === "eip-attached")?.annotation).toMatch(
      new RegExp(
        `^No result through aggregator ${AGGREGATOR} for organization rule ec2-config-rules-prod-eip-attached in account ${B}, ${HOME}: the rule is not deployed there`,
      ),
    );
    expect(read.scopes).toHaveLength(4);
    // The suspended account is not expected.
    expect(read.evaluations.some((e) => e.accountId === C)).toBe(false);
  });

  test('"all" regions are the aggregator\'s source regions; a failed source is named; excluded accounts are not expected', async () => {
    config.on(DescribeConfigurationAggregatorSourcesStatusCommand).resolves({
      AggregatedSourceStatusList: [
        { SourceId: "o-a1b2c3d4e5", SourceType: "ORGANIZATION", AwsRegion: HOME, LastUpdateStatus: "SUCCEEDED" },
        {
          SourceId: "o-a1b2c3d4e5",
          SourceType: "ORGANIZATION",
          AwsRegion: "ap-south-1",
          LastUpdateStatus: "FAILED",
          LastErrorCode: "OrganizationAccessDeniedException",
          LastErrorMessage: "not allowed",
        },
      ],
    });
    config.on(DescribeAggregateComplianceByConfigRulesCommand).resolves({ AggregateComplianceByConfigRules: [] });

    const read = await readAggregatorResults(clients(), options({ regions: "all", excludedAccounts: [B] }));

    expect(read.regions).toEqual(["ap-south-1", HOME]);
    expect(read.accountIds).toEqual([A]);
    expect(read.evaluations).toHaveLength(4);
    expect(read.evaluations.every((e) => e.accountId === A && e.complianceType === "INSUFFICIENT_DATA")).toBe(true);
    expect(read.evaluations.find((e) => e.region === "ap-south-1")?.annotation).toContain(
      "the aggregator's last collection there failed (OrganizationAccessDeniedException: not allowed)",
    );
  });

  test("results for an account or region outside the expected ones are kept, with their scope", async () => {
    config
      .on(DescribeAggregateComplianceByConfigRulesCommand)
      .resolves({ AggregateComplianceByConfigRules: [rule(EIP, A, "us-west-2", "NON_COMPLIANT")] });
    config
      .on(GetAggregateComplianceDetailsByConfigRuleCommand, { AwsRegion: "us-west-2" })
      .resolves({ AggregateEvaluationResults: [result(EIP, A, "us-west-2", "AWS::EC2::EIP", "eipalloc-0w", "NON_COMPLIANT")] });
    const read = await readAggregatorResults(clients(), options());
    expect(read.evaluations.filter((e) => e.region === "us-west-2").map(key)).toEqual([
      `eip-attached ${A} us-west-2 eipalloc-0w NON_COMPLIANT`,
    ]);
    expect(read.scopes).toContainEqual({ accountId: A, region: "us-west-2" });
  });

  test("a rule Config calls compliant but whose details are empty is INSUFFICIENT_DATA, not compliant", async () => {
    config
      .on(DescribeAggregateComplianceByConfigRulesCommand)
      .resolves({ AggregateComplianceByConfigRules: [rule(EIP, A, HOME, "COMPLIANT")] });
    const read = await readAggregatorResults(clients(), options({ excludedAccounts: [B] }));
    const eip = read.evaluations.filter((e) => e.ruleId === "eip-attached");
    expect(eip).toEqual([expect.objectContaining({ accountId: A, complianceType: "INSUFFICIENT_DATA", resourceType: "AWS::::Account" })]);
  });

  test("fails naming the call when Organizations refuses, and when the aggregator has no source region", async () => {
    organizations
      .on(ListAccountsCommand)
      .rejects(Object.assign(new Error("You don't have permissions"), { name: "AccessDeniedException" }));
    await expect(readAggregatorResults(clients(), options())).rejects.toThrow(
      "organizations:ListAccounts failed: AccessDeniedException: You don't have permissions",
    );
    organizations.reset();
    organizations.on(ListAccountsCommand).resolves({ Accounts: [{ Id: A, State: "ACTIVE" }] });
    config.on(DescribeConfigurationAggregatorSourcesStatusCommand).resolves({ AggregatedSourceStatusList: [] });
    await expect(readAggregatorResults(clients(), options({ regions: "all" }))).rejects.toThrow(
      `aggregator ${AGGREGATOR} reports no source region`,
    );
  });
});

/**
 * Answers below the SDK's retry middleware (aws-sdk-client-mock replaces `send`, and so skips
 * retries): each operation's reply comes from `respond`, which may throw an SDK-shaped error.
 */
function fakeTransport(respond: (operation: string, input: Record<string, unknown>) => object): AwsClients {
  const clients = new AwsClients({ region: HOME, credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake" } });
  const make = clients.make.bind(clients);
  clients.make = ((Client, service) => {
    const client = make(Client, service) as unknown as ConfigServiceClient;
    client.middlewareStack.add(
      (_next, context) => async (args) => ({
        output: { $metadata: {}, ...respond(String(context.commandName).replace(/Command$/, ""), args.input as Record<string, unknown>) },
        response: {},
      }),
      { step: "finalizeRequest", priority: "low", name: "fakeTransport" },
    );
    return client;
  }) as AwsClients["make"];
  return clients;
}

const throttling = () =>
  Object.assign(new Error("Rate exceeded (fake)"), { name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 } });

/** Runs on fake timers, advancing them until settled: the SDK's backoff is honoured without waiting for it. */
async function withFakeTime<T>(run: () => Promise<T>): Promise<T> {
  jest.useFakeTimers();
  try {
    let settled = false;
    const promise = run().finally(() => {
      settled = true;
    });
    promise.catch(() => undefined);
    while (!settled) await jest.advanceTimersByTimeAsync(250);
    return await promise;
  } finally {
    jest.useRealTimers();
  }
}

describe("Config throttling through the SDK's real retry strategy", () => {
  const organizationAnswer = { Accounts: [{ Id: A, State: "ACTIVE" }] };
  const answer = (throttles: { left: number }) => (operation: string, input: Record<string, unknown>) => {
    switch (operation) {
      case "ListAccounts":
        return organizationAnswer;
      case "DescribeConfigurationAggregatorSourcesStatus":
        return { AggregatedSourceStatusList: [{ AwsRegion: HOME, LastUpdateStatus: "SUCCEEDED" }] };
      case "DescribeAggregateComplianceByConfigRules":
        return { AggregateComplianceByConfigRules: [rule(EIP, A, HOME, "NON_COMPLIANT"), rule(IMDS, A, HOME, "COMPLIANT")] };
      case "GetAggregateComplianceDetailsByConfigRule":
        if (throttles.left-- > 0) throw throttling();
        return {
          AggregateEvaluationResults:
            input.ConfigRuleName === EIP
              ? [result(EIP, A, HOME, "AWS::EC2::EIP", "eipalloc-0a", "NON_COMPLIANT")]
              : [result(IMDS, A, HOME, "AWS::EC2::Instance", "i-0a", "COMPLIANT")],
        };
      default:
        throw new Error(`unexpected ${operation}`);
    }
  };
  const read = (clients: AwsClients) =>
    readAggregatorResults({ config: configClient(clients), organizations: organizationsClient(clients) }, options());

  test("a ThrottlingException is retried and the results are those of a calm run", async () => {
    const throttles = { left: 3 };
    const throttled = await withFakeTime(() => read(fakeTransport(answer(throttles))));
    expect(throttles.left).toBeLessThan(0);
    const calm = await read(fakeTransport(answer({ left: 0 })));
    expect(throttled.evaluations.map(key).sort()).toEqual(calm.evaluations.map(key).sort());
    expect(throttled.evaluations.filter((e) => e.complianceType === "NON_COMPLIANT")).toHaveLength(1);
  });

  test("throttling that outlasts the attempts fails the read, naming the call", async () => {
    const previous = process.env.AWS_MAX_ATTEMPTS;
    process.env.AWS_MAX_ATTEMPTS = "2";
    try {
      await expect(withFakeTime(() => read(fakeTransport(answer({ left: 1_000 }))))).rejects.toThrow(
        /config:GetAggregateComplianceDetailsByConfigRule \(OrgConfigRule-.*, 111111111111, eu-west-1\) failed: ThrottlingException/,
      );
    } finally {
      if (previous === undefined) delete process.env.AWS_MAX_ATTEMPTS;
      else process.env.AWS_MAX_ATTEMPTS = previous;
    }
  });
});
