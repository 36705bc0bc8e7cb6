import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { AwsClients } from "../lib/aws/clients";
import { s3Client } from "../lib/aws/s3";
import { snsClient } from "../lib/aws/sns";
import { InputError } from "../lib/errors";
import { scanSettings } from "../lib/scan/settings";
import { type FailureEvent, mergeScanStep, reportScanFailure } from "../lib/scan/steps";

const logger = new Logger({ serviceName: "ec2-config-rules", persistentKeys: { function: "scan-merge" } });

/**
 * Organization scan, step 3: merges the items' findings into the report and sends the digest; or,
 * called by the Distributed Map's Catch (`failed: true`), lists the failed items and announces the failure.
 */
async function scanMerge(event: unknown) {
  const started = performance.now();
  const settings = scanSettings();
  const input = (event ?? {}) as FailureEvent & { failed?: boolean };
  if (typeof input.scanId !== "string" || input.scanId.length === 0)
    throw new InputError("expected the scan id of the first step", { field: "scanId" });
  const clients = new AwsClients({ region: settings.AWS_REGION });
  const aws = { s3: s3Client(clients), sns: snsClient(clients) };
  if (input.failed) {
    const failed = await reportScanFailure(input, settings, aws);
    logger.error("scan failed", { scanId: input.scanId, failedItems: failed.length, failed: failed.slice(0, 50) });
    return { scanId: input.scanId, failedItems: failed.length };
  }
  const result = await mergeScanStep({ scanId: input.scanId }, settings, aws);
  logger.info("report written", {
    reportKey: result.reportKey,
    findingsKey: result.findingsKey,
    previousScanId: result.previousScanId,
    totals: result.report.summary.totals,
    changes: result.report.diff?.counts,
    digest: result.notified ? `sent in ${result.messageIds.length} message(s)` : "not sent",
    durationMs: Math.round(performance.now() - started),
  });
  return { reportKey: result.reportKey, findingsKey: result.findingsKey, totals: result.report.summary.totals, notified: result.notified };
}

export const handler = middy(scanMerge).use(injectLambdaContext(logger));
