import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigServiceClient,
  type EvaluationResult,
  GetComplianceDetailsByConfigRuleCommand,
  GetComplianceDetailsByResourceCommand,
  PutEvaluationsCommand,
} from "@aws-sdk/client-config-service";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeAddressesCommand, DescribeInstancesCommand, DescribeNetworkInterfacesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient, StartAutomationExecutionCommand } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import type { AlertsOutcome } from "../../lib/alerts/outbox";
import { ALERTS_TABLE_KEYS } from "../../lib/alerts/store";
import { main } from "../../lib/cli/main";
import type { AlertsReport } from "../../lib/lambda/around-put";
import { createRuleHandler } from "../../lib/lambda/handler";
import { localContext } from "../../lib/lambda/local-context";
import eipAttached from "../../rules/eip-attached";
import imdsv2Required from "../../rules/imdsv2-required";
import { useMotoServer } from "../integration/moto-server";
import { change, configItem, instance, reservation, scheduled } from "../lambda/fixtures";

// The rule Lambda's handler, end to end, with the announced-state table and the dead-letter queue
// on a moto server this file starts (real DynamoDB conditional writes and SQS over HTTP), while
// EC2, SNS, SSM and Config are mocked: Config by a stand-in that stores what PutEvaluations posts
// and serves it back, as Config's stored results would be.

const ec2 = mockClient(EC2Client);
const config = mockClient(ConfigServiceClient);
const sns = mockClient(SNSClient);
const ssm = mockClient(SSMClient);
const TOPIC = "arn:aws:sns:eu-west-1:111122223333:alerts";
const ENV_KEYS = [
  "ALERTS_TOPIC_ARN",
  "ALERTS_TABLE",
  "ALERTS_DEAD_LETTER_QUEUE_URL",
  "ALERTS_MAX_ATTEMPTS",
  "ALERTS_RENOTIFY_MINUTES",
  "REMEDIATION_MODE",
  "REMEDIATION_ROLE_ARN",
];

const { motoIt } = useMotoServer();
let tableCount = 0;

/** A fresh table (as deploy/stack.ts builds it) and queue for one test. */
async function createTableAndQueue(): Promise<{ table: string; queueUrl: string }> {
  tableCount += 1;
  const table = `alerts-${tableCount}`;
  await new DynamoDBClient({}).send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: "PAY_PER_REQUEST",
      ...ALERTS_TABLE_KEYS,
    }),
  );
  const { QueueUrl } = await new SQSClient({}).send(new CreateQueueCommand({ QueueName: `alerts-dlq-${tableCount}` }));
  return { table, queueUrl: QueueUrl as string };
}

async function drain(queueUrl: string): Promise<Record<string, unknown>[]> {
  const sqs = new SQSClient({});
  const bodies: Record<string, unknown>[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!Messages?.length) return bodies;
    for (const message of Messages) {
      bodies.push(JSON.parse(message.Body ?? "{}"));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

/** Config's stored results: what PutEvaluations posted, by resource. */
let stored: Map<string, EvaluationResult>;
/** Resource ids in each digest SNS accepted, section by section. */
let accepted: { newlyNonCompliant: string[]; backToCompliant: string[]; stillNonCompliant: string[] }[];
let snsUp: boolean;

const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

beforeEach(() => {
  for (const mock of [ec2, config, sns, ssm]) mock.reset();
  stored = new Map();
  accepted = [];
  snsUp = true;
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
  // eipalloc-fixed was non-compliant before the first run.
  stored.set("eipalloc-fixed", result("eipalloc-fixed", "NON_COMPLIANT"));
  config.on(GetComplianceDetailsByConfigRuleCommand).callsFake((input) => ({
    EvaluationResults: [...stored.values()].filter((entry) => input.ComplianceTypes?.includes(entry.ComplianceType ?? "")),
  }));
  config.on(GetComplianceDetailsByResourceCommand).callsFake((input) => ({
    EvaluationResults: [...stored.values()].filter(
      (entry) =>
        entry.EvaluationResultIdentifier?.EvaluationResultQualifier?.ResourceId === input.ResourceId &&
        input.ComplianceTypes?.includes(entry.ComplianceType ?? ""),
    ),
  }));
  config.on(PutEvaluationsCommand).callsFake((input) => {
    for (const evaluation of input.Evaluations ?? []) {
      stored.set(
        evaluation.ComplianceResourceId as string,
        result(evaluation.ComplianceResourceId as string, evaluation.ComplianceType as string),
      );
    }
    return { FailedEvaluations: [] };
  });
  sns.on(PublishCommand).callsFake((input) => {
    if (!snsUp) throw Object.assign(new Error("Service Unavailable (fake)"), { name: "InternalErrorException", $fault: "server" });
    const body = JSON.parse(JSON.parse(input.Message).sqs);
    const ids = (key: string) => body[key].map((item: { resourceId: string }) => item.resourceId);
    accepted.push({
      newlyNonCompliant: ids("newlyNonCompliant"),
      backToCompliant: ids("backToCompliant"),
      stillNonCompliant: ids("stillNonCompliant"),
    });
    return { MessageId: `m-${accepted.length}` };
  });
  ssm.on(StartAutomationExecutionCommand).resolves({ AutomationExecutionId: "exec-1" });
});

afterEach(() => {
  jest.useRealTimers();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function result(id: string, complianceType: string): EvaluationResult {
  return {
    ComplianceType: complianceType as EvaluationResult["ComplianceType"],
    ResultRecordedTime: new Date(),
    EvaluationResultIdentifier: {
      EvaluationResultQualifier: { ConfigRuleName: "eip-attached", ResourceType: "AWS::EC2::EIP", ResourceId: id },
    },
  };
}

async function useTable(extra: Record<string, string> = {}): Promise<string> {
  const { table, queueUrl } = await createTableAndQueue();
  Object.assign(process.env, { ALERTS_TOPIC_ARN: TOPIC, ALERTS_TABLE: table, ALERTS_DEAD_LETTER_QUEUE_URL: queueUrl, ...extra });
  return queueUrl;
}

/** One periodic run with its own result token, as Config would send. */
async function run(index: number, event = scheduled("eip-attached", { resultToken: `token-${index}` })): Promise<AlertsOutcome> {
  const output = await createRuleHandler(eipAttached)(event, localContext("eip-attached"));
  const alerts = output.alerts as AlertsReport;
  if (!alerts || "skipped" in alerts) throw new Error(`no alerts outcome: ${JSON.stringify(alerts)}`);
  return alerts;
}

const times = (id: string, key: "newlyNonCompliant" | "backToCompliant" | "stillNonCompliant") =>
  accepted.flatMap((digest) => digest[key]).filter((resource) => resource === id).length;

describe("durable alerts (announced-state table and outbox on moto)", () => {
  motoIt(
    "SNS fails on 3 consecutive runs, then recovers: each change is announced exactly once, none lost, none duplicated",
    async () => {
      await useTable();
      snsUp = false;
      for (const index of [1, 2, 3]) {
        const alerts = await run(index);
        expect(alerts.announced).toEqual([]);
        expect(alerts.pending.map((entry) => [entry.resourceId, entry.attempts])).toEqual([
          ["eipalloc-fixed", index],
          ["eipalloc-new", index],
        ]);
        expect(alerts.errors.join()).toMatch(/sns:Publish: Service Unavailable/);
      }
      // By now Config stores eipalloc-new as NON_COMPLIANT and eipalloc-fixed as COMPLIANT: comparing with it would announce nothing.
      expect(stored.get("eipalloc-new")?.ComplianceType).toBe("NON_COMPLIANT");
      expect(accepted).toEqual([]);

      snsUp = true;
      const recovered = await run(4);
      expect(recovered.announced.map((entry) => [entry.resourceId, entry.complianceType, entry.attempts])).toEqual([
        ["eipalloc-fixed", "COMPLIANT", 3],
        ["eipalloc-new", "NON_COMPLIANT", 3],
      ]);
      expect(recovered.pending).toEqual([]);
      for (const index of [5, 6]) expect((await run(index)).announced).toEqual([]);

      expect(times("eipalloc-new", "newlyNonCompliant")).toBe(1);
      expect(times("eipalloc-fixed", "backToCompliant")).toBe(1);
      expect(accepted).toHaveLength(1);
    },
    60_000,
  );

  motoIt(
    "a publish that keeps failing ends in the dead-letter queue after ALERTS_MAX_ATTEMPTS runs, and the run's result says so",
    async () => {
      const queueUrl = await useTable({ ALERTS_MAX_ATTEMPTS: "3" });
      snsUp = false;
      expect((await run(1)).pending).toHaveLength(2);
      expect((await run(2)).pending).toHaveLength(2);
      const last = await run(3);
      expect(last.pending).toEqual([]);
      expect(last.deadLettered.map((entry) => [entry.resourceId, entry.attempts])).toEqual([
        ["eipalloc-fixed", 3],
        ["eipalloc-new", 3],
      ]);
      expect(last.deadLettered[0]?.error).toMatch(/sns:Publish: Service Unavailable/);
      const letters = await drain(queueUrl);
      expect(letters.map((letter) => letter.resourceId).sort()).toEqual(["eipalloc-fixed", "eipalloc-new"]);
      expect(letters[0]).toMatchObject({
        kind: "undelivered-compliance-alert",
        ruleId: "eip-attached",
        accountId: "111122223333",
        region: "eu-west-1",
        attempts: 3,
      });

      // Given up on: later runs neither retry it nor announce it as new.
      snsUp = true;
      const after = await run(4);
      expect(after.announced).toEqual([]);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 3);
      expect(await drain(queueUrl)).toEqual([]);
    },
    60_000,
  );

  motoIt(
    "a change event drains the outbox of earlier runs, and a retried invocation announces nothing twice",
    async () => {
      await useTable();
      snsUp = false;
      await run(1);
      snsUp = true;
      const item = configItem("DescribeAddresses", {
        AllocationId: "eipalloc-other",
        PublicIp: "198.51.100.9",
        Domain: "vpc",
        AssociationId: "eipassoc-9",
        InstanceId: "i-9",
        NetworkInterfaceId: "eni-9",
      });
      const event = change("eip-attached", item, { resultToken: "token-change" });
      const drained = await run(2, event);
      expect(drained.announced.map((entry) => entry.resourceId)).toEqual(["eipalloc-fixed", "eipalloc-new"]);
      // Config retries the same invocation.
      expect((await run(2, event)).announced).toEqual([]);
      expect(times("eipalloc-new", "newlyNonCompliant")).toBe(1);
    },
    60_000,
  );

  motoIt(
    "when the table cannot be written, the invocation fails having posted nothing, so the change is detected again",
    async () => {
      await useTable();
      process.env.ALERTS_TABLE = "no-such-table";
      await expect(run(1)).rejects.toThrow(/could not record this run's compliance changes in table no-such-table/);
      expect(config).not.toHaveReceivedCommand(PutEvaluationsCommand);
      expect(sns).not.toHaveReceivedCommand(PublishCommand);
    },
    60_000,
  );

  motoIt(
    "invoke prints what was and was not announced",
    async () => {
      await useTable();
      const dir = mkdtempSync(join(tmpdir(), "invoke-alerts-"));
      const file = join(dir, "event.json");
      let stderr = "";
      const out = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
      const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
        stderr += String(chunk);
        return true;
      });
      try {
        writeFileSync(file, JSON.stringify(scheduled("eip-attached", { resultToken: "token-cli-1" })));
        snsUp = false;
        expect(await main(["node", "ec2-config-rules", "invoke", "eip-attached", "--event", file])).toBe(1);
        expect(stderr).toContain(
          "alerts: announced 0; NOT announced 2, retried by the next run (eipalloc-fixed COMPLIANT after 1 failed attempt(s), eipalloc-new NON_COMPLIANT after 1 failed attempt(s)); errors: sns:Publish: Service Unavailable (fake)",
        );
        stderr = "";
        snsUp = true;
        writeFileSync(file, JSON.stringify(scheduled("eip-attached", { resultToken: "token-cli-2" })));
        await main(["node", "ec2-config-rules", "invoke", "eip-attached", "--event", file]);
        expect(stderr).toContain(
          "alerts: announced 2 (eipalloc-fixed COMPLIANT after 1 failed attempt(s), eipalloc-new NON_COMPLIANT after 1 failed attempt(s))\n",
        );
      } finally {
        out.mockRestore();
        err.mockRestore();
        process.exitCode = undefined;
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  motoIt(
    "re-notify keeps working: one reminder per interval after the announcement",
    async () => {
      await useTable({ ALERTS_RENOTIFY_MINUTES: "60" });
      const fakeClock = (iso: string) => {
        jest.useFakeTimers({
          doNotFake: [
            "setTimeout",
            "clearTimeout",
            "setInterval",
            "clearInterval",
            "setImmediate",
            "clearImmediate",
            "nextTick",
            "queueMicrotask",
            "hrtime",
            "performance",
          ],
        });
        jest.setSystemTime(new Date(iso));
      };
      fakeClock("2026-11-22T09:10:00Z");
      await run(1);
      fakeClock("2026-11-22T09:40:00Z");
      expect((await run(2)).reminded).toBe(0);
      fakeClock("2026-11-22T10:05:00Z");
      expect((await run(3)).reminded).toBe(1);
      fakeClock("2026-11-22T10:50:00Z");
      expect((await run(4)).reminded).toBe(0);
      expect(times("eipalloc-new", "newlyNonCompliant")).toBe(1);
      expect(times("eipalloc-new", "stillNonCompliant")).toBe(1);
    },
    60_000,
  );

  motoIt(
    "an automation that fails to start is retried by the next run with the same idempotency token, then announced as started",
    async () => {
      // imdsv2-required: a reversible fix, started on the change itself (eip-attached's release is judged every run instead).
      await useTable({ REMEDIATION_MODE: "automatic", REMEDIATION_ROLE_ARN: "arn:aws:iam::111122223333:role/Remediation" });
      ec2.on(DescribeInstancesCommand).resolves({ Reservations: [reservation(instance("i-new", { httpTokens: "optional" }))] });
      ssm
        .on(StartAutomationExecutionCommand)
        .rejectsOnce(Object.assign(new Error("ThrottlingException (fake)"), { name: "ThrottlingException" }))
        .resolves({ AutomationExecutionId: "exec-1" });
      const runImdsv2 = async (index: number): Promise<AlertsOutcome> => {
        const output = await createRuleHandler(imdsv2Required)(
          scheduled("imdsv2-required", { resultToken: `token-${index}` }),
          localContext("imdsv2-required"),
        );
        const alerts = output.alerts as AlertsReport;
        if (!alerts || "skipped" in alerts) throw new Error(`no alerts outcome: ${JSON.stringify(alerts)}`);
        return alerts;
      };
      const first = await runImdsv2(1);
      expect(first.automations).toEqual({ started: [], pending: ["i-new"], deadLettered: [] });
      const second = await runImdsv2(2);
      expect(second.automations).toEqual({ started: ["i-new"], pending: [], deadLettered: [] });
      const tokens = ssm.commandCalls(StartAutomationExecutionCommand).map((call) => call.args[0].input.ClientToken);
      expect(tokens).toHaveLength(2);
      expect(tokens[0]).toBe(tokens[1]);
      expect((await runImdsv2(3)).automations.started).toEqual([]);
      expect(times("i-new", "newlyNonCompliant")).toBe(1);
    },
    60_000,
  );
});
