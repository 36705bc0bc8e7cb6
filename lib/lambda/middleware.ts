import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { ApiCallCounter } from "../aws/clients";

/** The Lambda context, with the invocation's API-call counter: every client of the invocation counts into it. */
export interface InvocationContext extends Context {
  apiCalls: ApiCallCounter;
}

export interface InvocationLog<Event, Result> {
  /** The message of the success line, e.g. "evaluations posted". */
  success: string;
  /** The message of the failure line, e.g. "invocation failed". */
  failure: string;
  /** What the success line says of the result (never the event, tokens or links). */
  summary: (result: Result) => Record<string, unknown>;
  /** What the failure line says of the event. */
  describe?: (event: Event) => Record<string, unknown>;
}

/**
 * Every handler's logging and timing, as one middy middleware after Powertools' context
 * injection: one structured line per invocation with the API calls made (by service and
 * operation) and the duration; on failure the error, logged, then rethrown so that the
 * invocation fails.
 */
export function loggedHandler<Event, Result>(
  logger: Logger,
  log: InvocationLog<Event, Result>,
  handler: (event: Event, context: InvocationContext) => Promise<Result>,
) {
  const startedAt = new WeakMap<Context, number>();
  const timing = (context: Context) => {
    const counter = (context as Partial<InvocationContext>).apiCalls ?? new ApiCallCounter();
    return {
      apiCalls: counter.snapshot(),
      apiCallsTotal: counter.total(),
      durationMs: Math.round(performance.now() - (startedAt.get(context) ?? performance.now())),
    };
  };
  const invocationLog: middy.MiddlewareObj<Event, Result, Error, Context> = {
    before: (request) => {
      startedAt.set(request.context, performance.now());
      (request.context as InvocationContext).apiCalls = new ApiCallCounter();
    },
    after: (request) => {
      logger.info(log.success, { ...log.summary(request.response as Result), ...timing(request.context) });
    },
    onError: (request) => {
      logger.error(log.failure, { ...log.describe?.(request.event), error: request.error as Error, ...timing(request.context) });
    },
  };
  const withCounter = (event: Event, context: Context) => handler(event, context as InvocationContext);
  return middy<Event, Result, Error, Context>(withCounter).use(injectLambdaContext(logger)).use(invocationLog);
}
