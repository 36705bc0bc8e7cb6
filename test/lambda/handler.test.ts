import { Logger } from "@aws-lambda-powertools/logger";
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  GetResourceConfigHistoryCommand,
  PutEvaluationsCommand,
} from "@aws-sdk/client-config-service";
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { CollectionError } from "../../lib/collect/ec2-collector";
import { PutEvaluationsError } from "../../lib/config/put-evaluations";
import { RuleParameterError } from "../../lib/engine/rule";
import { InputError } from "../../lib/errors";
import { createRuleHandler } from "../../lib/lambda/handler";
import { localContext } from "../../lib/lambda/local-context";
import { ec2ItemToConfigItem } from "../../lib/sources/config-item-builder";
import ec2NoPublicIp from "../../rules/ec2-no-public-ip";
import eipAttached from "../../rules/eip-attached";
import endpointRoutePresent from "../../rules/endpoint-route-present";
import imdsv2Required from "../../rules/imdsv2-required";
import sgAttachedToEni from "../../rules/sg-attached-to-eni";
import {
  ACCOUNT,
  address,
  CAPTURE_TIME,
  change,
  configItem,
  ec2Error,
  instance,
  NOTIFICATION_TIME,
  networkInterface,
  oversized,
  REGION,
  reservation,
  scheduled,
  securityGroup,
} from "./fixtures";

const ec2 = mockClient(EC2Client);
const config = mockClient(ConfigServiceClient);
const sts = mockClient(STSClient);

beforeEach(() => {
  ec2.reset();
  config.reset();
  sts.reset();
  config.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
});

const context = localContext("test-rule");
const posted = () => config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);

describe("periodic (ScheduledNotification)", () => {
  it("collects the account, posts every verdict with the notification time, and resets stale results", async () => {
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address("eipalloc-1", true), address("eipalloc-2", false)] });
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [networkInterface("eni-nat", [], { InterfaceType: "nat_gateway" })] });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        { EvaluationResultIdentifier: { EvaluationResultQualifier: { ResourceType: "AWS::EC2::EIP", ResourceId: "eipalloc-1" } } },
        { EvaluationResultIdentifier: { EvaluationResultQualifier: { ResourceType: "AWS::EC2::EIP", ResourceId: "eipalloc-gone" } } },
      ],
    });

    const result = await createRuleHandler(eipAttached)(scheduled("eip-attached"), context);

    expect(ec2).toHaveReceivedCommandTimes(DescribeAddressesCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, { MaxResults: 1000 });
    expect(config).toHaveReceivedCommandWith(GetComplianceDetailsByConfigRuleCommand, {
      ConfigRuleName: "eip-attached",
      ComplianceTypes: ["COMPLIANT", "NON_COMPLIANT"],
      Limit: 100,
    });
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(config).toHaveReceivedCommandWith(PutEvaluationsCommand, { ResultToken: "token-abc", TestMode: false });
    const verdicts = Object.fromEntries(posted().map((e) => [e.ComplianceResourceId, e.ComplianceType]));
    expect(verdicts).toEqual({ "eipalloc-1": "COMPLIANT", "eipalloc-2": "NON_COMPLIANT", "eipalloc-gone": "NOT_APPLICABLE" });
    for (const evaluation of posted()) {
      expect(evaluation.OrderingTimestamp).toEqual(new Date(NOTIFICATION_TIME));
      expect(evaluation.ComplianceResourceType).toBe("AWS::EC2::EIP");
    }
    expect(result.staleResults).toBe(1);
  });

  it("posts 250 evaluations in 3 calls of at most 100, in TestMode for the TESTMODE token", async () => {
    const groups = Array.from({ length: 250 }, (_, index) => securityGroup(`sg-${String(index).padStart(4, "0")}`));
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: groups });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [networkInterface("eni-1", ["sg-0001"])] });

    await createRuleHandler(sgAttachedToEni)(scheduled("sg-attached-to-eni", { resultToken: "TESTMODE" }), context);

    const calls = config.commandCalls(PutEvaluationsCommand);
    expect(calls.map((call) => call.args[0].input.Evaluations?.length)).toEqual([100, 100, 50]);
    expect(calls.every((call) => call.args[0].input.TestMode === true)).toBe(true);
    expect(new Set(posted().map((e) => e.ComplianceResourceId)).size).toBe(250);
    expect(posted().find((e) => e.ComplianceResourceId === "sg-0001")?.ComplianceType).toBe("COMPLIANT");
    // TestMode stores nothing, so there is nothing to reconcile.
    expect(config).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
  });

  it("cuts annotations to 256 characters with a visible marker", async () => {
    const groups = [securityGroup("sg-target")];
    // Many groups referencing the unused one make a long annotation.
    for (let index = 0; index < 40; index++) {
      groups.push({
        ...securityGroup(`sg-referrer-with-a-long-identifier-number-${index}`),
        IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-target", UserId: ACCOUNT }] }],
      } as never);
    }
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: groups });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const result = await createRuleHandler(sgAttachedToEni)(scheduled("sg-attached-to-eni"), context);
    const annotations = posted().map((e) => e.Annotation ?? "");
    expect(Math.max(...annotations.map((a) => a.length))).toBeLessThanOrEqual(256);
    const target = posted().find((e) => e.ComplianceResourceId === "sg-target");
    expect(target?.ComplianceType).toBe("NON_COMPLIANT");
    // Only what goes to Config is cut: the invocation's result keeps the whole annotation.
    const whole = result.evaluations.find((e) => e.resourceId === "sg-target")?.annotation ?? "";
    expect(whole.length).toBeGreaterThan(256);
    expect(target?.Annotation).toHaveLength(256);
    expect(target?.Annotation).toMatch(/… \[truncated\]$/);
    expect(whole.startsWith(target?.Annotation?.replace(/… \[truncated\]$/, "") ?? "?")).toBe(true);
  });

  it("fails with no PutEvaluations (and no stale cleanup) when an EC2 call fails for good", async () => {
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address("eipalloc-1", false)] });
    ec2.on(DescribeNetworkInterfacesCommand).rejects(ec2Error("UnauthorizedOperation", 403));
    const run = createRuleHandler(eipAttached)(scheduled("eip-attached"), context);
    await expect(run).rejects.toThrow(CollectionError);
    await expect(run).rejects.toThrow(
      /ec2:DescribeNetworkInterfaces failed in 111122223333\/eu-west-1 after retries: UnauthorizedOperation/,
    );
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(config).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
  });

  it("re-sends evaluations Config reports as failed, then succeeds", async () => {
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address("eipalloc-1", false)] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    config
      .on(PutEvaluationsCommand)
      .resolvesOnce({
        FailedEvaluations: [
          {
            ComplianceResourceType: "AWS::EC2::EIP",
            ComplianceResourceId: "eipalloc-1",
            ComplianceType: "NON_COMPLIANT",
            OrderingTimestamp: new Date(NOTIFICATION_TIME),
          },
        ],
      })
      .resolves({ FailedEvaluations: [] });
    await createRuleHandler(eipAttached, { putRetryDelayMs: 1 })(scheduled("eip-attached"), context);
    const calls = config.commandCalls(PutEvaluationsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Evaluations?.map((e) => e.ComplianceResourceId)).toEqual(["eipalloc-1"]);
  });

  it("fails the invocation when evaluations are still refused after the bounded retries", async () => {
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address("eipalloc-1", false)] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    config.on(PutEvaluationsCommand).callsFake((input) => ({ FailedEvaluations: input.Evaluations }));
    const run = createRuleHandler(eipAttached, { putRetryDelayMs: 1 })(scheduled("eip-attached"), context);
    await expect(run).rejects.toThrow(PutEvaluationsError);
    await expect(run).rejects.toThrow(/refused 1 evaluation\(s\) after 3 retries, e.g. AWS::EC2::EIP eipalloc-1/);
    expect(config).toHaveReceivedCommandTimes(PutEvaluationsCommand, 4); // the first try and 3 retries
  });
});

describe("change-triggered (ConfigurationItemChangeNotification)", () => {
  it("evaluates the item alone with its capture time, calls no EC2 API it does not need, and never cleans up", async () => {
    const ci = configItem("DescribeInstances", reservation(instance("i-public", { publicIp: "198.51.100.7" })));
    await createRuleHandler(ec2NoPublicIp)(change("ec2-no-public-ip", ci), context);
    expect(ec2.calls()).toHaveLength(0);
    expect(config).not.toHaveReceivedCommand(GetComplianceDetailsByConfigRuleCommand);
    expect(posted()).toEqual([
      expect.objectContaining({
        ComplianceResourceType: "AWS::EC2::Instance",
        ComplianceResourceId: "i-public",
        ComplianceType: "NON_COMPLIANT",
        OrderingTimestamp: new Date(CAPTURE_TIME),
      }),
    ]);
  });

  it("fetches only the related ENI, by filter, for an EIP", async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [networkInterface("eni-nat", [], { Status: "available" })] });
    const ci = configItem("DescribeAddresses", address("eipalloc-9", true));
    await createRuleHandler(eipAttached)(change("eip-attached", ci, { ruleParameters: { requireInUseEni: "true" } }), context);
    expect(ec2).not.toHaveReceivedCommand(DescribeAddressesCommand);
    expect(ec2).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: "network-interface-id", Values: ["eni-nat"] }],
    });
    expect(posted()).toEqual([expect.objectContaining({ ComplianceResourceId: "eipalloc-9", ComplianceType: "NON_COMPLIANT" })]);
  });

  it.each([
    ["ResourceDeleted", {}],
    ["ResourceDeletedNotRecorded", {}],
    ["ResourceNotRecorded", {}],
    ["OK", { eventLeftScope: true }],
  ])("reports NOT_APPLICABLE for status %s %j without reading EC2", async (status, extra) => {
    const ci = configItem("DescribeInstances", reservation(instance("i-gone")), status);
    if (status !== "OK") ci.configuration = null;
    await createRuleHandler(imdsv2Required)(change("imdsv2-required", ci, extra), context);
    expect(ec2.calls()).toHaveLength(0);
    expect(posted()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: "i-gone",
        ComplianceType: "NOT_APPLICABLE",
        OrderingTimestamp: new Date(CAPTURE_TIME),
      }),
    ]);
  });

  it("words a deleted item as offline runs do: deleted at its capture time", async () => {
    const ci = configItem("DescribeInstances", reservation(instance("i-gone")), "ResourceDeleted");
    ci.configuration = null;
    await createRuleHandler(imdsv2Required)(change("imdsv2-required", ci), context);
    expect(posted()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: "i-gone",
        Annotation: `Configuration item status ResourceDeleted: deleted at ${new Date(CAPTURE_TIME).toISOString()}`,
      }),
    ]);
  });

  it("reports a resource type outside the rule's scope as NOT_APPLICABLE", async () => {
    const ci = configItem("DescribeSecurityGroups", securityGroup("sg-x"));
    await createRuleHandler(imdsv2Required)(change("imdsv2-required", ci), context);
    expect(posted()).toEqual([
      expect.objectContaining({
        ComplianceResourceType: "AWS::EC2::SecurityGroup",
        ComplianceResourceId: "sg-x",
        ComplianceType: "NOT_APPLICABLE",
      }),
    ]);
  });

  it("refuses a change event for a periodic-only rule", async () => {
    const ci = configItem("DescribeSecurityGroups", securityGroup("sg-x"));
    await expect(createRuleHandler(sgAttachedToEni)(change("sg-attached-to-eni", ci), context)).rejects.toThrow(
      /field invokingEvent.messageType: rule sg-attached-to-eni is periodic-triggered/,
    );
    expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });
});

describe("oversized (OversizedConfigurationItemChangeNotification)", () => {
  it("fetches the item at the summary's capture time and reads the API shape", async () => {
    const item = reservation(instance("i-big", { httpTokens: "optional" }));
    const [apiItem] = ec2ItemToConfigItem("DescribeInstances", item, { region: REGION, accountId: ACCOUNT }, "api", "OK", CAPTURE_TIME);
    config.on(GetResourceConfigHistoryCommand).resolves({ configurationItems: [apiItem as never] });
    const ci = configItem("DescribeInstances", item);
    await createRuleHandler(imdsv2Required)(oversized("imdsv2-required", ci), context);
    expect(config).toHaveReceivedCommandWith(GetResourceConfigHistoryCommand, {
      resourceType: "AWS::EC2::Instance",
      resourceId: "i-big",
      laterTime: new Date(CAPTURE_TIME),
      limit: 1,
    });
    expect(posted()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: "i-big",
        ComplianceType: "NON_COMPLIANT",
        OrderingTimestamp: new Date(CAPTURE_TIME),
      }),
    ]);
  });

  it("reports a deleted item from its summary without fetching it", async () => {
    const ci = configItem("DescribeInstances", reservation(instance("i-gone")), "ResourceDeleted");
    await createRuleHandler(imdsv2Required)(oversized("imdsv2-required", ci), context);
    expect(config).not.toHaveReceivedCommand(GetResourceConfigHistoryCommand);
    expect(posted()).toEqual([expect.objectContaining({ ComplianceResourceId: "i-gone", ComplianceType: "NOT_APPLICABLE" })]);
  });
});

describe("exemption tags in the Lambda: the same shared code as the CLI", () => {
  const tagged = (tags: Record<string, string>) =>
    configItem("DescribeAddresses", address("eipalloc-7", false, { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));

  it.each([
    [
      { "compliance-exempt": "eip-attached", "compliance-exempt-expires": "next-year" },
      {},
      'compliance-exempt-expires "next-year" is not an ISO date',
    ],
    [{ "compliance-exempt": "eip-atached" }, {}, 'compliance-exempt names unknown rule "eip-atached"'],
    [{ "compliance-exempt": "all" }, { MaxExemptionDays: "90" }, "no compliance-exempt-expires tag, required with maxExemptionDays 90"],
  ])("an invalid tag %j (parameters %j) exempts nothing: NON_COMPLIANT posted, annotated with why", async (tags, ruleParameters, why) => {
    await createRuleHandler(eipAttached)(change("eip-attached", tagged(tags), { ruleParameters }), context);
    expect(posted()).toEqual([
      expect.objectContaining({
        ComplianceResourceId: "eipalloc-7",
        ComplianceType: "NON_COMPLIANT",
        Annotation: expect.stringMatching(new RegExp(`^\\[exemption tag ignored: ${why.replace(/[()[\]]/g, "\\$&")}\\] EIP `)),
      }),
    ]);
  });

  it("a valid tag still exempts", async () => {
    await createRuleHandler(eipAttached)(
      change("eip-attached", tagged({ "compliance-exempt": "all", "compliance-exempt-expires": "2999-01-01" })),
      context,
    );
    expect(posted()).toEqual([
      expect.objectContaining({ ComplianceType: "NOT_APPLICABLE", Annotation: "Exempted (tag) until 2999-01-01" }),
    ]);
  });
});

describe("bad input fails the invocation before any AWS call", () => {
  it("names an invalid rule parameter and its value", async () => {
    const run = createRuleHandler(eipAttached)(scheduled("eip-attached", { ruleParameters: { requireInUseEni: "maybe" } }), context);
    await expect(run).rejects.toThrow(RuleParameterError);
    await expect(run).rejects.toThrow(/invalid parameter "requireInUseEni" = "maybe"/);
    expect(ec2.calls()).toHaveLength(0);
    expect(config.calls()).toHaveLength(0);
  });

  it.each([
    [{ services: "dynamo" }, '"services" = "dynamo": "dynamo" is not one of the allowed values: s3, dynamodb'],
    [{ services: "s4" }, '"s4" is not one of the allowed values: s3, dynamodb'],
    [{ scope: "public" }, '"public" is not one of the allowed values: private, all'],
  ])("refuses endpoint-route-present parameters %j outside their domain, listing the allowed values", async (ruleParameters, message) => {
    const run = createRuleHandler(endpointRoutePresent)(scheduled("endpoint-route-present", { ruleParameters }), context);
    await expect(run).rejects.toThrow(RuleParameterError);
    await expect(run).rejects.toThrow(message);
    expect(ec2.calls()).toHaveLength(0);
    expect(config.calls()).toHaveLength(0);
  });

  it("refuses an unknown rule parameter", async () => {
    await expect(
      createRuleHandler(eipAttached)(scheduled("eip-attached", { ruleParameters: { requireInUseENI: true } }), context),
    ).rejects.toThrow(/invalid parameter "requireInUseENI"/);
  });

  it.each([
    [
      "invokingEvent is not JSON",
      (e: Record<string, unknown>) => ({ ...e, invokingEvent: "{not json" }),
      /field invokingEvent: invalid Config event: not valid JSON/,
    ],
    ["resultToken missing", (e: Record<string, unknown>) => ({ ...e, resultToken: undefined }), /field resultToken/],
    ["accountId malformed", (e: Record<string, unknown>) => ({ ...e, accountId: "abc" }), /field accountId: .*12-digit/],
    ["ruleParameters not JSON", (e: Record<string, unknown>) => ({ ...e, ruleParameters: "{" }), /field ruleParameters: .*not valid JSON/],
    [
      "unknown messageType",
      (e: Record<string, unknown>) => ({ ...e, invokingEvent: JSON.stringify({ messageType: "Nope" }) }),
      /field invokingEvent.messageType: .*unsupported messageType "Nope"/,
    ],
    [
      "change without resourceId",
      (e: Record<string, unknown>) => {
        const invoking = JSON.parse(e.invokingEvent as string);
        delete invoking.configurationItem.resourceId;
        return { ...e, invokingEvent: JSON.stringify(invoking) };
      },
      /field invokingEvent.configurationItem.resourceId/,
    ],
  ])("malformed event: %s", async (_name, mutate, message) => {
    const ci = configItem("DescribeInstances", reservation(instance("i-1")));
    const event = mutate(change("imdsv2-required", ci) as unknown as Record<string, unknown>);
    const run = createRuleHandler(imdsv2Required)(event, context);
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(message);
    expect(ec2.calls()).toHaveLength(0);
    expect(config.calls()).toHaveLength(0);
  });

  it('treats ruleParameters "" as no parameters', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [reservation(instance("i-1"))] });
    const event = { ...scheduled("imdsv2-required"), ruleParameters: "" };
    await createRuleHandler(imdsv2Required)(event, context);
    expect(posted()).toEqual([expect.objectContaining({ ComplianceResourceId: "i-1", ComplianceType: "COMPLIANT" })]);
  });
});

describe("clients", () => {
  it("assumes the event's executionRoleArn when AssumeRoleMode is true", async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "AKIAFAKE",
        SecretAccessKey: "secret",
        SessionToken: "session",
        Expiration: new Date(Date.now() + 900_000),
      },
    });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    const event = scheduled("imdsv2-required", { ruleParameters: { AssumeRoleMode: "true" } });
    await createRuleHandler(imdsv2Required)(event, context);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: event.executionRoleArn, RoleSessionName: "configLambdaExecution" });
    const credentials = await (ec2.call(0).thisValue as EC2Client).config.credentials();
    expect(credentials.accessKeyId).toBe("AKIAFAKE");
  });

  it("assumes a named role in the rule's account", async () => {
    sts
      .on(AssumeRoleCommand)
      .resolves({ Credentials: { AccessKeyId: "A", SecretAccessKey: "S", SessionToken: "T", Expiration: new Date() } });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    await createRuleHandler(imdsv2Required)(
      scheduled("imdsv2-required", { ruleParameters: { ExecutionRoleName: "audit-reader" } }),
      context,
    );
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${ACCOUNT}:role/audit-reader` });
  });

  it("uses the adaptive retry mode with 10 attempts and the event's region", async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    const ci = configItem("DescribeInstances", reservation(instance("i-1")));
    ci.awsRegion = "ap-southeast-2";
    await createRuleHandler(imdsv2Required)(change("imdsv2-required", ci), context);
    const client = config.call(0).thisValue as ConfigServiceClient;
    expect(await client.config.region()).toBe("ap-southeast-2");
    expect(await client.config.maxAttempts()).toBe(10);
    const { retryMode } = client.config as unknown as { retryMode: string | (() => Promise<string>) };
    expect(typeof retryMode === "function" ? await retryMode() : retryMode).toBe("adaptive");
  });
});

describe("logs", () => {
  it("logs one structured line with rule, message type, counts and API calls, and never the token", async () => {
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address("eipalloc-1", false), address("eipalloc-2", true)] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const logger = new Logger({ serviceName: "test", persistentKeys: { rule: "eip-attached" } });
    const info = jest.spyOn(logger, "info");
    await createRuleHandler(eipAttached, { logger })(scheduled("eip-attached", { resultToken: "secret-token-123" }), context);
    expect(info).toHaveBeenCalledTimes(1);
    const [message, fields] = info.mock.calls[0] as [string, Record<string, unknown>];
    expect(message).toBe("evaluations posted");
    expect(fields).toMatchObject({
      messageType: "ScheduledNotification",
      resourcesEvaluated: 2,
      compliance: { COMPLIANT: 1, NON_COMPLIANT: 1, NOT_APPLICABLE: 0, INSUFFICIENT_DATA: 0 },
      apiCalls: {
        "config:GetComplianceDetailsByConfigRule": 1,
        "config:PutEvaluations": 1,
        "ec2:DescribeAddresses": 1,
        "ec2:DescribeNetworkInterfaces": 1,
      },
    });
    expect(typeof fields.durationMs).toBe("number");
    expect(JSON.stringify(info.mock.calls)).not.toContain("secret-token-123");
  });

  it("logs the failure with its reason", async () => {
    ec2.on(DescribeAddressesCommand).rejects(ec2Error("UnauthorizedOperation", 403));
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const logger = new Logger({ serviceName: "test" });
    const error = jest.spyOn(logger, "error");
    await expect(createRuleHandler(eipAttached, { logger })(scheduled("eip-attached"), context)).rejects.toThrow();
    expect(error).toHaveBeenCalledWith("invocation failed", expect.objectContaining({ messageType: "ScheduledNotification" }));
  });
});
