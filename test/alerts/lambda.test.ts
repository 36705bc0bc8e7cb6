import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  GetComplianceDetailsByResourceCommand,
  PutEvaluationsCommand,
} from "@aws-sdk/client-config-service";
import { DescribeAddressesCommand, DescribeNetworkInterfacesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SSMClient, StartAutomationExecutionCommand } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { createRuleHandler } from "../../lib/lambda/handler";
import { localContext } from "../../lib/lambda/local-context";
import eipAttached from "../../rules/eip-attached";
import { change, configItem, scheduled } from "../lambda/fixtures";

const ec2 = mockClient(EC2Client);
const config = mockClient(ConfigServiceClient);
const sns = mockClient(SNSClient);
const ssm = mockClient(SSMClient);
const TOPIC = "arn:aws:sns:eu-west-1:111122223333:alerts";
const order: string[] = [];

const previousResult = (id: string) => ({
  ComplianceType: "NON_COMPLIANT" as const,
  ResultRecordedTime: new Date("2026-11-21T09:00:00Z"),
  EvaluationResultIdentifier: {
    EvaluationResultQualifier: { ConfigRuleName: "eip-attached", ResourceType: "AWS::EC2::EIP", ResourceId: id },
  },
});

beforeEach(() => {
  for (const mock of [ec2, config, sns, ssm]) mock.reset();
  order.length = 0;
  ec2.on(DescribeAddressesCommand).resolves({
    Addresses: [
      { AllocationId: "eipalloc-new", PublicIp: "198.51.100.1", Domain: "vpc" },
      {
        AllocationId: "eipalloc-fixed",
        PublicIp: "198.51.100.2",
        Domain: "vpc",
        AssociationId: "eipassoc-1",
        InstanceId: "i-1",
        NetworkInterfaceId: "eni-1",
      },
    ],
  });
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
  config.on(GetComplianceDetailsByConfigRuleCommand).callsFake((input) => {
    order.push(`GetComplianceDetails:${input.ComplianceTypes?.join("+")}`);
    return { EvaluationResults: [previousResult("eipalloc-fixed")] };
  });
  config.on(PutEvaluationsCommand).callsFake(() => {
    order.push("PutEvaluations");
    return { FailedEvaluations: [] };
  });
  sns.on(PublishCommand).callsFake(() => {
    order.push("Publish");
    return { MessageId: "m" };
  });
  ssm.on(StartAutomationExecutionCommand).callsFake(() => {
    order.push("StartAutomation");
    return { AutomationExecutionId: "e" };
  });
});

const saved = { ...process.env };
afterEach(() => {
  for (const key of ["ALERTS_TOPIC_ARN", "REMEDIATION_MODE", "REMEDIATION_ROLE_ARN", "REMEDIATION_CAP", "REMEDIATION_ALLOW_RELEASE"]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

const invoke = (event = scheduled("eip-attached")) => createRuleHandler(eipAttached)(event, localContext("eip-attached"));

describe("the rule Lambda's alerts", () => {
  it("reads previous results before PutEvaluations and publishes the digest after it", async () => {
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    await invoke();
    expect(order).toEqual(["GetComplianceDetails:COMPLIANT+NON_COMPLIANT", "PutEvaluations", "Publish"]);
    const body = JSON.parse(JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? "{}").sqs);
    expect(body.newlyNonCompliant.map((item: { resourceId: string }) => item.resourceId)).toEqual(["eipalloc-new"]);
    expect(body.backToCompliant.map((item: { resourceId: string }) => item.resourceId)).toEqual(["eipalloc-fixed"]);
    expect(body.configRuleName).toBe("eip-attached");
  });

  it("pages the rule's stored results once per periodic run, for the stale-result cleanup and the digest alike", async () => {
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    const compliant = (id: string) => ({ ...previousResult(id), ComplianceType: "COMPLIANT" as const });
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolvesOnce({ EvaluationResults: [previousResult("eipalloc-fixed"), compliant("eipalloc-gone")], NextToken: "page-2" })
      .resolvesOnce({ EvaluationResults: [previousResult("eipalloc-deleted")] });
    const result = await invoke();
    expect(config).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 2);
    expect(config).not.toHaveReceivedCommand(GetComplianceDetailsByResourceCommand);
    // Both pages served the cleanup…
    expect(result.staleResults).toBe(2);
    const posted = config.commandCalls(PutEvaluationsCommand).flatMap((call) => call.args[0].input.Evaluations ?? []);
    expect(Object.fromEntries(posted.map((evaluation) => [evaluation.ComplianceResourceId, evaluation.ComplianceType]))).toEqual({
      "eipalloc-new": "NON_COMPLIANT",
      "eipalloc-fixed": "COMPLIANT",
      "eipalloc-gone": "NOT_APPLICABLE",
      "eipalloc-deleted": "NOT_APPLICABLE",
    });
    // …and the digest: eipalloc-fixed was failing, eipalloc-new was not.
    const body = JSON.parse(JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? "{}").sqs);
    expect(body.newlyNonCompliant.map((item: { resourceId: string }) => item.resourceId)).toEqual(["eipalloc-new"]);
    expect(body.backToCompliant.map((item: { resourceId: string }) => item.resourceId)).toEqual(["eipalloc-fixed"]);
  });

  it("sends nothing, and reads nothing more, without a topic or in TestMode", async () => {
    await invoke();
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(order).toEqual(["GetComplianceDetails:COMPLIANT+NON_COMPLIANT", "PutEvaluations"]);
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    await invoke(scheduled("eip-attached", { resultToken: "TESTMODE" }));
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it("in automatic mode never releases a newly non-compliant address: Config's last result had it associated", async () => {
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    process.env.REMEDIATION_MODE = "automatic";
    process.env.REMEDIATION_ALLOW_RELEASE = "true";
    process.env.REMEDIATION_ROLE_ARN = "arn:aws:iam::111122223333:role/Remediation";
    await invoke();
    expect(order.slice(-2)).toEqual(["PutEvaluations", "Publish"]);
    expect(ssm).not.toHaveReceivedCommand(StartAutomationExecutionCommand);
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? "{}");
    expect(message.default).toContain("Not released (yet): eipalloc-new");
  });

  it("counts the alerts' and the remediation's calls in the run's API-call log (the run's client factory)", async () => {
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    process.env.REMEDIATION_MODE = "automatic";
    process.env.REMEDIATION_ALLOW_RELEASE = "true";
    process.env.REMEDIATION_ROLE_ARN = "arn:aws:iam::111122223333:role/Remediation";
    // eipalloc-new has been NON_COMPLIANT since long before releaseAfterDays: its release is due;
    // eipalloc-fixed is back to compliant: the digest announces it.
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        { ...previousResult("eipalloc-new"), ResultRecordedTime: new Date("2020-01-01T00:00:00Z") },
        previousResult("eipalloc-fixed"),
      ],
    });
    const result = await invoke();
    expect(ssm).toHaveReceivedCommand(StartAutomationExecutionCommand);
    expect(result.apiCalls).toMatchObject({
      "config:GetComplianceDetailsByConfigRule": 1,
      "config:PutEvaluations": 1,
      "sns:Publish": 1,
      "ssm:StartAutomationExecution": 1,
    });
  });

  it("refuses automatic release without REMEDIATION_ALLOW_RELEASE (the stack never deploys that)", async () => {
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    process.env.REMEDIATION_MODE = "automatic";
    process.env.REMEDIATION_ROLE_ARN = "arn:aws:iam::111122223333:role/Remediation";
    await expect(invoke()).rejects.toThrow(/allowRelease/);
    expect(ssm).not.toHaveReceivedCommand(StartAutomationExecutionCommand);
  });

  it("keeps the posted verdicts when publishing fails", async () => {
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    sns.on(PublishCommand).rejects(new Error("AuthorizationError"));
    const result = await invoke();
    expect(result.putEvaluationsCalls).toBe(1);
  });
});

describe("the rule Lambda's alerts on a change event", () => {
  const otherRules = (id: string) => ({
    ...previousResult(id),
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: { ConfigRuleName: "other-rule", ResourceType: "AWS::EC2::EIP", ResourceId: id },
    },
  });
  const item = () => configItem("DescribeAddresses", { AllocationId: "eipalloc-new", PublicIp: "198.51.100.1", Domain: "vpc" });

  it("reads only the changed resource's previous results, and stays quiet when it was already failing", async () => {
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    config.on(GetComplianceDetailsByResourceCommand).callsFake(() => {
      order.push("GetComplianceDetailsByResource");
      return { EvaluationResults: [previousResult("eipalloc-new")] };
    });
    await invoke(change("eip-attached", item()));
    expect(order).toEqual(["GetComplianceDetailsByResource", "PutEvaluations"]);
    expect(config).toHaveReceivedCommandWith(GetComplianceDetailsByResourceCommand, {
      ResourceType: "AWS::EC2::EIP",
      ResourceId: "eipalloc-new",
      ComplianceTypes: ["NON_COMPLIANT"],
    });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it("ignores another rule's result on the same resource", async () => {
    process.env.ALERTS_TOPIC_ARN = TOPIC;
    config.on(GetComplianceDetailsByResourceCommand).resolves({ EvaluationResults: [otherRules("eipalloc-new")] });
    await invoke(change("eip-attached", item()));
    const body = JSON.parse(JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? "{}").sqs);
    expect(body.newlyNonCompliant.map((entry: { resourceId: string }) => entry.resourceId)).toEqual(["eipalloc-new"]);
  });
});
