import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { AwsClients } from "../lib/aws/clients";
import { configClient } from "../lib/aws/config";
import { s3Client } from "../lib/aws/s3";
import { snsClient } from "../lib/aws/sns";
import { loggedHandler } from "../lib/lambda/middleware";
import { runScheduledReport, type ScheduledReportSettings, scheduledReportSettings } from "../lib/lambda/scheduled-report";
import { RULES } from "../rules";

const logger = new Logger({ serviceName: "ec2-config-rules", persistentKeys: { function: "scheduled-report" } });
/** Read once per cold start, at the first invocation (a bad variable fails it, named). */
let settings: ScheduledReportSettings | undefined;

/** The account id is the fifth field of the function's own ARN. */
const accountOf = (context: Context): string => context.invokedFunctionArn.split(":")[4] ?? "";

/** EventBridge schedule → AWS Config results → HTML + JSON in S3 → one SNS digest (when something changed, or always). Logs counts, never the link. */
export const handler = loggedHandler(
  logger,
  {
    success: "report written",
    failure: "report failed",
    summary: (result: {
      htmlKey: string;
      jsonKey: string;
      previousKey?: string;
      totals: unknown;
      changes: unknown;
      notified: boolean;
      digest: string;
    }) => result,
  },
  async (_event: unknown, context) => {
    settings ??= scheduledReportSettings();
    const clients = new AwsClients({ region: settings.AWS_REGION }, context.apiCalls);
    const result = await runScheduledReport(
      settings,
      {
        config: configClient(clients),
        s3: s3Client(clients),
        sns: snsClient(clients),
        // Organization mode only; loaded here so that other deployments never load the runtime's Organizations client.
        ...(settings.AGGREGATOR_NAME ? { organizations: (await import("../lib/aws/organizations")).organizationsClient(clients) } : {}),
      },
      accountOf(context),
      RULES,
    );
    return {
      htmlKey: result.htmlKey,
      jsonKey: result.jsonKey,
      previousKey: result.previousKey,
      totals: result.report.summary.totals,
      changes: result.report.diff?.counts,
      notified: result.notified,
      digest: result.notified ? `sent in ${result.messageIds.length} message(s)` : "not sent: nothing changed (reports.notify on-change)",
    };
  },
);
