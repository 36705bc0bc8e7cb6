import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { MAP_RESULTS_PREFIX } from "../../lib/scan/keys";
import {
  ACCOUNT,
  BUCKET,
  functionArns,
  historyOf,
  ITEMS,
  keys,
  machine,
  motoApi,
  REGION,
  SCAN_ID,
  useScanStateMachine,
  waitForExecution,
} from "./sfn-moto";

const { motoIt } = useScanStateMachine();

describe("the scan's state machine executed by moto", () => {
  motoIt(
    "plan, then the Distributed Map reads every item of the S3 manifest and writes its results, then the merge",
    async () => {
      const plan = { scanId: SCAN_ID, bucket: BUCKET, manifestKey: keys.manifest, items: ITEMS.length, accounts: 2 };
      const merged = { reportKey: keys.report, findingsKey: keys.findings, notified: true };
      // Stub payloads in invocation order: the plan's, one per item, the merge's.
      const results = [plan, ...ITEMS.map((item) => ({ ...item, key: keys.item(item), findings: 1, recordFailures: 0 })), merged].map(
        (result) => JSON.stringify(result),
      );
      await motoApi("/moto-api/static/lambda-simple/response", { results, region: REGION, account_id: ACCOUNT });

      const sfn = new SFNClient({ region: REGION });
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine.arn, name: SCAN_ID, input: "{}" }));
      const execution = await waitForExecution(sfn, executionArn as string);
      expect({ status: execution.status, error: execution.error, cause: execution.cause }).toEqual({
        status: "SUCCEEDED",
        error: undefined,
        cause: undefined,
      });
      // The merge's output is the execution's: it ran last, after exactly one item invocation per manifest entry
      // (the stubs are consumed in order, so one item more or less would shift the merge's payload).
      expect(JSON.parse(execution.output as string)).toEqual(merged);

      const events = await historyOf(sfn, executionArn as string);
      const entered = events.filter((event) => event.type?.endsWith("StateEntered")).map((event) => event.stateEnteredEventDetails?.name);
      expect(entered.filter((name) => name !== "ScanItem")).toEqual(["ListItems", "ScanItems", "MergeFindings"]);
      expect(events.some((event) => event.type === "MapRunStarted")).toBe(true);
      expect(events.some((event) => event.type === "MapRunFailed")).toBe(false);
      // The merge got the scan id of the plan.
      const mergeScheduled = events.filter((event) => event.type === "TaskScheduled").at(-1);
      expect(JSON.parse(mergeScheduled?.taskScheduledEventDetails?.parameters as string)).toMatchObject({
        FunctionName: functionArns["scan-merge"],
        Payload: { scanId: SCAN_ID },
      });

      // ResultWriter: the map run's manifest under the scan's results prefix.
      const s3 = new S3Client({ region: REGION });
      const listing = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${MAP_RESULTS_PREFIX}/` }));
      const manifestKey = (listing.Contents ?? []).map((object) => object.Key as string).find((key) => key.endsWith("/manifest.json"));
      expect(manifestKey).toBeDefined();
      const resultManifest = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: manifestKey }));
      expect(JSON.parse(await (resultManifest.Body as { transformToString(): Promise<string> }).transformToString())).toMatchObject({
        DestinationBucket: BUCKET,
      });
    },
    60_000,
  );
});
