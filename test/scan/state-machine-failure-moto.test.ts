import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { scanKeys } from "../../lib/scan/keys";
import { ACCOUNT, BUCKET, functionArns, historyOf, machine, motoApi, REGION, useScanStateMachine, waitForExecution } from "./sfn-moto";

const { motoIt } = useScanStateMachine();

describe("the scan's state machine executed by moto, failing", () => {
  motoIt(
    "a failing Distributed Map (here its ItemReader reads a manifest that is not a JSON array) goes to the failure report, then fails the execution loudly",
    async () => {
      const scanId = "2026-12-01T06-00-00-000Z";
      const plan = { scanId, bucket: BUCKET, manifestKey: scanKeys(scanId).manifest, items: 4, accounts: 2 };
      await new S3Client({ region: REGION }).send(
        new PutObjectCommand({ Bucket: BUCKET, Key: plan.manifestKey, Body: '{"not": "an array"}' }),
      );
      await motoApi("/moto-api/static/lambda-simple/response", {
        results: [JSON.stringify(plan), JSON.stringify({ failedItems: 0 })],
        region: REGION,
        account_id: ACCOUNT,
      });
      const sfn = new SFNClient({ region: REGION });
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine.arn, name: scanId, input: "{}" }));
      const execution = await waitForExecution(sfn, executionArn as string);
      expect({ status: execution.status, error: execution.error }).toEqual({ status: "FAILED", error: "OrganizationScanFailed" });
      const events = await historyOf(sfn, executionArn as string);
      const entered = events.filter((event) => event.type?.endsWith("StateEntered")).map((event) => event.stateEnteredEventDetails?.name);
      expect(entered).toEqual(["ListItems", "ScanItems", "ReportFailedItems", "ScanFailed"]);
      // The failure report gets the scan id and the map's error; the merge never runs.
      const report = events.filter((event) => event.type === "TaskScheduled").at(-1);
      expect(JSON.parse(report?.taskScheduledEventDetails?.parameters as string)).toMatchObject({
        FunctionName: functionArns["scan-merge"],
        Payload: { scanId, failed: true, error: { Error: expect.any(String) } },
      });
    },
    60_000,
  );
});
