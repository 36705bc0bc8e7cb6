import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { type AlertsReport, alertsAroundPut, type BeforePut } from "./around-put";
import { ApiCallCounter } from "../aws/clients";
import type { AnyRule } from "../engine/rule";
import { countByCompliance } from "../engine/counts";
import { type EventRunResult, type RunEventOptions, runConfigEvent } from "./run-event";
import { type SecurityHubStep, securityHubAroundPut } from "../securityhub/sink";

export interface RuleHandlerOptions extends Omit<RunEventOptions, "counter"> {
  logger?: Logger;
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
 * module and engine as the CLI. Logs one structured JSON line per invocation (rule, message
 * type, resources evaluated, counts by compliance, what was and was not announced, API calls,
 * duration); never the event, the
 * result token or credentials. Any failure is logged and rethrown, so the invocation fails and
 * Config records the error instead of a verdict.
 */
export function createRuleHandler(rule: AnyRule, options: RuleHandlerOptions = {}) {
  const logger =
    options.logger ?? new Logger({ serviceName: "ec2-config-rules", persistentKeys: { rule: rule.meta.id } });

  const evaluate = async (event: unknown, _context: Context): Promise<EventRunResult> => {
    const started = performance.now();
    const counter = new ApiCallCounter();
    const messageType = messageTypeOf(event);
    try {
      const result = await runConfigEvent(rule, event, { beforePut: withSecurityHub(alertsAroundPut(rule, logger), securityHubAroundPut(rule, logger)), ...options, counter });
      const stale = typeof result.staleResults === "number" ? result.staleResults : 0;
      const verdicts = result.evaluations.slice(0, result.evaluations.length - stale);
      logger.info("evaluations posted", {
        messageType,
        region: result.region,
        resource: result.subject,
        resourcesEvaluated: verdicts.length,
        compliance: countByCompliance(verdicts),
        staleResults: result.staleResults,
        putEvaluationsCalls: result.putEvaluationsCalls,
        testMode: result.testMode,
        ...(result.alerts ? { alerts: alertsSummary(result.alerts) } : {}),
        apiCalls: result.apiCalls,
        apiCallsTotal: counter.total(),
        durationMs: Math.round(performance.now() - started),
      });
      return result;
    } catch (error) {
      logger.error("invocation failed", {
        messageType,
        error: error as Error,
        apiCalls: counter.snapshot(),
        apiCallsTotal: counter.total(),
        durationMs: Math.round(performance.now() - started),
      });
      throw error;
    }
  };

  return middy(evaluate).use(injectLambdaContext(logger));
}
