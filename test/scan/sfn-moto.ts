import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { scanDefinition, substitution } from "../../deploy/scan";
import { scanKeys } from "../../lib/scan/keys";
import { useMotoServer } from "../integration/moto-server";

// The scan's state machine executed by moto (stepfunctions.execute_state_machine on). Without
// Docker, moto's Lambda returns queued stub payloads instead of running our code, which is enough
// to check the orchestration: plan → Distributed Map over the S3 manifest (ItemReader, one child
// execution per item, ResultWriter) → merge. The Lambdas themselves are tested in scan-moto.test.ts.
export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";
export const BUCKET = "scan-bucket";
export const SCAN_ID = "2026-12-01T05-00-00-000Z";
export const keys = scanKeys(SCAN_ID);
export const ITEMS = [
  { accountId: "111111111111", region: "eu-west-1" },
  { accountId: "111111111111", region: "us-east-2" },
  { accountId: "222222222222", region: "eu-west-1" },
  { accountId: "222222222222", region: "us-east-2" },
];
/** An empty zip archive (end-of-central-directory record only): moto needs code, never runs it here. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);

export async function motoApi(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${process.env.AWS_ENDPOINT_URL}${path}`, { method: "POST", body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`${path}: HTTP ${response.status}`);
}

export const functionArns: Record<string, string> = {};
/** The created state machine's ARN, once moto is up. */
export const machine = { arn: "" };

/**
 * For one test file: moto with the scan's state machine and its three (stub) functions. Only one
 * file per moto server may run a Distributed Map: after one, moto fails every StartExecution
 * ("cannot pickle '_thread.RLock' object"), so the failure case has its own file and server.
 */
export const useScanStateMachine = () =>
  useMotoServer({
    env: { AWS_REGION: REGION },
    setup: async () => {
      await motoApi("/moto-api/config", { stepfunctions: { execute_state_machine: true }, lambda: { use_docker: false } });
      const iam = new IAMClient({ region: REGION });
      const trust = (service: string) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
        });
      const lambdaRole = await iam.send(
        new CreateRoleCommand({ RoleName: "scan-lambda", AssumeRolePolicyDocument: trust("lambda.amazonaws.com") }),
      );
      const statesRole = await iam.send(
        new CreateRoleCommand({ RoleName: "scan-states", AssumeRolePolicyDocument: trust("states.amazonaws.com") }),
      );
      const lambda = new LambdaClient({ region: REGION });
      for (const step of ["scan-plan", "scan-item", "scan-merge"]) {
        const created = await lambda.send(
          new CreateFunctionCommand({
            FunctionName: step,
            Runtime: "nodejs22.x",
            Role: lambdaRole.Role?.Arn,
            Handler: `handlers/${step}.handler`,
            Code: { ZipFile: EMPTY_ZIP },
          }),
        );
        functionArns[step] = created.FunctionArn as string;
      }
      const s3 = new S3Client({ region: REGION });
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keys.manifest, Body: JSON.stringify(ITEMS) }));
      // The definition as deploy/scan.ts writes it, with the substitutions CloudFormation would make.
      const definition = JSON.stringify(scanDefinition(2))
        .replaceAll(substitution("PlanFunctionArn"), functionArns["scan-plan"] as string)
        .replaceAll(substitution("ItemFunctionArn"), functionArns["scan-item"] as string)
        .replaceAll(substitution("MergeFunctionArn"), functionArns["scan-merge"] as string)
        .replaceAll(substitution("ScanBucket"), BUCKET)
        // moto's ASL grammar takes only a decimal here (AWS takes the integer): the same 0.
        .replace('"ToleratedFailurePercentage":0,', '"ToleratedFailurePercentage":0.0,');
      expect(definition).toContain('"ToleratedFailurePercentage":0.0,');
      const created = await new SFNClient({ region: REGION }).send(
        new CreateStateMachineCommand({ name: "organization-scan", definition, roleArn: statesRole.Role?.Arn as string }),
      );
      machine.arn = created.stateMachineArn as string;
    },
  });

export async function waitForExecution(sfn: SFNClient, executionArn: string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== "RUNNING") return execution;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${executionArn} still running after 30 s`);
}

export async function historyOf(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: token }));
    events.push(...(page.events ?? []));
    token = page.nextToken;
  } while (token);
  return events;
}
