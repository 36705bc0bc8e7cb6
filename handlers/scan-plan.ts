import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { AwsClients } from "../lib/aws/clients";
import { organizationsClient } from "../lib/aws/organizations";
import { s3Client } from "../lib/aws/s3";
import { scanSettings } from "../lib/scan/settings";
import { planScan } from "../lib/scan/steps";

const logger = new Logger({ serviceName: "ec2-config-rules", persistentKeys: { function: "scan-plan" } });

/** Organization scan, step 1: the organization's active accounts × the stage's regions into the S3 manifest. */
async function scanPlan() {
  const settings = scanSettings();
  const clients = new AwsClients({ region: settings.AWS_REGION });
  const plan = await planScan(settings, { organizations: organizationsClient(clients), s3: s3Client(clients) });
  logger.info("manifest written", { ...plan });
  return plan;
}

export const handler = middy(scanPlan).use(injectLambdaContext(logger));
