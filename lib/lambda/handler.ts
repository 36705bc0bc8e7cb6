import { Logger } from "@aws-lambda-powertools/logger";
import { countByCompliance } from "../engine/counts";
import type { AnyRule } from "../engine/rule";
import { type SecurityHubStep, securityHubAroundPut } from "../securityhub/sink";
import { type AlertsReport, alertsAroundPut, type BeforePut } from "./around-put";
import { loggedHandler } from "./middleware";
import { type EventRunResult, type RunEventOptions, runConfigEvent } from "./run-event";
import { type RuleFunctionSettings, ruleFunctionSettings } from "./settings";

export interface RuleHandlerOptions extends Omit<RunEventOptions, "counter" | "settings"> {
  logger?: Logger;
  /** The function's environment (default process.env), read once, at the first invocation. */
  env?: NodeJS.ProcessEnv;
}

/** The message type for the logs, read without trusting the event (it may be the malformed one). */
function messageTypeOf(event: unknown): string | undefined {
  try {
    const invoking = (event as { invokingEvent?: unknown }).invokingEvent;
    const parsed = typeof invoking === "string" ? JSON.parse(invoking) : undefined;
    return typeof parsed?.messageType === "string" ? parsed.messageType : undefined;
  } catch {
    return undefined;
  }
}

/** The alerts in the invocation's log line: counts, and the resources not announced. */
function alertsSummary(report: AlertsReport) {
  if ("skipped" in report) return { skipped: report.skipped };
  return {
    announced: report.announced.length,
    reminded: report.reminded,
    notAnnounced: report.pending.map((entry) => entry.resourceId),
    deadLettered: report.deadLettered.map((entry) => entry.resourceId),
    automations: report.automations,
    errors: report.errors,
  };
}

/** Alerts, then Security Hub, around PutEvaluations: the import runs once the evaluations are posted. */
function withSecurityHub(alerts: BeforePut, securityHub: SecurityHubStep): BeforePut {
  return async (context) => {
    const importChanged = await securityHub(context);
    const afterAlerts = await alerts(context);
    if (!importChanged) return afterAlerts;
    return async () => {
      const report = typeof afterAlerts === "function" ? await afterAlerts() : afterAlerts;
      await importChanged(context.evaluations);
      return report;
    };
  };
}

/**
 * The Lambda handler of one rule: AWS Config event in, PutEvaluations out, through the same rule
 * module and engine as the CLI. Its settings are read from the environment once per cold start
 * (lib/lambda/settings.ts; a bad variable fails the invocation, named). Logs one structured JSON
 * line per invocation (rule, message type, resources evaluated, counts by compliance, what was
 * and was not announced, API calls, duration: lib/lambda/middleware.ts); never the event, the
 * result token or credentials. Any failure is logged and rethrown, so the invocation fails and
 * Config records the error instead of a verdict.
 */
export function createRuleHandler(rule: AnyRule, options: RuleHandlerOptions = {}) {
  const { logger: given, env, ...runOptions } = options;
  const logger = given ?? new Logger({ serviceName: "ec2-config-rules", persistentKeys: { rule: rule.meta.id } });
  let settings: RuleFunctionSettings | undefined;

  return loggedHandler<unknown, EventRunResult>(
    logger,
    {
      success: "evaluations posted",
      failure: "invocation failed",
      summary: (result) => {
        const stale = typeof result.staleResults === "number" ? result.staleResults : 0;
        const verdicts = result.evaluations.slice(0, result.evaluations.length - stale);
        return {
          messageType: result.messageType,
          region: result.region,
          resource: result.subject,
          resourcesEvaluated: verdicts.length,
          compliance: countByCompliance(verdicts),
          staleResults: result.staleResults,
          putEvaluationsCalls: result.putEvaluationsCalls,
          testMode: result.testMode,
          ...(result.alerts ? { alerts: alertsSummary(result.alerts) } : {}),
        };
      },
      describe: (event) => ({ messageType: messageTypeOf(event) }),
    },
    async (event, context) => {
      settings ??= ruleFunctionSettings(rule, env ?? process.env);
      const beforePut = withSecurityHub(
        alertsAroundPut(rule, logger, settings),
        securityHubAroundPut(rule, logger, settings.securityHubEnabled),
      );
      return runConfigEvent(rule, event, { beforePut, ...runOptions, settings, counter: context.apiCalls });
    },
  );
}
