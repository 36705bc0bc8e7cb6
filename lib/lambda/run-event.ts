import { type ConfigServiceClient, GetResourceConfigHistoryCommand, type ResourceType } from "@aws-sdk/client-config-service";
import { RULE_IDS } from "../../rules/ids";
import { ApiCallCounter, AwsClients, type ClientSettings, partitionOfArn, regionOfArn } from "../aws/clients";
import { configClient } from "../aws/config";
import { ec2Client } from "../aws/ec2";
import { collectAll, collectRelated } from "../collect/ec2-collector";
import {
  CHANGE,
  type HandlerParameters,
  type ItemHeader,
  type MessageType,
  OVERSIZED,
  type ParsedConfigEvent,
  parseConfigEvent,
  splitParameters,
} from "../config/event";
import { findStaleResults, putEvaluations, TEST_MODE_TOKEN, toConfigEvaluation } from "../config/put-evaluations";
import { readStoredResults, type StoredResult } from "../config/stored-results";
import { type AnyRule, type Evaluation, itemStatusAnnotation, parseRuleParameters } from "../engine/rule";
import { runRules } from "../engine/run";
import { InputError } from "../errors";
import { ExemptionPolicy } from "../exemptions/exemptions";
import { ModelBuilder } from "../model/resource-model";
import type { Origin, ResourceKind } from "../model/types";
import { configItemToRecords, EVALUABLE_STATUSES } from "../sources/config-items";
import type { AlertsReport, BeforePut } from "./around-put";
import type { RuleFunctionSettings } from "./settings";

/** A rule could not judge a resource for lack of data. In the Lambda that fails the invocation. */
export class MissingDataError extends Error {
  constructor(readonly evaluations: Evaluation[]) {
    const first = evaluations[0];
    super(
      `no verdict posted: ${evaluations.length} resource(s) could not be evaluated for lack of data` +
        (first ? `, e.g. ${first.resourceType} ${first.resourceId}: ${first.annotation}` : ""),
    );
    this.name = "MissingDataError";
  }
}

export interface RunEventOptions {
  /** Builds the invocation's clients; tests use it to add a fake transport. */
  clients?: (settings: ClientSettings, counter: ApiCallCounter) => AwsClients;
  /** The function's settings (createRuleHandler reads them once); only the region and organization id are used here. */
  settings?: Pick<RuleFunctionSettings, "region" | "organizationId">;
  /** Base delay before re-sending evaluations Config reported as failed. */
  putRetryDelayMs?: number;
  /** Receives a count of every AWS request made, also when the run fails. */
  counter?: ApiCallCounter;
  /** Alerting: reads previous results before PutEvaluations, announces changes after it. */
  beforePut?: BeforePut;
}

export interface EventRunResult {
  ruleId: string;
  messageType: MessageType;
  region: string;
  accountId: string;
  /** The resource of a change event. */
  subject?: { resourceType: string; resourceId: string };
  /** Everything posted, in the order posted: this run's verdicts, then stale results reset to NOT_APPLICABLE. */
  evaluations: Evaluation[];
  orderingTimestamp: string;
  testMode: boolean;
  staleResults: number | "skipped (TestMode)" | "not run (change event)";
  putEvaluationsCalls: number;
  /** What was and was not announced (absent when the run has no alerting step, as in the CLI's offline paths). */
  alerts?: AlertsReport;
  apiCalls: Record<string, number>;
}

/** Every kind a rule reads, required or optional: all of them are collected, and any failure fails the run. */
const kindsOf = (rule: AnyRule): ResourceKind[] => [...new Set([...rule.meta.requires, ...(rule.meta.optional ?? [])])];

function roleToAssume(parsed: ParsedConfigEvent, own: HandlerParameters): string {
  if (own.executionRoleName) {
    if (own.executionRoleName.startsWith("arn:")) return own.executionRoleName;
    const partition = partitionOfArn(parsed.event.configRuleArn ?? parsed.event.executionRoleArn);
    return `arn:${partition}:iam::${parsed.event.accountId}:role/${own.executionRoleName}`;
  }
  if (!parsed.event.executionRoleArn) {
    throw new InputError("required when the AssumeRoleMode rule parameter is true", { field: "executionRoleArn" });
  }
  return parsed.event.executionRoleArn;
}

function assertNoGaps(evaluations: readonly Evaluation[]): void {
  const gaps = evaluations.filter((evaluation) => evaluation.complianceType === "INSUFFICIENT_DATA");
  if (gaps.length > 0) throw new MissingDataError(gaps);
}

/**
 * Runs one rule for one AWS Config event, end to end: validates the event and parameters,
 * gathers the data (the changed item plus related resources by filter, or the whole account on a
 * schedule), runs the rule through the shared engine, and posts the verdicts with PutEvaluations.
 * Throws, having posted nothing, when any input is bad or any data could not be read.
 */
export async function runConfigEvent(rule: AnyRule, input: unknown, options: RunEventOptions = {}): Promise<EventRunResult> {
  const settings = options.settings ?? {};
  const parsed = parseConfigEvent(input);
  const { handler: own, rule: ruleParameters } = splitParameters(parsed.parameters);
  // Fails on a bad parameter before any AWS call.
  parseRuleParameters(rule, ruleParameters);

  const { invoking, event } = parsed;
  const isChange = invoking.messageType === CHANGE || invoking.messageType === OVERSIZED;
  const trigger = isChange ? "change" : "periodic";
  if (!rule.meta.triggers.includes(trigger)) {
    throw new InputError(
      `rule ${rule.meta.id} is ${rule.meta.triggers.join(" and ")}-triggered and does not accept ${invoking.messageType}`,
      { field: "invokingEvent.messageType" },
    );
  }
  const header: ItemHeader | undefined =
    invoking.messageType === CHANGE
      ? invoking.configurationItem
      : invoking.messageType === OVERSIZED
        ? invoking.configurationItemSummary
        : undefined;
  const region = header?.awsRegion || regionOfArn(event.configRuleArn) || settings.region || undefined;
  const accountId = header?.awsAccountId ?? header?.accountId ?? event.accountId;
  if (!region) throw new InputError("no region: the event names none and AWS_REGION is not set", { field: "configRuleArn" });
  const scope: Origin = { region, accountId };

  const counter = options.counter ?? new ApiCallCounter();
  const makeClients = options.clients ?? ((settings, calls) => new AwsClients(settings, calls));
  let clients = makeClients({ region }, counter);
  // The sinks (alerts, remediation, Security Hub) live in the function's own account: its credentials, the run's counter.
  const ownClients = (sinkRegion: string) => makeClients({ region: sinkRegion }, counter);
  if (settings.organizationId) {
    // Organization mode: Config in any account may invoke the function (deploy/stack.ts says why),
    // so accounts outside the organization are refused here, with the function's own credentials,
    // before any role is assumed, anything read or posted. Loaded only in this mode; the Lambda
    // bundle leaves Organizations to the runtime's SDK (serverless.yml).
    const { assertInOrganization } = await import("../config/organization-guard");
    await assertInOrganization(clients, settings.organizationId, [event.accountId, accountId]);
  }
  if (own.assumeRole) {
    // Loaded only in cross-account mode; the Lambda bundle leaves STS to the runtime's SDK (serverless.yml).
    const { assumingRole } = await import("../aws/assume-role");
    clients = await assumingRole(clients, roleToAssume(parsed, own), "configLambdaExecution");
  }
  const config = configClient(clients);
  const exemptions = new ExemptionPolicy({
    ruleIds: RULE_IDS,
    tagKey: own.exemptionTagKey,
    maxExemptionDays: own.maxExemptionDays,
  });
  const params = { [rule.meta.id]: ruleParameters };
  const testMode = event.resultToken === TEST_MODE_TOKEN;

  const notApplicable = (item: ItemHeader, why: string): Evaluation[] => [
    {
      ruleId: rule.meta.id,
      resourceType: item.resourceType,
      resourceId: item.resourceId,
      region,
      accountId,
      complianceType: "NOT_APPLICABLE",
      annotation: why,
    },
  ];

  let evaluations: Evaluation[];
  let orderingTimestamp: Date;
  let staleResults: EventRunResult["staleResults"] = "not run (change event)";
  let stored: StoredResult[] | undefined;

  if (header) {
    orderingTimestamp = new Date(header.configurationItemCaptureTime);
    if (event.eventLeftScope) {
      evaluations = notApplicable(header, "The resource left the rule's scope (eventLeftScope)");
    } else if (!rule.meta.resourceTypes.includes(header.resourceType)) {
      evaluations = notApplicable(header, `${header.resourceType} is outside this rule's scope (${rule.meta.resourceTypes.join(", ")})`);
    } else if (!EVALUABLE_STATUSES.has(header.configurationItemStatus)) {
      evaluations = notApplicable(header, itemStatusAnnotation(header.configurationItemStatus, orderingTimestamp.toISOString()));
    } else {
      const field = invoking.messageType === CHANGE ? "invokingEvent.configurationItem" : "configurationItems[0]";
      const rawItem = invoking.messageType === CHANGE ? invoking.configurationItem : await fetchItem(config, header);
      const item = configItemToRecords(rawItem, field);
      if (!item.evaluable) {
        evaluations = notApplicable(header, itemStatusAnnotation(item.status, orderingTimestamp.toISOString()));
      } else {
        const subject = item.records.find((record) => record.id === item.resourceId) ?? item.records[0];
        if (!subject) {
          throw new InputError("the configuration item holds no resource this rule can read", { field, resource: item.resourceId });
        }
        const builder = new ModelBuilder();
        const itemScope = { region: item.region, accountId: item.accountId };
        await collectRelated(kindsOf(rule), subject, { ec2: ec2Client(clients), scope: itemScope, builder });
        for (const record of item.records) builder.add(record);
        evaluations = runRules(builder.build(), { rules: [rule], params, exemptions, resourceIds: new Set([item.resourceId]) });
        if (evaluations.length === 0) {
          evaluations = notApplicable(header, `The rule gives no verdict on this ${header.resourceType}`);
        }
      }
    }
    assertNoGaps(evaluations);
  } else {
    orderingTimestamp = new Date((invoking as { notificationCreationTime: string | Date }).notificationCreationTime);
    const builder = new ModelBuilder();
    await collectAll(kindsOf(rule), { ec2: ec2Client(clients), scope, builder });
    evaluations = runRules(builder.build(), { rules: [rule], params, exemptions });
    assertNoGaps(evaluations);
    if (testMode) {
      // Nothing posted in TestMode is stored, so there is nothing of this run's to reconcile.
      staleResults = "skipped (TestMode)";
    } else {
      if (!event.configRuleName) {
        throw new InputError("required for the stale-result cleanup of a periodic run", { field: "configRuleName" });
      }
      stored = await readStoredResults(config, event.configRuleName);
      const stale = findStaleResults(stored, evaluations);
      staleResults = stale.length;
      for (const result of stale) {
        evaluations.push({
          ruleId: rule.meta.id,
          resourceType: result.resourceType,
          resourceId: result.resourceId,
          region,
          accountId,
          complianceType: "NOT_APPLICABLE",
          annotation: "The resource no longer exists: not found in this periodic evaluation",
        });
      }
    }
  }

  const toPost = evaluations.map((evaluation) => toConfigEvaluation(evaluation, orderingTimestamp));
  const changed = header ? { resourceType: header.resourceType, resourceId: header.resourceId } : undefined;
  // Before posting: a change is recorded as pending before Config holds the verdict that would hide it.
  const afterPut = await options.beforePut?.({
    config,
    configRuleName: event.configRuleName,
    region,
    accountId,
    testMode,
    resultToken: event.resultToken,
    subject: changed,
    stored,
    evaluations,
    clients: ownClients,
  });
  const putEvaluationsCalls = await putEvaluations(config, toPost, {
    resultToken: event.resultToken,
    retryDelayMs: options.putRetryDelayMs,
  });
  const alerts = typeof afterPut === "function" ? await afterPut() : afterPut;
  return {
    ruleId: rule.meta.id,
    messageType: invoking.messageType,
    region,
    accountId,
    subject: header ? { resourceType: header.resourceType, resourceId: header.resourceId } : undefined,
    evaluations,
    orderingTimestamp: orderingTimestamp.toISOString(),
    testMode,
    staleResults,
    putEvaluationsCalls,
    ...(alerts ? { alerts } : {}),
    apiCalls: counter.snapshot(),
  };
}

/** The full item behind an oversized notification: the one captured at the summary's capture time (RDK's form). */
async function fetchItem(config: ConfigServiceClient, summary: ItemHeader): Promise<unknown> {
  const response = await config.send(
    new GetResourceConfigHistoryCommand({
      resourceType: summary.resourceType as ResourceType,
      resourceId: summary.resourceId,
      laterTime: new Date(summary.configurationItemCaptureTime),
      limit: 1,
    }),
  );
  const item = response.configurationItems?.[0];
  if (!item) {
    throw new Error(
      `config:GetResourceConfigHistory returned no item for ${summary.resourceType} ${summary.resourceId} at ${new Date(summary.configurationItemCaptureTime).toISOString()}`,
    );
  }
  return item;
}
