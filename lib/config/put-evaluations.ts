import {
  type ComplianceType as ConfigComplianceType,
  type Evaluation as ConfigEvaluation,
  type ConfigServiceClient,
  PutEvaluationsCommand,
} from "@aws-sdk/client-config-service";
import type { AwsClients } from "../aws/clients";
import { clampAnnotation, type Evaluation } from "../engine/rule";
import type { StoredResult } from "./stored-results";

/** What a rule run knows just before PutEvaluations. */
export interface BeforePutContext {
  /** The client PutEvaluations uses (the assumed role's, in cross-account mode): previous results are read with it. */
  config: ConfigServiceClient;
  configRuleName?: string;
  region: string;
  accountId: string;
  testMode: boolean;
  /** Config's result token: the same on a retried invocation, so automations are not started twice. */
  resultToken: string;
  /** The resource of a change event. */
  subject?: { resourceType: string; resourceId: string };
  /** A periodic run's stored results, already read for its stale-result cleanup: the previous results come from them. */
  stored?: readonly StoredResult[];
  /** What the run is about to post. */
  evaluations: readonly Evaluation[];
  /**
   * The run's clients with the function's own credentials, in a region: the sinks' SNS, DynamoDB,
   * SQS, SSM and Security Hub calls go through them, so they are counted with the run's calls.
   */
  clients: (region: string) => AwsClients;
}

/** PutEvaluations accepts at most 100 evaluations per request. */
export const MAX_EVALUATIONS_PER_CALL = 100;
/** RDK's convention: this result token means "validate, store nothing" (TestMode). */
export const TEST_MODE_TOKEN = "TESTMODE";
/** How many times evaluations that Config reports as failed are sent again before the invocation fails. */
export const FAILED_EVALUATION_RETRIES = 3;

/** Some evaluations were still refused after the bounded retries; the invocation must fail. */
export class PutEvaluationsError extends Error {
  constructor(readonly failed: ConfigEvaluation[]) {
    const first = failed[0];
    super(
      `config:PutEvaluations refused ${failed.length} evaluation(s) after ${FAILED_EVALUATION_RETRIES} retries` +
        (first ? `, e.g. ${first.ComplianceResourceType} ${first.ComplianceResourceId}` : ""),
    );
    this.name = "PutEvaluationsError";
  }
}

/** Our evaluation as Config takes it. INSUFFICIENT_DATA is refused here: Config rejects it from custom rules. */
export function toConfigEvaluation(evaluation: Evaluation, orderingTimestamp: Date): ConfigEvaluation {
  if (evaluation.complianceType === "INSUFFICIENT_DATA") {
    throw new Error(`refusing to post INSUFFICIENT_DATA for ${evaluation.resourceType} ${evaluation.resourceId}: ${evaluation.annotation}`);
  }
  const annotation = clampAnnotation(evaluation.annotation);
  return {
    ComplianceResourceType: evaluation.resourceType,
    ComplianceResourceId: evaluation.resourceId,
    ComplianceType: evaluation.complianceType as ConfigComplianceType,
    // An empty annotation is invalid: omit the key.
    ...(annotation ? { Annotation: annotation } : {}),
    OrderingTimestamp: orderingTimestamp,
  };
}

export interface PutOptions {
  resultToken: string;
  /** Base delay before re-sending failed evaluations; doubled on each retry. */
  retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Posts evaluations in batches of 100 with the same result token. Evaluations that Config lists
 * in `FailedEvaluations` are sent again a bounded number of times; if any still fail, this
 * throws. Returns the number of requests made. Posts nothing for an empty list.
 */
export async function putEvaluations(
  config: ConfigServiceClient,
  evaluations: readonly ConfigEvaluation[],
  { resultToken, retryDelayMs = 200 }: PutOptions,
): Promise<number> {
  const TestMode = resultToken === TEST_MODE_TOKEN;
  let calls = 0;
  for (let start = 0; start < evaluations.length; start += MAX_EVALUATIONS_PER_CALL) {
    let pending = evaluations.slice(start, start + MAX_EVALUATIONS_PER_CALL);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > FAILED_EVALUATION_RETRIES) throw new PutEvaluationsError(pending);
      if (attempt > 0) await sleep(retryDelayMs * 2 ** (attempt - 1));
      const response = await config.send(new PutEvaluationsCommand({ ResultToken: resultToken, Evaluations: pending, TestMode }));
      calls++;
      pending = response.FailedEvaluations ?? [];
    }
  }
  return calls;
}

/**
 * Resources Config holds a COMPLIANT or NON_COMPLIANT result for under this rule that this run
 * did not evaluate: they no longer exist (or left the rule's reach), and are to be re-posted as
 * NOT_APPLICABLE. Matched by type and id. Periodic runs only: a change-triggered run sees one
 * resource and would wipe every other one's result.
 */
export function findStaleResults(stored: readonly StoredResult[], evaluated: readonly Evaluation[]): StoredResult[] {
  const seen = new Set(evaluated.map((evaluation) => `${evaluation.resourceType}\u0000${evaluation.resourceId}`));
  const stale: StoredResult[] = [];
  for (const result of stored) {
    const key = `${result.resourceType}\u0000${result.resourceId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    stale.push(result);
  }
  return stale;
}
