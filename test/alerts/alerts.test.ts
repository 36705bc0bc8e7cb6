import { ConfigServiceClient, GetComplianceDetailsByConfigRuleCommand } from "@aws-sdk/client-config-service";
import { PublishCommand, type PublishCommandInput, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { alertOnRuleRun, buildDigest, SNS_MAX_MESSAGE_BYTES, splitBulletin } from "../../lib/alerts";
import { previousResultsOf } from "../../lib/config/previous-results";
import { readStoredResults } from "../../lib/config/stored-results";
import { type PreviousResult, resourceKey } from "../../lib/engine/previous";
import type { Evaluation } from "../../lib/engine/rule";
import { runRules } from "../../lib/engine/run";
import { ExemptionPolicy } from "../../lib/exemptions/exemptions";
import { ModelBuilder } from "../../lib/model/resource-model";
import type { ElasticIp } from "../../lib/model/types";
import eipAttached from "../../rules/eip-attached";
import { RULE_IDS } from "../support/rule-ids";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const TOPIC = "arn:aws:sns:eu-west-1:111122223333:alerts";
const RULE = { id: "eip-attached", severity: "low" as const };

const sns = mockClient(SNSClient);
const config = mockClient(ConfigServiceClient);

beforeEach(() => {
  sns.reset();
  config.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
});

function evaluation(resourceId: string, complianceType: Evaluation["complianceType"], annotation = "why"): Evaluation {
  return { ruleId: RULE.id, resourceType: "AWS::EC2::EIP", resourceId, region: REGION, accountId: ACCOUNT, complianceType, annotation };
}

function previous(resourceId: string, recordedAt = new Date("2026-11-20T10:00:00Z")): [string, PreviousResult] {
  const result = { resourceType: "AWS::EC2::EIP", resourceId, complianceType: "NON_COMPLIANT", recordedAt };
  return [resourceKey(result), result];
}

const published = (): PublishCommandInput[] => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);

function envelopeOf(input: PublishCommandInput): Record<string, string> {
  return JSON.parse(input.Message ?? "{}");
}

describe("what changed (the outbox's detection, no state kept between calls)", () => {
  const base = { sns: new SNSClient({}), topicArn: TOPIC, rule: RULE, accountId: ACCOUNT, region: REGION };

  it("sorts newly non-compliant and back-to-compliant, leaving unchanged and unevaluated resources out", async () => {
    const before = new Map([previous("eipalloc-stays"), previous("eipalloc-fixed"), previous("eipalloc-not-evaluated")]);
    const result = await alertOnRuleRun({
      ...base,
      evaluations: [
        evaluation("eipalloc-new", "NON_COMPLIANT"),
        evaluation("eipalloc-stays", "NON_COMPLIANT"),
        evaluation("eipalloc-fixed", "COMPLIANT"),
        evaluation("eipalloc-ok", "COMPLIANT"),
      ],
      previous: before,
    });
    expect(result.announced.map((entry) => [entry.resourceId, entry.complianceType])).toEqual([
      ["eipalloc-fixed", "COMPLIANT"],
      ["eipalloc-new", "NON_COMPLIANT"],
    ]);
    expect(result.reminded).toBe(0);
  });

  it("reminds about still-failing resources once per re-notify window, and never by default", async () => {
    const hour = 3_600_000;
    const before = new Map([
      previous("eipalloc-old", new Date("2026-11-20T09:10:00Z")),
      previous("eipalloc-recent", new Date("2026-11-20T12:05:00Z")),
    ]);
    const current = [evaluation("eipalloc-old", "NON_COMPLIANT"), evaluation("eipalloc-recent", "NON_COMPLIANT")];
    const now = new Date("2026-11-20T12:30:00Z");
    expect((await alertOnRuleRun({ ...base, evaluations: current, previous: before, now })).reminded).toBe(0);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    const reminded = await alertOnRuleRun({ ...base, evaluations: current, previous: before, now, renotifyIntervalMs: 6 * hour });
    // 09:10 lies in the 06:00-12:00 window, 12:05 in the current one.
    expect(reminded.reminded).toBe(1);
    const body = JSON.parse(envelopeOf(published()[0] as PublishCommandInput).sqs ?? "{}");
    expect(body.stillNonCompliant.map((item: { resourceId: string }) => item.resourceId)).toEqual(["eipalloc-old"]);
  });
});

describe("the rule's stored results", () => {
  const result = (id: string, complianceType: "COMPLIANT" | "NON_COMPLIANT") => ({
    ComplianceType: complianceType,
    ResultRecordedTime: new Date("2026-11-20T10:00:00Z"),
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: { ConfigRuleName: "eip-attached", ResourceType: "AWS::EC2::EIP", ResourceId: id },
    },
  });

  it("walks every page of the rule's COMPLIANT and NON_COMPLIANT results", async () => {
    config
      .on(GetComplianceDetailsByConfigRuleCommand)
      .resolvesOnce({ EvaluationResults: [result("eipalloc-1", "NON_COMPLIANT")], NextToken: "t1" })
      .resolvesOnce({ EvaluationResults: [], NextToken: "t2" })
      .resolvesOnce({ EvaluationResults: [result("eipalloc-2", "COMPLIANT")] });
    const stored = await readStoredResults(new ConfigServiceClient({}), "eip-attached");
    expect(stored.map((entry) => [entry.resourceId, entry.complianceType])).toEqual([
      ["eipalloc-1", "NON_COMPLIANT"],
      ["eipalloc-2", "COMPLIANT"],
    ]);
    expect(config).toHaveReceivedCommandTimes(GetComplianceDetailsByConfigRuleCommand, 3);
    expect(config).toHaveReceivedCommandWith(GetComplianceDetailsByConfigRuleCommand, {
      ConfigRuleName: "eip-attached",
      ComplianceTypes: ["COMPLIANT", "NON_COMPLIANT"],
      Limit: 100,
    });
  });

  it("gives the alerts only the NON_COMPLIANT ones as previous results, with the time Config recorded them", () => {
    const recordedAt = new Date("2026-11-20T10:00:00Z");
    const previous = previousResultsOf([
      { resourceType: "AWS::EC2::EIP", resourceId: "eipalloc-1", complianceType: "NON_COMPLIANT", recordedAt },
      { resourceType: "AWS::EC2::EIP", resourceId: "eipalloc-2", complianceType: "COMPLIANT", recordedAt },
    ]);
    expect([...previous.values()]).toEqual([
      { resourceType: "AWS::EC2::EIP", resourceId: "eipalloc-1", complianceType: "NON_COMPLIANT", recordedAt },
    ]);
  });
});

describe("alertOnRuleRun", () => {
  const base = { sns: new SNSClient({}), topicArn: TOPIC, rule: RULE, accountId: ACCOUNT, region: REGION };

  it("sends nothing when nothing changed", async () => {
    const result = await alertOnRuleRun({
      ...base,
      evaluations: [evaluation("eipalloc-stays", "NON_COMPLIANT"), evaluation("eipalloc-ok", "COMPLIANT")],
      previous: new Map([previous("eipalloc-stays")]),
    });
    expect(result.messageIds).toEqual([]);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it("sends one digest with both sections, a text body for people and JSON for machines, and filterable attributes", async () => {
    await alertOnRuleRun({
      ...base,
      evaluations: [
        evaluation("eipalloc-new", "NON_COMPLIANT", "EIP 1.2.3.4 is not associated"),
        evaluation("eipalloc-fixed", "COMPLIANT", "EIP is attached to instance i-1"),
      ],
      previous: new Map([previous("eipalloc-fixed")]),
      now: new Date("2026-11-21T08:00:00Z"),
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const [input] = published();
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.MessageStructure).toBe("json");
    expect(input?.Subject).toBe("[LOW] eip-attached: 1 newly non-compliant, 1 back to compliant in 111122223333 eu-west-1");
    const envelope = envelopeOf(input as PublishCommandInput);
    expect(envelope.default).toContain("Newly NON_COMPLIANT (1):\n  eipalloc-new (EIP): EIP 1.2.3.4 is not associated");
    expect(envelope.default).toContain("Back to COMPLIANT (1):\n  eipalloc-fixed (EIP): EIP is attached to instance i-1");
    for (const protocol of ["sqs", "lambda", "http", "https"]) {
      const body = JSON.parse(envelope[protocol] ?? "null");
      expect(body.newlyNonCompliant).toEqual([expect.objectContaining({ resourceId: "eipalloc-new", previousComplianceType: null })]);
      expect(body.backToCompliant).toEqual([
        expect.objectContaining({ resourceId: "eipalloc-fixed", previousComplianceType: "NON_COMPLIANT" }),
      ]);
      expect(body).toMatchObject({ ruleId: "eip-attached", accountId: ACCOUNT, region: REGION, part: 1, parts: 1 });
    }
    expect(input?.MessageAttributes).toEqual({
      kind: { DataType: "String", StringValue: "compliance-digest" },
      ruleId: { DataType: "String", StringValue: "eip-attached" },
      severity: { DataType: "String", StringValue: "low" },
      accountId: { DataType: "String", StringValue: ACCOUNT },
      region: { DataType: "String", StringValue: REGION },
      complianceType: { DataType: "String.Array", StringValue: '["NON_COMPLIANT","COMPLIANT"]' },
    });
  });

  it("never alerts on an exempted resource, whether the engine or the caller's guard exempted it", async () => {
    const exempt: ElasticIp = {
      kind: "eip",
      id: "eipalloc-exempt",
      region: REGION,
      accountId: ACCOUNT,
      allocationId: "eipalloc-exempt",
      tags: { "compliance-exempt": "eip-attached", "compliance-exempt-owner": "netops" },
    };
    const loose: ElasticIp = {
      kind: "eip",
      id: "eipalloc-loose",
      region: REGION,
      accountId: ACCOUNT,
      allocationId: "eipalloc-loose",
      tags: {},
    };
    const builder = new ModelBuilder().add(exempt).add(loose);
    builder
      .markCollected({ region: REGION, accountId: ACCOUNT }, "eip")
      .markCollected({ region: REGION, accountId: ACCOUNT }, "network-interface");
    const evaluations = runRules(builder.build(), { rules: [eipAttached], exemptions: new ExemptionPolicy({ ruleIds: RULE_IDS }) });
    expect(evaluations.find((e) => e.resourceId === "eipalloc-exempt")?.complianceType).toBe("NOT_APPLICABLE");

    await alertOnRuleRun({
      ...base,
      evaluations,
      previous: new Map([previous("eipalloc-exempt")]),
      isExempted: (e) => e.resourceId === "eipalloc-loose",
    });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);

    await alertOnRuleRun({ ...base, evaluations, previous: new Map() });
    const body = JSON.parse(envelopeOf(published()[0] as PublishCommandInput).sqs ?? "{}");
    expect(body.newlyNonCompliant.map((item: { resourceId: string }) => item.resourceId)).toEqual(["eipalloc-loose"]);
    expect(body.backToCompliant).toEqual([]);
  });

  it("sends nothing, and says so, without a topic", async () => {
    const result = await alertOnRuleRun({
      ...base,
      topicArn: undefined,
      evaluations: [evaluation("eipalloc-new", "NON_COMPLIANT")],
      previous: new Map(),
    });
    // No one to announce to: nothing is left waiting either.
    expect(result.announced.map((entry) => entry.resourceId)).toEqual(["eipalloc-new"]);
    expect(result.messageIds).toEqual([]);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it("splits a large digest into parts that each fit SNS's limits and together hold every resource once", async () => {
    const annotation = `EIP is not associated — ${"é".repeat(200)}`; // multi-byte, near Config's 256-character cap
    const evaluations = Array.from({ length: 3000 }, (_, i) =>
      evaluation(`eipalloc-${String(i).padStart(17, "0")}`, "NON_COMPLIANT", annotation),
    );
    const fixed = Array.from({ length: 400 }, (_, i) => evaluation(`eipalloc-fixed-${i}`, "COMPLIANT", annotation));
    await alertOnRuleRun({ ...base, evaluations: [...evaluations, ...fixed], previous: new Map(fixed.map((e) => previous(e.resourceId))) });

    const inputs = published();
    expect(inputs.length).toBeGreaterThan(1);
    const seen: string[] = [];
    inputs.forEach((input, index) => {
      expect(Buffer.byteLength(input.Message ?? "", "utf8")).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
      expect((input.Subject ?? "").length).toBeLessThan(100);
      expect(input.Subject).not.toMatch(/[\r\n]/);
      expect(input.Subject).toMatch(new RegExp(`\\(${index + 1}/${inputs.length}\\)$`));
      const envelope = envelopeOf(input);
      expect(envelope.default).toContain(`Part ${index + 1} of ${inputs.length}.`);
      const body = JSON.parse(envelope.sqs ?? "{}");
      expect(body).toMatchObject({ part: index + 1, parts: inputs.length, totals: { newlyNonCompliant: 3000, backToCompliant: 400 } });
      for (const item of [...body.newlyNonCompliant, ...body.backToCompliant]) seen.push(item.resourceId);
    });
    expect(seen.sort()).toEqual([...evaluations, ...fixed].map((e) => e.resourceId).sort());
  });
});

describe("splitBulletin", () => {
  const transitions = (count: number) => ({
    newlyNonCompliant: Array.from({ length: count }, (_, i) => ({
      evaluation: evaluation(`eipalloc-${i}`, "NON_COMPLIANT", "x".repeat(200)),
    })),
    backToCompliant: [],
    reminders: [],
  });
  const context = { ruleId: "eip-attached", severity: "low" as const, accountId: ACCOUNT, region: REGION, runAt: new Date(0) };

  it("keeps a digest that fits in one message whole, and splits exactly when the limit is crossed", () => {
    const digest = buildDigest(transitions(20), context);
    if (!digest) throw new Error("expected a digest");
    const whole = splitBulletin(digest);
    expect(whole).toHaveLength(1);
    const size = Buffer.byteLength(whole[0]?.Message ?? "", "utf8");
    expect(splitBulletin(digest, size + 4096 + 64)).toHaveLength(1);
    const parts = splitBulletin(digest, Math.floor(size / 2) + 512);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts) expect(Buffer.byteLength(part.Message ?? "", "utf8")).toBeLessThanOrEqual(Math.floor(size / 2) + 512);
  });

  it("returns no digest when there is no transition", () => {
    expect(buildDigest(transitions(0), context)).toBeUndefined();
  });
});
