import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SSMClient, StartAutomationExecutionCommand } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import type { Evaluation } from "../../lib/engine/rule";
import { followUpRuleRun } from "../../lib/lambda/follow-up";
import { ruleFunctionSettings } from "../../lib/lambda/settings";
import {
  AUTOMATION_DOCUMENT_CONTENT,
  AUTOMATION_DOCUMENTS,
  parseRemediationSettings,
  REMEDIATIONS,
  remediationCloudFormation,
  startAutomations,
} from "../../remediation";
import { idempotencyToken } from "../../remediation/ssm/start";
import { RULES } from "../../rules";

/** The rule function's remediation settings, as its handler reads them from the environment. */
const remediationFromEnv = (ruleId: string, env: NodeJS.ProcessEnv) =>
  ruleFunctionSettings(RULES.find((rule) => rule.meta.id === ruleId) as (typeof RULES)[number], env).remediation;

const ssm = mockClient(SSMClient);
const sns = mockClient(SNSClient);
beforeEach(() => {
  ssm.reset();
  sns.reset();
  ssm.on(StartAutomationExecutionCommand).callsFake((input) => ({ AutomationExecutionId: `exec-${input.Parameters?.InstanceId?.[0]}` }));
  sns.on(PublishCommand).resolves({ MessageId: "m" });
});

const ROLE = "arn:aws:iam::111122223333:role/Remediation";
const pascal = (snake: string) =>
  `ec2:${snake
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("")}`;
const STEP_ACTIONS = new Set(["aws:executeAwsApi", "aws:assertAwsResourceProperty", "aws:executeScript", "aws:branch"]);

interface Step {
  name: string;
  action: string;
  inputs: Record<string, unknown>;
}

describe("SSM Automation documents", () => {
  it("covers every rule whose remediation is automatic, and no other", () => {
    const automatic = [...REMEDIATIONS.values()]
      .filter((action) => action.automatic)
      .map((action) => action.ruleId)
      .sort();
    expect(AUTOMATION_DOCUMENTS.map((binding) => binding.ruleId).sort()).toEqual(automatic);
    expect(automatic).not.toContain("placement-group-limits");
    for (const binding of AUTOMATION_DOCUMENTS) expect(RULES.some((rule) => rule.meta.id === binding.ruleId)).toBe(true);
  });

  it.each(AUTOMATION_DOCUMENTS.map((binding) => [binding.ruleId, binding] as const))(
    "%s: is a valid schemaVersion 0.3 document",
    (_id, binding) => {
      const content = AUTOMATION_DOCUMENT_CONTENT[binding.ruleId] as {
        schemaVersion: string;
        assumeRole: string;
        parameters: Record<string, unknown>;
        mainSteps: Step[];
      };
      expect(content.schemaVersion).toBe("0.3");
      expect(content.assumeRole).toBe("{{ AutomationAssumeRole }}");
      expect(Object.keys(content.parameters)).toEqual(expect.arrayContaining([binding.resourceParameter, "AutomationAssumeRole"]));
      const names = new Set<string>();
      for (const step of content.mainSteps) {
        expect(STEP_ACTIONS.has(step.action)).toBe(true);
        expect(names.has(step.name)).toBe(false);
        names.add(step.name);
        if (step.action === "aws:executeScript") {
          expect(step.inputs).toMatchObject({ Runtime: "python3.11", Handler: "handler" });
          expect(String(step.inputs.Script)).toMatch(/^import boto3\n[\s\S]*def handler\(events, context\):/);
        }
        if (step.action !== "aws:executeScript") expect(step.inputs.Service).toBe("ec2");
      }
      // Every {{ reference }} names a parameter or an earlier step's output.
      const text = JSON.stringify(content.mainSteps);
      for (const [, reference] of text.matchAll(/\{\{ ([\w.]+) \}\}/g)) {
        const [head] = (reference ?? "").split(".");
        expect(head && (head in content.parameters || names.has(head))).toBeTruthy();
      }
    },
  );

  it.each(AUTOMATION_DOCUMENTS.map((binding) => [binding.ruleId, binding] as const))(
    "%s: lists exactly the EC2 actions its steps call",
    (_id, binding) => {
      const steps = (AUTOMATION_DOCUMENT_CONTENT[binding.ruleId] as { mainSteps: Step[] }).mainSteps;
      const called = new Set<string>();
      for (const step of steps) {
        if (typeof step.inputs.Api === "string") called.add(`ec2:${step.inputs.Api}`);
        const script = String(step.inputs.Script ?? "");
        // boto3 calls, ec2.describe_addresses(...) or get_paginator("describe_security_groups"), in PascalCase.
        for (const [, direct, paginated] of script.matchAll(/ec2\.([a-z_]+)\(|get_paginator\("([a-z_]+)"\)/g)) {
          const method = paginated ?? direct;
          if (method && method !== "get_paginator") called.add(pascal(method));
        }
      }
      expect([...called].sort()).toEqual([...binding.iamActions].sort());
    },
  );

  it("never deletes a default group, and re-checks the address before releasing it", () => {
    const sg = AUTOMATION_DOCUMENT_CONTENT["sg-attached-to-eni"] as { mainSteps: Step[] };
    expect(sg.mainSteps.map((step) => step.name)).toEqual(["CheckUnused", "DeleteSecurityGroup"]);
    expect(String(sg.mainSteps[0]?.inputs.Script)).toContain('== "default"');
    const eip = AUTOMATION_DOCUMENT_CONTENT["eip-attached"] as { mainSteps: Step[] };
    expect(eip.mainSteps.map((step) => step.name)).toEqual(["CheckUnassociated", "ReleaseAddress"]);
    const imds = AUTOMATION_DOCUMENT_CONTENT["imdsv2-required"] as { mainSteps: Step[] };
    expect(imds.mainSteps[1]?.inputs).toMatchObject({
      Api: "ModifyInstanceMetadataOptions",
      HttpTokens: "required",
      HttpEndpoint: "{{ DescribeMetadataOptions.HttpEndpoint }}",
      HttpPutResponseHopLimit: "{{ DescribeMetadataOptions.HopLimit }}",
    });
  });
});

describe("RemediationConfiguration resources", () => {
  const build = (settings?: unknown) =>
    remediationCloudFormation({
      settings: parseRemediationSettings(settings),
      assumeRoleArn: { "Fn::GetAtt": ["RemediationRole", "Arn"] },
      configRuleName: (ruleId) => ({ Ref: `${ruleId}-rule` }),
      configRuleLogicalId: (ruleId) => `${ruleId}-rule`,
    }) as Record<string, { Type: string; DependsOn?: string[]; Properties: Record<string, unknown> }>;

  it("are manual by default, one per automatic rule, each tied to its document and rule", () => {
    const resources = build();
    const remediations = Object.entries(resources).filter(([, resource]) => resource.Type === "AWS::Config::RemediationConfiguration");
    expect(remediations).toHaveLength(AUTOMATION_DOCUMENTS.length);
    for (const [, resource] of remediations) {
      expect(resource.Properties.Automatic).toBe(false);
      expect(resource.Properties).not.toHaveProperty("MaximumAutomaticAttempts");
      expect(resource.Properties.TargetType).toBe("SSM_DOCUMENT");
    }
    expect(resources.Imdsv2RequiredRemediation).toMatchObject({
      DependsOn: ["imdsv2-required-rule"],
      Properties: {
        ConfigRuleName: { Ref: "imdsv2-required-rule" },
        TargetId: { Ref: "Imdsv2RequiredRemediationDocument" },
        ResourceType: "AWS::EC2::Instance",
        Parameters: {
          InstanceId: { ResourceValue: { Value: "RESOURCE_ID" } },
          AutomationAssumeRole: { StaticValue: { Values: [{ "Fn::GetAtt": ["RemediationRole", "Arn"] }] } },
        },
      },
    });
    expect(resources.Imdsv2RequiredRemediationDocument?.Properties).toMatchObject({
      DocumentType: "Automation",
      Name: "Ec2ConfigRules-EnforceImdsV2",
    });
  });

  it("are automatic in Config only in config-automatic mode, with attempts, retry window and execution controls", () => {
    const resources = build({
      "sg-attached-to-eni": {
        mode: "config-automatic",
        maximumAutomaticAttempts: 3,
        retryAttemptSeconds: 600,
        concurrentExecutionRatePercentage: 5,
      },
      "eip-attached": { mode: "automatic", allowRelease: true },
    });
    expect(resources.SgAttachedToEniRemediation?.Properties).toMatchObject({
      Automatic: true,
      MaximumAutomaticAttempts: 3,
      RetryAttemptSeconds: 600,
      ExecutionControls: { SsmControls: { ConcurrentExecutionRatePercentage: 5, ErrorPercentage: 50 } },
    });
    // The Lambda starts these (within its cap): Config must not start them a second time.
    expect(resources.EipAttachedRemediation?.Properties.Automatic).toBe(false);
  });

  it("never release addresses automatically unless allowRelease says so, and pass the grace period to the document", () => {
    for (const mode of ["automatic", "config-automatic"]) {
      expect(() => parseRemediationSettings({ "eip-attached": { mode } }, "stage.json: remediation")).toThrow(
        `stage.json: remediation: field eip-attached.mode: "${mode}" would release Elastic IPs without a person, and a released address cannot reliably be got back; set eip-attached.allowRelease: true to allow it`,
      );
    }
    expect(() => parseRemediationSettings({ "imdsv2-required": { allowRelease: true } })).toThrow(
      /field imdsv2-required\.allowRelease: only eip-attached releases addresses/,
    );
    expect(() => parseRemediationSettings({ "eip-attached": { releaseAfterDays: -1 } })).toThrow(/releaseAfterDays/);
    expect(build().EipAttachedRemediation?.Properties).toMatchObject({
      Automatic: false,
      Parameters: { ReleaseAfterDays: { StaticValue: { Values: ["7"] } } },
    });
    const allowed = build({ "eip-attached": { mode: "config-automatic", allowRelease: true, releaseAfterDays: 30 } });
    expect(allowed.EipAttachedRemediation?.Properties).toMatchObject({
      Automatic: true,
      Parameters: { ReleaseAfterDays: { StaticValue: { Values: ["30"] } } },
    });
  });

  it("rejects bad settings naming the field", () => {
    expect(() => parseRemediationSettings({ "imdsv2-required": { mode: "sometimes" } })).toThrow(/field imdsv2-required\.mode/);
    expect(() => parseRemediationSettings({ "placement-group-limits": { mode: "automatic" } })).toThrow(
      /field placement-group-limits: no automatic fix/,
    );
    expect(() => parseRemediationSettings({ "imdsv2-required": { maximumAutomaticAttempts: 26 } })).toThrow(/maximumAutomaticAttempts/);
  });
});

describe("automatic mode", () => {
  const evaluation = (id: string, complianceType: Evaluation["complianceType"]): Evaluation => ({
    ruleId: "imdsv2-required",
    resourceType: "AWS::EC2::Instance",
    resourceId: id,
    region: "eu-west-1",
    accountId: "111122223333",
    complianceType,
    annotation: "HttpTokens is optional",
  });

  it("starts one automation per resource within the cap, with an idempotency token per run", async () => {
    const result = await startAutomations({
      ssm: new SSMClient({}),
      ruleId: "imdsv2-required",
      resourceIds: ["i-1", "i-2"],
      assumeRoleArn: ROLE,
      runKey: "token-1",
    });
    expect(result).toEqual({
      started: [
        { resourceId: "i-1", executionId: "exec-i-1" },
        { resourceId: "i-2", executionId: "exec-i-2" },
      ],
    });
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: "Ec2ConfigRules-EnforceImdsV2",
      Parameters: { InstanceId: ["i-1"], AutomationAssumeRole: [ROLE] },
      ClientToken: idempotencyToken("imdsv2-required|i-1|token-1"),
    });
    expect(idempotencyToken("a")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idempotencyToken("a")).not.toBe(idempotencyToken("b"));
  });

  it("starts none above the cap, and says why", async () => {
    const result = await startAutomations({
      ssm: new SSMClient({}),
      ruleId: "imdsv2-required",
      resourceIds: ["i-1", "i-2", "i-3"],
      assumeRoleArn: ROLE,
      cap: 2,
      runKey: "t",
    });
    expect(result.started).toEqual([]);
    expect(result.note).toBe("Automatic remediation not started: 3 newly non-compliant resources, above the cap of 2 per run.");
    expect(ssm).not.toHaveReceivedCommand(StartAutomationExecutionCommand);
  });

  it("after a rule run, remediates only the newly non-compliant (never exempted or still-failing ones) and tells the digest", async () => {
    const settings = remediationFromEnv("imdsv2-required", {
      REMEDIATION_MODE: "automatic",
      REMEDIATION_CAP: "5",
      REMEDIATION_ROLE_ARN: ROLE,
    });
    expect(settings?.settings).toMatchObject({ mode: "automatic", cap: 5 });
    const result = await followUpRuleRun({
      sns: new SNSClient({}),
      ssm: new SSMClient({}),
      topicArn: "arn:aws:sns:eu-west-1:111122223333:alerts",
      rule: { id: "imdsv2-required", severity: "high" },
      accountId: "111122223333",
      region: "eu-west-1",
      evaluations: [evaluation("i-new", "NON_COMPLIANT"), evaluation("i-old", "NON_COMPLIANT"), evaluation("i-exempt", "NOT_APPLICABLE")],
      previous: new Map([
        ["AWS::EC2::Instance|i-old", { resourceType: "AWS::EC2::Instance", resourceId: "i-old", complianceType: "NON_COMPLIANT" }],
      ]),
      remediation: settings,
      runKey: "token-1",
    });
    expect(result.automations.started).toEqual(["i-new"]);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? "{}");
    expect(message.default).toContain("Automatic remediation started for i-new.");
  });

  it("eip-attached: refuses automatic release without allowRelease, and starts it only for addresses Config has held non-compliant for releaseAfterDays", async () => {
    expect(() => remediationFromEnv("eip-attached", { REMEDIATION_MODE: "automatic", REMEDIATION_ROLE_ARN: ROLE })).toThrow(/allowRelease/);
    const settings = remediationFromEnv("eip-attached", {
      REMEDIATION_MODE: "automatic",
      REMEDIATION_ALLOW_RELEASE: "true",
      REMEDIATION_RELEASE_AFTER_DAYS: "7",
      REMEDIATION_ROLE_ARN: ROLE,
    });
    const eip = (id: string): Evaluation => ({
      ruleId: "eip-attached",
      resourceType: "AWS::EC2::EIP",
      resourceId: id,
      region: "eu-west-1",
      accountId: "111122223333",
      complianceType: "NON_COMPLIANT",
      annotation: "EIP is not associated",
    });
    const stored = (id: string, recordedAt: string) =>
      [
        `AWS::EC2::EIP|${id}`,
        { resourceType: "AWS::EC2::EIP", resourceId: id, complianceType: "NON_COMPLIANT", recordedAt: new Date(recordedAt) },
      ] as const;
    const result = await followUpRuleRun({
      sns: new SNSClient({}),
      ssm: new SSMClient({}),
      topicArn: "arn:aws:sns:eu-west-1:111122223333:alerts",
      rule: { id: "eip-attached", severity: "low" },
      accountId: "111122223333",
      region: "eu-west-1",
      // eipalloc-new was associated at Config's last result (just disassociated, e.g. by ec2-no-public-ip); -recent is unassociated for 2 days only.
      evaluations: [eip("eipalloc-new"), eip("eipalloc-recent"), eip("eipalloc-old")],
      previous: new Map([stored("eipalloc-recent", "2026-11-29T00:00:00Z"), stored("eipalloc-old", "2026-11-01T00:00:00Z")]),
      now: new Date("2026-12-01T00:00:00Z"),
      remediation: settings,
      runKey: "token-9",
    });
    expect(result.automations.started).toEqual(["eipalloc-old"]);
    expect(ssm).toHaveReceivedCommandTimes(StartAutomationExecutionCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(StartAutomationExecutionCommand, {
      DocumentName: "Ec2ConfigRules-ReleaseElasticIp",
      Parameters: {
        AllocationId: ["eipalloc-old"],
        AutomationAssumeRole: [ROLE],
        UnassociatedSince: ["2026-11-01T00:00:00.000Z"],
        ReleaseAfterDays: ["7"],
      },
    });
    const message = JSON.parse(sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? "{}");
    expect(message.default).toContain("Not released (yet): eipalloc-new, eipalloc-recent");
  });

  it("starts nothing in manual mode", async () => {
    expect(remediationFromEnv("imdsv2-required", {})).toBeUndefined();
    const result = await followUpRuleRun({
      sns: new SNSClient({}),
      ssm: new SSMClient({}),
      topicArn: "arn:aws:sns:eu-west-1:111122223333:alerts",
      rule: { id: "imdsv2-required", severity: "high" },
      accountId: "111122223333",
      region: "eu-west-1",
      evaluations: [evaluation("i-new", "NON_COMPLIANT")],
      previous: new Map(),
      remediation: remediationFromEnv("imdsv2-required", { REMEDIATION_MODE: "manual" }),
      runKey: "t",
    });
    expect(result.automations.started).toEqual([]);
    expect(ssm).not.toHaveReceivedCommand(StartAutomationExecutionCommand);
  });
});
