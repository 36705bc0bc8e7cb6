import { Logger } from "@aws-lambda-powertools/logger";
import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  GetComplianceDetailsByResourceCommand,
  PutEvaluationsCommand,
} from "@aws-sdk/client-config-service";
import { DescribeAddressesCommand, DescribeNetworkInterfacesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { AwsSecurityFinding$, BatchImportFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { createRuleHandler } from "../../lib/lambda/handler";
import { localContext } from "../../lib/lambda/local-context";
import eipAttached from "../../rules/eip-attached";
import { change, configItem, scheduled } from "../lambda/fixtures";
import { shapeProblems } from "../support/smithy-shape";

const ec2 = mockClient(EC2Client);
const config = mockClient(ConfigServiceClient);
const securityHub = mockClient(SecurityHubClient);
const order: string[] = [];

const stored = (id: string, complianceType: "COMPLIANT" | "NON_COMPLIANT") => ({
  ComplianceType: complianceType,
  ResultRecordedTime: new Date("2026-11-21T09:00:00Z"),
  EvaluationResultIdentifier: {
    EvaluationResultQualifier: { ConfigRuleName: "eip-attached", ResourceType: "AWS::EC2::EIP", ResourceId: id },
  },
});
const exemptTags = [
  { Key: "compliance-exempt", Value: "eip-attached" },
  { Key: "compliance-exempt-reason", Value: "failover address" },
  { Key: "compliance-exempt-owner", Value: "network-team" },
  { Key: "compliance-exempt-expires", Value: "2999-01-01" },
];
const address = (id: string, extra: Record<string, unknown> = {}) => ({
  AllocationId: id,
  PublicIp: "198.51.100.1",
  Domain: "vpc" as const,
  ...extra,
});
const attached = (id: string) => address(id, { AssociationId: `eipassoc-${id}`, InstanceId: "i-1", NetworkInterfaceId: "eni-1" });

/** Findings sent to Security Hub, in order, with the batch sizes. */
const imported = () => securityHub.commandCalls(BatchImportFindingsCommand).flatMap((call) => call.args[0].input.Findings ?? []);

beforeEach(() => {
  for (const mock of [ec2, config, securityHub]) mock.reset();
  order.length = 0;
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
  config.on(PutEvaluationsCommand).callsFake(() => {
    order.push("PutEvaluations");
    return { FailedEvaluations: [] };
  });
  securityHub.on(BatchImportFindingsCommand).callsFake((input) => {
    order.push("BatchImportFindings");
    return { FailedCount: 0, SuccessCount: input.Findings?.length ?? 0, FailedFindings: [] };
  });
});

const env = { SECURITY_HUB_ENABLED: "true" };
const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(env)) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

function recordingLogger() {
  const logger = new Logger({ serviceName: "test" });
  const errors: { message: string; extra: unknown }[] = [];
  jest.spyOn(logger, "error").mockImplementation((message: unknown, ...extra: unknown[]) => {
    errors.push({ message: String(message), extra: extra[0] });
  });
  return { logger, errors };
}

const invoke = (event = scheduled("eip-attached"), logger?: Logger) =>
  createRuleHandler(eipAttached, logger ? { logger } : {})(event, localContext("eip-attached"));

describe("the rule Lambda's Security Hub sink", () => {
  it("imports, after PutEvaluations, only the findings that changed: new failures, fixes, exemptions and gone resources", async () => {
    Object.assign(process.env, env);
    ec2.on(DescribeAddressesCommand).resolves({
      Addresses: [
        address("eipalloc-new"), // not failing before: FAILED
        address("eipalloc-still"), // failing before and now: already in Security Hub
        attached("eipalloc-fixed"), // failing before, now compliant: PASSED
        attached("eipalloc-ok"), // compliant before and now: nothing to say
        address("eipalloc-exempt", { Tags: exemptTags }), // failing before, now exempted: SUPPRESSED
      ],
    });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({
      EvaluationResults: [
        stored("eipalloc-still", "NON_COMPLIANT"),
        stored("eipalloc-fixed", "NON_COMPLIANT"),
        stored("eipalloc-ok", "COMPLIANT"),
        stored("eipalloc-exempt", "NON_COMPLIANT"),
        stored("eipalloc-gone", "NON_COMPLIANT"), // released since: stale result reset, ARCHIVED
      ],
    });
    await invoke();
    expect(order).toEqual(["PutEvaluations", "BatchImportFindings"]);
    const findings = imported();
    const byResource = Object.fromEntries(
      findings.map((finding) => [
        finding.Resources?.[0]?.Id?.split("/").pop(),
        [finding.Compliance?.Status, finding.Workflow?.Status, finding.RecordState],
      ]),
    );
    expect(byResource).toEqual({
      "eipalloc-new": ["FAILED", undefined, "ACTIVE"],
      "eipalloc-fixed": ["PASSED", undefined, "ACTIVE"],
      "eipalloc-exempt": ["NOT_AVAILABLE", "SUPPRESSED", "ACTIVE"],
      "eipalloc-gone": ["NOT_AVAILABLE", undefined, "ARCHIVED"],
    });
    for (const finding of findings) {
      expect(shapeProblems(finding, AwsSecurityFinding$)).toEqual([]);
      expect(finding.ProductArn).toBe("arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default");
      expect(finding.Compliance?.RelatedRequirements).toContain("AWS Foundational Security Best Practices v1.0.0/EC2.12");
    }
    const exempt = findings.find((finding) => finding.Workflow?.Status === "SUPPRESSED");
    expect(exempt?.Note?.Text).toMatch(/by network-team until 2999-01-01: failover address/);
    // An update keeps the creation time of the failing finding Security Hub already holds.
    expect(findings.find((finding) => finding.Compliance?.Status === "PASSED")?.CreatedAt).toBe("2026-11-21T09:00:00.000Z");
  });

  it("the same Id as `report --format asff`, so the CLI and the Lambda update one finding", async () => {
    Object.assign(process.env, env);
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address("eipalloc-new")] });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    await invoke();
    expect(imported().map((finding) => finding.Id)).toEqual([
      "ec2-config-rules/111122223333/eu-west-1/eip-attached/AWS::EC2::EIP/eipalloc-new",
    ]);
  });

  it("sends batches of at most 100", async () => {
    Object.assign(process.env, env);
    const ids = Array.from({ length: 230 }, (_, index) => `eipalloc-${String(index).padStart(4, "0")}`);
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: ids.map((id) => address(id)) });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });
    await invoke();
    expect(securityHub.commandCalls(BatchImportFindingsCommand).map((call) => call.args[0].input.Findings?.length)).toEqual([100, 100, 30]);
    expect(new Set(imported().map((finding) => finding.Id)).size).toBe(230);
  });

  it("imports nothing when nothing changed, when off (the default), and in TestMode", async () => {
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address("eipalloc-still")] });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [stored("eipalloc-still", "NON_COMPLIANT")] });
    await invoke();
    Object.assign(process.env, env);
    await invoke();
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address("eipalloc-new")] });
    await invoke(scheduled("eip-attached", { resultToken: "TESTMODE" }));
    expect(securityHub).not.toHaveReceivedCommand(BatchImportFindingsCommand);
    delete process.env.SECURITY_HUB_ENABLED;
    await invoke();
    expect(securityHub).not.toHaveReceivedCommand(BatchImportFindingsCommand);
  });

  it("on a change event, reads the changed resource's previous result and imports its new failure", async () => {
    Object.assign(process.env, env);
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    config.on(GetComplianceDetailsByResourceCommand).resolves({ EvaluationResults: [] });
    await invoke(change("eip-attached", configItem("DescribeAddresses", address("eipalloc-new"))));
    expect(config).toHaveReceivedCommandWith(GetComplianceDetailsByResourceCommand, {
      ResourceId: "eipalloc-new",
      ComplianceTypes: ["NON_COMPLIANT"],
    });
    expect(imported().map((finding) => [finding.Resources?.[0]?.Type, finding.Compliance?.Status])).toEqual([["AwsEc2Eip", "FAILED"]]);
  });

  it("surfaces a failed import and refused findings as errors in the log, keeping the posted verdicts", async () => {
    Object.assign(process.env, env);
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [address("eipalloc-new"), address("eipalloc-other")] });
    config.on(GetComplianceDetailsByConfigRuleCommand).resolves({ EvaluationResults: [] });

    securityHub
      .on(BatchImportFindingsCommand)
      .rejects(Object.assign(new Error("Account is not subscribed to AWS Security Hub"), { name: "InvalidAccessException" }));
    const denied = recordingLogger();
    const result = await invoke(undefined, denied.logger);
    expect(result.putEvaluationsCalls).toBe(1);
    expect(denied.errors.map((entry) => entry.message)).toEqual(["Security Hub import failed after the evaluations were posted"]);

    securityHub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 1,
      FailedFindings: [
        {
          Id: "ec2-config-rules/111122223333/eu-west-1/eip-attached/AWS::EC2::EIP/eipalloc-other",
          ErrorCode: "InvalidInput",
          ErrorMessage: "bad",
        },
      ],
    });
    const refused = recordingLogger();
    await invoke(undefined, refused.logger);
    expect(refused.errors).toEqual([
      {
        message: "Security Hub refused findings",
        extra: {
          securityHub: {
            imported: 1,
            failedCount: 1,
            failed: [
              {
                Id: "ec2-config-rules/111122223333/eu-west-1/eip-attached/AWS::EC2::EIP/eipalloc-other",
                ErrorCode: "InvalidInput",
                ErrorMessage: "bad",
              },
            ],
          },
        },
      },
    ]);
  });
});
