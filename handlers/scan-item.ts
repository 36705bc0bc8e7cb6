import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { ApiCallCounter, AwsClients, partitionOfArn } from "../lib/aws/clients";
import { s3Client } from "../lib/aws/s3";
import { scanSettings } from "../lib/scan/settings";
import { parseItemEvent, scanItem } from "../lib/scan/steps";

const logger = new Logger({ serviceName: "ec2-config-rules", persistentKeys: { function: "scan-item" } });

/** Organization scan, step 2 (one Distributed Map item): record and evaluate one account and region as its member role. */
async function scanItemHandler(event: unknown, context: Context) {
  const started = performance.now();
  const settings = scanSettings();
  const item = parseItemEvent(event);
  const counter = new ApiCallCounter();
  const clients = new AwsClients({ region: settings.AWS_REGION }, counter);
  try {
    const result = await scanItem(item, settings, { aws: clients, s3: s3Client(clients) }, partitionOfArn(context.invokedFunctionArn));
    logger.info("item scanned", { ...result, apiCalls: counter.snapshot(), durationMs: Math.round(performance.now() - started) });
    return result;
  } catch (error) {
    logger.error("item failed", { accountId: item.accountId, region: item.region, error: error as Error });
    throw error;
  }
}

export const handler = middy(scanItemHandler).use(injectLambdaContext(logger));
