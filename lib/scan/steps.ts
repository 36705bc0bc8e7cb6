import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { type OrganizationsClient, paginateListAccounts } from "@aws-sdk/client-organizations";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { RULES } from "../../rules";
import { publishBulletin } from "../alerts/publish";
import { assumingRole } from "../aws/assume-role";
import { AwsClients } from "../aws/clients";
import { runRules } from "../engine/run";
import { InputError } from "../errors";
import { ExemptionPolicy } from "../exemptions/exemptions";
import { recordAccount } from "../record/record";
import { writeSnapshot } from "../record/write-snapshot";
import { reportRuleOf } from "../reports/model";
import { loadSnapshots } from "../sources/load";
import { type FailedItem, failureBulletin, hasNotableScanChange, scanBulletin } from "./digest";
import { compareItems, gunzipLines, gzipLineWriter, type ScanItem, sortedFindingLines } from "./findings";
import { LATEST_KEY, MAP_RESULTS_PREFIX, scanKeys } from "./keys";
import { mergeScan, type PreviousScan, type ScanReport } from "./merge";
import type { ScanSettings } from "./settings";

/** `2026-12-01T06-00-00-000Z`: sorts by time, and is a valid S3 key part and execution name. */
export const scanIdOf = (date: Date): string => date.toISOString().replace(/[:.]/g, "-");

/** The first step's output, the state machine's input to the Distributed Map and the merge. */
export interface ScanPlan {
  scanId: string;
  bucket: string;
  manifestKey: string;
  items: number;
  accounts: number;
}

/** The organization's active accounts, minus the excluded ones, sorted. */
export async function activeAccounts(organizations: OrganizationsClient, excluded: readonly string[]): Promise<string[]> {
  const skip = new Set(excluded);
  const ids: string[] = [];
  for await (const page of paginateListAccounts({ client: organizations }, {})) {
    for (const account of page.Accounts ?? []) {
      // State replaces the deprecated Status; either says ACTIVE for an account that can be entered.
      const active = (account.State ?? account.Status) === "ACTIVE";
      if (account.Id && active && !skip.has(account.Id)) ids.push(account.Id);
    }
  }
  return ids.sort();
}

/** Step 1: (account, region) items into the S3 manifest the Distributed Map reads (a JSON array). */
export async function planScan(
  settings: ScanSettings,
  clients: { organizations: OrganizationsClient; s3: S3Client },
  now: Date = new Date(),
): Promise<ScanPlan> {
  const accounts = await activeAccounts(clients.organizations, settings.SCAN_EXCLUDED_ACCOUNTS);
  if (accounts.length === 0) throw new InputError("Organizations lists no active account to scan (all excluded or none active)");
  const items = accounts.flatMap((accountId) => settings.SCAN_REGIONS.map((region) => ({ accountId, region }))).sort(compareItems);
  const scanId = scanIdOf(now);
  const keys = scanKeys(scanId);
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: settings.SCAN_BUCKET,
      Key: keys.manifest,
      Body: JSON.stringify(items),
      ContentType: "application/json",
    }),
  );
  return { scanId, bucket: settings.SCAN_BUCKET, manifestKey: keys.manifest, items: items.length, accounts: accounts.length };
}

export interface ItemEvent extends ScanItem {
  scanId: string;
}

export interface ItemResult extends ScanItem {
  key: string;
  findings: number;
  /** Describe* calls that failed after retries: their rules are INSUFFICIENT_DATA there, never COMPLIANT. */
  recordFailures: number;
}

const ACCOUNT_ID = /^\d{12}$/;
const SCAN_ID = /^[\dT-]+Z$/;

export function parseItemEvent(event: unknown): ItemEvent {
  const value = (event ?? {}) as Record<string, unknown>;
  if (typeof value.accountId !== "string" || !ACCOUNT_ID.test(value.accountId))
    throw new InputError("expected a 12-digit accountId", { field: "accountId" });
  if (typeof value.region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value.region))
    throw new InputError("expected a region name", { field: "region" });
  if (typeof value.scanId !== "string" || !SCAN_ID.test(value.scanId))
    throw new InputError("expected the scan id of the first step", { field: "scanId" });
  return { accountId: value.accountId, region: value.region, scanId: value.scanId };
}

/**
 * Step 2, one Distributed Map item: assumes the member role in the account, records the region with
 * `record`'s code, evaluates it with every rule through runRules (the CLI's and the Lambda's path),
 * and writes the findings, sorted by key, gzipped JSON lines. Any failure fails the item.
 */
export async function scanItem(
  event: ItemEvent,
  settings: ScanSettings,
  clients: { aws: AwsClients; s3: S3Client },
  partition: string,
): Promise<ItemResult> {
  const { aws } = clients;
  const roleArn = `arn:${partition}:iam::${event.accountId}:role/${settings.SCAN_ROLE_NAME}`;
  const member = await assumingRole(aws, roleArn, `ec2-config-rules-scan-${event.scanId}`.slice(0, 64), {
    externalId: settings.SCAN_EXTERNAL_ID,
  });
  const snapshot = await recordAccount(
    {
      clientsFor: (region) => new AwsClients({ ...member.settings, region }, member.counter),
      regions: [event.region],
      concurrency: 1,
      tool: TOOL,
    },
    event.region,
  );
  if (snapshot.accountId !== event.accountId) {
    throw new Error(`the role ${roleArn} is in account ${snapshot.accountId}, not ${event.accountId}`);
  }
  const folder = await mkdtemp(path.join(tmpdir(), "scan-item-"));
  try {
    const file = path.join(folder, "snapshot.json.gz");
    await writeSnapshot(file, snapshot);
    const { model } = await loadSnapshots([file]);
    const evaluations = runRules(model, {
      rules: RULES,
      params: settings.SCAN_RULE_PARAMETERS,
      exemptions: new ExemptionPolicy({
        ruleIds: RULES.map((rule) => rule.meta.id),
        tagKey: settings.SCAN_EXEMPTION_TAG_KEY,
        maxExemptionDays: settings.SCAN_MAX_EXEMPTION_DAYS,
      }),
    });
    const lines = sortedFindingLines(evaluations);
    const key = scanKeys(event.scanId).item(event);
    const body = gzipSync(lines.length > 0 ? `${lines.join("\n")}\n` : "");
    await clients.s3.send(
      new PutObjectCommand({ Bucket: settings.SCAN_BUCKET, Key: key, Body: body, ContentType: "application/x-ndjson" }),
    );
    return {
      accountId: event.accountId,
      region: event.region,
      key,
      findings: lines.length,
      recordFailures: snapshot.failures?.length ?? 0,
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

const TOOL = { name: "ec2-config-rules", version: "0.1.0" };

async function getText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString("utf-8")) ?? "";
  } catch (error) {
    if ((error as Error).name === "NoSuchKey") return undefined;
    throw error;
  }
}

async function getStream(s3: S3Client, bucket: string, key: string): Promise<Readable> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return object.Body as Readable;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`not JSON: ${(error as Error).message}`, { file: where });
  }
}

/** The manifest the first step wrote: (account, region) items, sorted. */
export function parseManifest(content: unknown, where: string): ScanItem[] {
  if (!Array.isArray(content)) throw new InputError("expected a JSON array of {accountId, region}", { file: where });
  return content
    .map((entry, index) => {
      try {
        return parseItemEvent({ ...(entry as object), scanId: "0T0Z" });
      } catch (error) {
        throw new InputError((error as InputError).problem, { file: where, field: `[${index}].${(error as InputError).location.field}` });
      }
    })
    .map(({ accountId, region }) => ({ accountId, region }));
}

/** What `scans/latest.json` says: the last scan whose merge succeeded. */
interface LatestScan {
  scanId: string;
  generatedAt: string;
  findingsKey: string;
  reportKey: string;
  /** The baseline this scan was diffed against: a merge run again (a retry) diffs against it too. */
  previous?: Omit<LatestScan, "previous">;
}

export interface MergeEvent {
  scanId: string;
}

export interface MergeResult {
  reportKey: string;
  findingsKey: string;
  previousScanId?: string;
  report: ScanReport;
  notified: boolean;
  messageIds: string[];
}

/**
 * Step 3: every item's findings merged, streamed, into the findings file (multipart upload) and the
 * report; then `scans/latest.json` (so only a complete scan becomes the next baseline), then the
 * digest through the alerts topic.
 */
export async function mergeScanStep(
  event: MergeEvent,
  settings: ScanSettings,
  clients: { s3: S3Client; sns: SNSClient },
  now: () => Date = () => new Date(),
): Promise<MergeResult> {
  const bucket = settings.SCAN_BUCKET;
  const keys = scanKeys(event.scanId);
  const manifestText = await getText(clients.s3, bucket, keys.manifest);
  const manifestUri = `s3://${bucket}/${keys.manifest}`;
  if (manifestText === undefined) throw new InputError("no such manifest: the first step did not run for this scan", { file: manifestUri });
  const items = parseManifest(parseJson(manifestText, manifestUri), manifestUri);

  const latestText = await getText(clients.s3, bucket, LATEST_KEY);
  const latest = latestText === undefined ? undefined : (parseJson(latestText, `s3://${bucket}/${LATEST_KEY}`) as LatestScan);
  const baseline = latest?.scanId === event.scanId ? latest.previous : latest;
  let previous: PreviousScan | undefined;
  if (baseline) {
    const stream = await getStream(clients.s3, bucket, baseline.findingsKey);
    previous = { generatedAt: baseline.generatedAt, lines: gunzipLines(stream), where: `s3://${bucket}/${baseline.findingsKey}` };
  }

  const body = new PassThrough();
  const upload = new Upload({
    client: clients.s3,
    params: { Bucket: bucket, Key: keys.findings, Body: body, ContentType: "application/x-ndjson" },
    // Two 8 MiB parts in flight at most: the upload's memory is bounded too.
    queueSize: 2,
    partSize: 8 * 1024 * 1024,
  });
  const uploaded = upload.done();
  // A failed upload must fail the merge, not leave it waiting for a drain that never comes.
  uploaded.catch((error: Error) => body.destroy(error));
  const out = gzipLineWriter(body, () => uploaded);

  let report: ScanReport;
  try {
    report = await mergeScan({
      scanId: event.scanId,
      items,
      openItem: (item) => ({
        async *[Symbol.asyncIterator]() {
          yield* gunzipLines(await getStream(clients.s3, bucket, keys.item(item)));
        },
      }),
      describeItem: (item) => `s3://${bucket}/${keys.item(item)}`,
      previous,
      rules: RULES.map(reportRuleOf),
      out,
      findingsUri: `s3://${bucket}/${keys.findings}`,
      generatedAt: now().toISOString(),
      tool: TOOL,
    });
  } catch (error) {
    await upload.abort().catch(() => undefined);
    throw error;
  }
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: keys.report,
      Body: `${JSON.stringify(report, null, 2)}\n`,
      ContentType: "application/json",
    }),
  );
  const pointer: LatestScan = {
    scanId: event.scanId,
    generatedAt: report.generatedAt,
    findingsKey: keys.findings,
    reportKey: keys.report,
    ...(baseline
      ? {
          previous: {
            scanId: baseline.scanId,
            generatedAt: baseline.generatedAt,
            findingsKey: baseline.findingsKey,
            reportKey: baseline.reportKey,
          },
        }
      : {}),
  };
  await clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: LATEST_KEY, Body: JSON.stringify(pointer), ContentType: "application/json" }),
  );

  const notify = settings.REPORT_NOTIFY === "always" || hasNotableScanChange(report);
  let messageIds: string[] = [];
  if (notify && settings.ALERTS_TOPIC_ARN) {
    const link = await getSignedUrl(clients.s3, new GetObjectCommand({ Bucket: bucket, Key: keys.report }), {
      expiresIn: settings.REPORT_LINK_EXPIRY_SECONDS,
    });
    const digest = scanBulletin(report, link, settings.REPORT_LINK_EXPIRY_SECONDS, `s3://${bucket}/${keys.report}`);
    messageIds = await publishBulletin(clients.sns, settings.ALERTS_TOPIC_ARN, digest);
  }
  return {
    reportKey: keys.report,
    findingsKey: keys.findings,
    previousScanId: baseline?.scanId,
    report,
    notified: notify && messageIds.length > 0,
    messageIds,
  };
}

export interface FailureEvent {
  scanId: string;
  error?: { Error?: string; Cause?: string };
}

/** One entry of a Distributed Map result file (FAILED_n.json) of this scan: the child execution's input and error. */
function failedItemOf(entry: Record<string, unknown>, scanId: string): FailedItem | undefined {
  let input: Partial<ItemEvent> = {};
  try {
    input = JSON.parse(String(entry.Input ?? "{}"));
  } catch {
    // An unreadable input still leaves the error to list.
  }
  if (input.scanId !== undefined && input.scanId !== scanId) return undefined;
  return {
    ...(typeof input.accountId === "string" ? { accountId: input.accountId } : {}),
    ...(typeof input.region === "string" ? { region: input.region } : {}),
    error: String(entry.Error ?? "unknown error"),
    cause:
      String(entry.Cause ?? "")
        .split("\n")[0]
        ?.slice(0, 500) ?? "",
  };
}

/**
 * When the Distributed Map fails (ToleratedFailurePercentage 0: any failed item), lists every failed
 * item from its result files and announces the failure through the alerts topic. The state machine
 * then fails: no report, no new baseline.
 */
export async function reportScanFailure(
  event: FailureEvent,
  settings: ScanSettings,
  clients: { s3: S3Client; sns: SNSClient },
): Promise<FailedItem[]> {
  const bucket = settings.SCAN_BUCKET;
  const prefix = `${MAP_RESULTS_PREFIX}/`;
  const failed: FailedItem[] = [];
  let token: string | undefined;
  do {
    const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (!object.Key || !/\/FAILED_\d+\.json$/.test(object.Key)) continue;
      const text = (await getText(clients.s3, bucket, object.Key)) ?? "[]";
      const entries = parseJson(text, `s3://${bucket}/${object.Key}`);
      if (!Array.isArray(entries)) continue;
      for (const entry of entries as Record<string, unknown>[]) {
        const item = failedItemOf(entry, event.scanId);
        if (item) failed.push(item);
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  failed.sort((a, b) =>
    compareItems({ accountId: a.accountId ?? "", region: a.region ?? "" }, { accountId: b.accountId ?? "", region: b.region ?? "" }),
  );
  const error = [event.error?.Error, event.error?.Cause?.split("\n")[0]].filter(Boolean).join(": ") || "the Distributed Map failed";
  if (settings.ALERTS_TOPIC_ARN)
    await publishBulletin(clients.sns, settings.ALERTS_TOPIC_ARN, failureBulletin(event.scanId, failed, error));
  return failed;
}
