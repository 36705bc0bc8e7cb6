import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { renderJson } from "../../lib/reports/json";
import { buildReport, reportRuleOf } from "../../lib/reports/model";
import { writeReport } from "../../lib/reports/scheduled";
import { RULES } from "../../rules";
import { SYNTHETIC_SCOPES, syntheticEvaluations } from "../../scripts/synthetic-findings";

const s3 = mockClient(S3Client);

afterEach(() => s3.reset());

test("a JSON report larger than a part is uploaded in parts as it renders, and the parts join to the report", async () => {
  // 30k findings: about 14 MB of JSON, two 8 MiB parts.
  const report = buildReport({
    evaluations: syntheticEvaluations(30_000),
    rules: RULES.map(reportRuleOf),
    scopes: SYNTHETIC_SCOPES,
    tool: { name: "ec2-config-rules", version: "test" },
    now: () => new Date("2026-11-02T06:00:00Z"),
  });
  s3.on(PutObjectCommand).resolves({});
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: "u-1" });
  s3.on(UploadPartCommand).callsFake((input: { PartNumber: number }) => ({ ETag: `"e${input.PartNumber}"` }));
  s3.on(CompleteMultipartUploadCommand).resolves({});

  const written = await writeReport(new S3Client({ region: "eu-west-1" }), "reports-bucket", report, 3600);

  const parts = s3.commandCalls(UploadPartCommand).map((call) => call.args[0].input);
  expect(parts.length).toBeGreaterThanOrEqual(2);
  expect(parts.every((part) => part.Key === written.jsonKey && part.UploadId === "u-1")).toBe(true);
  const uploaded = Buffer.concat(
    [...parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0)).map((part) => Buffer.from(part.Body as Uint8Array)),
  );
  expect(uploaded.toString("utf8")).toBe(renderJson(report));
  expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(1);
  // The HTML, first, in one PUT; the JSON never in one.
  expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([written.htmlKey]);
});
