import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { AwsClients } from "../lib/aws/clients";
import { configClient } from "../lib/aws/config";
import { organizationsClient } from "../lib/aws/organizations";
import { s3Client } from "../lib/aws/s3";
import { snsClient } from "../lib/aws/sns";
import { runScheduledReport, scheduledReportSettings } from "../lib/reports/scheduled";

const logger = new Logger({ serviceName: "ec2-config-rules", persistentKeys: { function: "scheduled-report" } });

/** The account id is the fifth field of the function's own ARN. */
const accountOf = (context: Context): string => context.invokedFunctionArn.split(":")[4] ?? "";

/** EventBridge schedule → AWS Config results → HTML + JSON in S3 → one SNS digest (when something changed, or always). Logs counts, never the link. */
async function scheduledReport(_event: unknown, context: Context) {
  const started = performance.now();
  const settings = scheduledReportSettings();
  const clients = new AwsClients({ region: settings.AWS_REGION });
  try {
    const result = await runScheduledReport(
      settings,
      {
        config: configClient(clients),
        s3: s3Client(clients),
        sns: snsClient(clients),
        ...(settings.AGGREGATOR_NAME ? { organizations: organizationsClient(clients) } : {}),
      },
      accountOf(context),
    );
    logger.info("report written", {
      htmlKey: result.htmlKey,
      jsonKey: result.jsonKey,
      previousKey: result.previousKey,
      totals: result.report.summary.totals,
      changes: result.report.diff?.counts,
      digest: result.notified ? `sent in ${result.messageIds.length} message(s)` : "not sent: nothing changed (reports.notify on-change)",
      durationMs: Math.round(performance.now() - started),
    });
    return { htmlKey: result.htmlKey, jsonKey: result.jsonKey, previousKey: result.previousKey, totals: result.report.summary.totals, notified: result.notified };
  } catch (error) {
    logger.error("report failed", { error: error as Error });
    throw error;
  }
}

export const handler = middy(scheduledReport).use(injectLambdaContext(logger));
