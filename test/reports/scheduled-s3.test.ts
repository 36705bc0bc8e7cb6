import { Readable } from "node:stream";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { renderJson } from "../../lib/reports/json";
import type { Finding } from "../../lib/reports/model";
import { readPreviousReport, writeReport } from "../../lib/reports/scheduled";
import { syntheticReport } from "../../scripts/synthetic-findings";

const s3 = mockClient(S3Client);
const TOOL = { name: "ec2-config-rules", version: "test" };

afterEach(() => s3.reset());

test("a JSON report larger than a part is uploaded in parts as it renders, and the parts join to the report", async () => {
  // 30k findings: about 14 MB of JSON, two 8 MiB parts.
  const report = syntheticReport(30_000, TOOL);
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

describe("the previous report is streamed from its object", () => {
  const report = syntheticReport(500, TOOL);
  /** The object's body in 1000-byte pieces, as S3 sends a large one. */
  const bodyOf = (text: string) => {
    const bytes = Buffer.from(text);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, index) => bytes.subarray(index * 1000, (index + 1) * 1000));
    return Readable.from(pieces);
  };
  const read = async (text: string) => {
    s3.on(GetObjectCommand).resolves({ Body: bodyOf(text) } as never);
    const findings: Finding[] = [];
    const heading = await readPreviousReport(new S3Client({ region: "eu-west-1" }), "reports-bucket", "reports/previous.json", (finding) =>
      findings.push(finding),
    );
    return { ...heading, findings };
  };

  test("read back whole", async () => {
    expect(await read(renderJson(report))).toEqual(JSON.parse(renderJson(report)));
  });

  test("a bad finding or bad JSON is named with the object's URI", async () => {
    const bad = JSON.parse(renderJson(report));
    bad.findings[321].complianceType = "MAYBE";
    await expect(read(JSON.stringify(bad))).rejects.toThrow(
      /^s3:\/\/reports-bucket\/reports\/previous\.json: field findings\[321\]\.complianceType: not a report of this tool/,
    );
    await expect(read(renderJson(report).slice(0, 5000))).rejects.toThrow(
      /^s3:\/\/reports-bucket\/reports\/previous\.json: .*cannot read the previous report: truncated JSON/,
    );
  });
});
