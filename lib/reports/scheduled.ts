import { posix } from "node:path";
import { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { InputError } from "../errors";
import { inBatches } from "../io/text-chunks";
import { renderHtml } from "./html";
import { jsonReportChunks, type ReportHeading, streamReportOf } from "./json";
import type { Finding, Report } from "./model";

/** The scheduled report's bucket: dated HTML and JSON reports, the newest JSON being the next run's baseline. */
export const REPORTS_PREFIX = "reports/";

/** The newest JSON report in the bucket (keys are dated, so the greatest key is the latest). */
export async function latestReportKey(s3: S3Client, bucket: string): Promise<string | undefined> {
  let latest: string | undefined;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: REPORTS_PREFIX, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key?.endsWith(".json") && (latest === undefined || object.Key > latest)) latest = object.Key;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return latest;
}

/**
 * The previous report, streamed from its object (in Node the body is a Readable): it may be larger
 * than one string. Its findings go to `take` one by one and are not kept (see {@link streamReport}).
 */
export async function readPreviousReport(
  s3: S3Client,
  bucket: string,
  key: string,
  take: (finding: Finding) => void,
): Promise<ReportHeading> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const where = `s3://${bucket}/${key}`;
  const body = object.Body as AsyncIterable<Uint8Array> | undefined;
  if (!body) throw new InputError("cannot read the previous report: the object has no body", { file: where });
  return streamReportOf(body, where, take);
}

/** `reports/2026/11/23/compliance-2026-11-23T06-00-00-000Z`: sorts by time, one folder per day. */
export function reportKeyBase(generatedAt: string): string {
  const [year, month, day] = generatedAt.slice(0, 10).split("-");
  return `${REPORTS_PREFIX}${year}/${month}/${day}/compliance-${generatedAt.replace(/[:.]/g, "-")}`;
}

/** Whether the report's diff holds a change worth a digest under `reports.notify: on-change`; the first report always is one. */
export function hasNotableChange(report: Report): boolean {
  const diff = report.diff;
  return !diff || diff.counts.new + diff.counts.resolved + diff.counts.unverified > 0;
}

export interface WrittenReport {
  htmlKey: string;
  jsonKey: string;
  /** A pre-signed GET of the HTML, valid for the given time. */
  link: string;
}

/**
 * Uploads text as it is rendered: in one PUT when it is small, in parts otherwise, so a JSON report
 * of a million findings is never one string. At most two 8 MiB parts are in memory at a time.
 */
async function uploadAsRendered(s3: S3Client, params: { Bucket: string; Key: string; ContentType: string }, chunks: Iterable<string>) {
  await new Upload({
    client: s3,
    params: { ...params, Body: Readable.from(inBatches(chunks)) },
    queueSize: 2,
    partSize: 8 * 1024 * 1024,
  }).done();
}

/** Writes the report as HTML and JSON under its dated keys, and signs a link to the HTML. */
export async function writeReport(s3: S3Client, bucket: string, report: Report, linkExpirySeconds: number): Promise<WrittenReport> {
  const base = reportKeyBase(report.generatedAt);
  const htmlKey = `${base}.html`;
  const jsonKey = `${base}.json`;
  // HTML first: the JSON is what the next run diffs against, so it only appears once the HTML is there.
  // A page too large to list every finding names the JSON beside it.
  const html = renderHtml(report, { fullReport: posix.basename(jsonKey) });
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: htmlKey, Body: html, ContentType: "text/html; charset=utf-8" }));
  await uploadAsRendered(s3, { Bucket: bucket, Key: jsonKey, ContentType: "application/json" }, jsonReportChunks(report));
  const link = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: htmlKey }), { expiresIn: linkExpirySeconds });
  return { htmlKey, jsonKey, link };
}
