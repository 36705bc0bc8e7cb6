import { posix } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { InputError } from "../errors";
import { renderHtml } from "./html";
import { parseReport, renderJson } from "./json";
import type { Report } from "./model";

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

export async function readPreviousReport(s3: S3Client, bucket: string, key: string): Promise<Report> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await object.Body?.transformToString("utf-8")) ?? "";
  const where = `s3://${bucket}/${key}`;
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new InputError(`not JSON: ${(error as Error).message}`, { file: where });
  }
  return parseReport(content, where);
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

/** Writes the report as HTML and JSON under its dated keys, and signs a link to the HTML. */
export async function writeReport(s3: S3Client, bucket: string, report: Report, linkExpirySeconds: number): Promise<WrittenReport> {
  const base = reportKeyBase(report.generatedAt);
  const htmlKey = `${base}.html`;
  const jsonKey = `${base}.json`;
  // HTML first: the JSON is what the next run diffs against, so it only appears once the HTML is there.
  // A page too large to list every finding names the JSON beside it.
  const html = renderHtml(report, { fullReport: posix.basename(jsonKey) });
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: htmlKey, Body: html, ContentType: "text/html; charset=utf-8" }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: jsonKey, Body: renderJson(report), ContentType: "application/json" }));
  const link = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: htmlKey }), { expiresIn: linkExpirySeconds });
  return { htmlKey, jsonKey, link };
}
