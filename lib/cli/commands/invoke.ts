import { Logger } from "@aws-lambda-powertools/logger";
import { type Command, Option } from "commander";
import { findRule, RULES } from "../../../rules";
import { describeAlerts } from "../../alerts/outbox";
import { countByCompliance } from "../../engine/counts";
import { InputError } from "../../errors";
import { readJsonFile } from "../../io/read-json-file";
import { createRuleHandler } from "../../lambda/handler";
import { localContext } from "../../lambda/local-context";
import { formatEvaluations } from "../format";

/** Exit code when the invocation itself failed (an AWS call, PutEvaluations): nothing is reported as a verdict. */
export const EXIT_INVOCATION_FAILED = 3;

export function ruleById(id: string) {
  const rule = findRule(id);
  if (!rule) {
    throw new InputError(`unknown rule id "${id}" (known: ${RULES.map((known) => known.meta.id).join(", ")})`, { field: "<rule>" });
  }
  return rule;
}

export function registerInvokeCommand(program: Command): void {
  program
    .command("invoke")
    .description(
      "Run a rule's real Lambda handler with an AWS Config event file, against whatever AWS endpoint the environment names " +
        "(AWS_REGION, AWS_ENDPOINT_URL, credentials), and print the evaluations it posted. Use a TESTMODE result token to store nothing. " +
        `Exit 0: nothing non-compliant; 1: something is; 2: usage or input error; ${EXIT_INVOCATION_FAILED}: the invocation failed.`,
    )
    .argument("<rule>", "rule id")
    .requiredOption("-e, --event <file>", "the Config event (JSON), e.g. from `ec2-config-rules event`")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"))
    .action(async (ruleId: string, options: { event: string; format: "table" | "json" }) => {
      const rule = ruleById(ruleId);
      const event = await readJsonFile(options.event);
      // The structured logs are the Lambda's; here they would mix with the output, so only POWERTOOLS_LOG_LEVEL turns them on.
      const logger = new Logger({
        serviceName: "ec2-config-rules",
        logLevel: (process.env.POWERTOOLS_LOG_LEVEL as "INFO" | undefined) ?? "SILENT",
        persistentKeys: { rule: rule.meta.id },
      });
      let result: Awaited<ReturnType<ReturnType<typeof createRuleHandler>>>;
      try {
        result = await createRuleHandler(rule, { logger })(event, localContext(`ec2-config-rules-${rule.meta.id}`));
      } catch (error) {
        if (error instanceof InputError) throw error.inFile(options.event);
        if ((error as Error).name === "RuleParameterError") throw error;
        process.stderr.write(`ec2-config-rules: invocation failed: ${(error as Error).message}\n`);
        process.exitCode = EXIT_INVOCATION_FAILED;
        return;
      }
      process.stdout.write(formatEvaluations(result.evaluations, options.format, { color: process.stdout.isTTY }));
      const calls = Object.entries(result.apiCalls)
        .map(([operation, count]) => `${operation}×${count}`)
        .join(", ");
      process.stderr.write(
        `${result.messageType} in ${result.accountId}/${result.region}: posted ${result.evaluations.length} evaluation(s) in ${result.putEvaluationsCalls} PutEvaluations call(s)` +
          `${result.testMode ? " (TestMode: nothing stored)" : ""}; stale results: ${result.staleResults}; API calls: ${calls || "none"}\n`,
      );
      if (result.alerts) process.stderr.write(`${describeAlerts(result.alerts)}\n`);
      process.exitCode = countByCompliance(result.evaluations).NON_COMPLIANT > 0 ? 1 : 0;
    });
}
