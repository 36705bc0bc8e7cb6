import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { type Command, Option } from "commander";
import { AwsClients } from "../../aws/clients";
import { ec2Client } from "../../aws/ec2";
import { stsClient } from "../../aws/sts";
import { pagesOf } from "../../collect/ec2-collector";
import { type ConfigEvent, splitParameters } from "../../config/event";
import { changeEvent, oversizedEvent, type SampleEventOptions, scheduledEvent } from "../../config/sample-events";
import { parseRuleParameters } from "../../engine/rule";
import { InputError } from "../../errors";
import { writeFileAtomic } from "../../io/atomic-write";
import { checkOutputTarget } from "../../io/output-target";
import { readJsonFile } from "../../io/read-json-file";
import {
  CONFIG_RECORDED_KINDS,
  EC2_OPERATIONS,
  type Ec2Operation,
  idFilterOf,
  isEc2Operation,
  KINDS,
  kindOfResourceId,
} from "../../model/kinds";
import { ec2ItemToConfigItem } from "../../sources/config-item-builder";
import { normalizeEc2Item } from "../../sources/ec2-adapter";
import { detectFileFormat } from "../../sources/load";
import { ruleById } from "./invoke";

type EventType = "change" | "oversized" | "scheduled";

interface EventOptions {
  type: EventType;
  snapshot?: string;
  resource?: string;
  region?: string;
  accountId?: string;
  resultToken: string;
  status: string;
  ruleParameters?: string;
  output?: string;
}

/** The kinds a change event can name whose ids tell their kind (a resource is looked up live by its id's prefix). */
const LOOKUP_KINDS = CONFIG_RECORDED_KINDS.filter((kind) => KINDS[kind].idPrefix !== undefined && KINDS[kind].idFilter !== undefined);

/** The configuration item Config would hold for an EC2 API item, picking the resource asked for. */
function itemFor(operation: Ec2Operation, raw: unknown, origin: { region: string; accountId: string }, resourceId: string, status: string) {
  const captureTime = new Date().toISOString();
  return ec2ItemToConfigItem(operation, raw, origin, "notification", status, captureTime).find((ci) => ci.resourceId === resourceId);
}

/** Finds a resource in a recorded snapshot (raw Describe* responses) or an AWS Config snapshot/history file. */
async function itemFromSnapshot(path: string, resourceId: string, status: string): Promise<Record<string, unknown>> {
  const format = await detectFileFormat(path);
  const content = (await readJsonFile(path)) as Record<string, unknown>;
  if (format === "config") {
    const items = (content.configurationItems ?? []) as Record<string, unknown>[];
    // A history file may hold several items of one resource: the newest one.
    const matches = items.filter((item) => item.resourceId === resourceId);
    const newest = matches.sort((a, b) => String(b.configurationItemCaptureTime).localeCompare(String(a.configurationItemCaptureTime)))[0];
    if (newest) return status === "OK" ? newest : { ...newest, configurationItemStatus: status, configuration: null };
  } else if (format === "recorded") {
    const accountId = String(content.accountId);
    const regions = (content.regions ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    for (const [region, responses] of Object.entries(regions)) {
      for (const [operation, response] of Object.entries(responses)) {
        if (!isEc2Operation(operation) || !EC2_OPERATIONS[operation].recordedByConfig) continue;
        const list = response?.[EC2_OPERATIONS[operation].listKey];
        if (!Array.isArray(list)) continue;
        for (const raw of list) {
          if (!normalizeEc2Item(operation, raw, { region, accountId }).some((record) => record.id === resourceId)) continue;
          const item = itemFor(operation, raw, { region, accountId }, resourceId, status);
          if (item) return item;
        }
      }
    }
  } else {
    throw new InputError("a change event needs a recorded snapshot or an AWS Config snapshot/history file", {
      file: path,
      field: "--snapshot",
    });
  }
  throw new InputError(`no resource ${resourceId} that AWS Config records in this snapshot`, { file: path, field: "--resource" });
}

/** Reads a resource live from EC2 (the environment's endpoint) and builds its configuration item. */
async function itemFromEc2(resourceId: string, region: string, accountId: string, status: string): Promise<Record<string, unknown>> {
  const kind = kindOfResourceId(resourceId, LOOKUP_KINDS);
  const filter = kind && idFilterOf(kind, resourceId);
  if (!kind || !filter) {
    throw new InputError(
      `cannot tell the resource type of "${resourceId}" (expected one of ${LOOKUP_KINDS.map((known) => `${KINDS[known].idPrefix}…`).join(", ")})`,
      { field: "--resource" },
    );
  }
  const { operation } = KINDS[kind];
  const ec2 = ec2Client(new AwsClients({ region }));
  for await (const page of pagesOf(ec2, operation, { filters: [filter] })) {
    for (const raw of ((page as Record<string, unknown>)[EC2_OPERATIONS[operation].listKey] ?? []) as unknown[]) {
      const item = itemFor(operation, raw, { region, accountId }, resourceId, status);
      if (item) return status === "OK" ? item : { ...item, configuration: null };
    }
  }
  throw new InputError(`ec2:${operation} found no ${resourceId} in ${region}`, { field: "--resource" });
}

async function callerAccount(region: string): Promise<string> {
  const { Account } = await stsClient(new AwsClients({ region })).send(new GetCallerIdentityCommand({}));
  if (!Account) throw new InputError("sts:GetCallerIdentity returned no account; give --account-id", { field: "--account-id" });
  return Account;
}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new InputError(`expected a JSON object, got ${JSON.stringify(text)}`, { field: "--rule-parameters" });
}

export async function buildSampleEvent(ruleId: string, options: EventOptions): Promise<ConfigEvent> {
  const rule = ruleById(ruleId);
  const ruleParameters = parseJsonObject(options.ruleParameters);
  // The same checks the Lambda makes, so an event it would refuse is never written.
  if (ruleParameters) parseRuleParameters(rule, splitParameters(ruleParameters).rule);
  const trigger = options.type === "scheduled" ? "periodic" : "change";
  if (!rule.meta.triggers.includes(trigger)) {
    throw new InputError(`rule ${rule.meta.id} is ${rule.meta.triggers.join(" and ")}-triggered; it takes no ${options.type} events`, {
      field: "--type",
    });
  }
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (options.type === "scheduled") {
    if (!region) throw new InputError("no region: give --region or set AWS_REGION", { field: "--region" });
    const accountId = options.accountId ?? (await callerAccount(region));
    return scheduledEvent({ ruleId, accountId, region, resultToken: options.resultToken, ruleParameters });
  }
  if (!options.resource) throw new InputError(`a ${options.type} event needs --resource <id>`, { field: "--resource" });
  let item: Record<string, unknown>;
  if (options.snapshot) {
    item = await itemFromSnapshot(options.snapshot, options.resource, options.status);
  } else {
    if (!region) throw new InputError("no region: give --region or set AWS_REGION", { field: "--region" });
    item = await itemFromEc2(options.resource, region, options.accountId ?? (await callerAccount(region)), options.status);
  }
  const sample: SampleEventOptions = {
    ruleId,
    accountId: String(item.awsAccountId),
    region: String(item.awsRegion),
    resultToken: options.resultToken,
    ruleParameters,
  };
  return options.type === "change" ? changeEvent(item, sample) : oversizedEvent(item, sample);
}

export function registerEventCommand(program: Command): void {
  program
    .command("event")
    .description(
      "Write a sample AWS Config event for a rule, to try it with `invoke` (or in the Lambda console) without deploying. " +
        "Change and oversized events carry a resource from --snapshot, or read live from EC2 when no snapshot is given.",
    )
    .argument("<rule>", "rule id")
    .addOption(new Option("-t, --type <type>", "event type").choices(["change", "oversized", "scheduled"]).makeOptionMandatory())
    .option("-s, --snapshot <path>", "recorded snapshot or AWS Config snapshot/history file holding the resource")
    .option("--resource <id>", "the resource of a change or oversized event")
    .option("--region <region>", "region of a scheduled event or a live lookup (default: AWS_REGION)")
    .option("--account-id <id>", "account id (default: the snapshot's, or sts:GetCallerIdentity)")
    .option("--status <status>", "configurationItemStatus, e.g. ResourceDeleted", "OK")
    .option("--result-token <token>", "resultToken; TESTMODE stores nothing", "TESTMODE")
    .option("--rule-parameters <json>", "the rule's InputParameters as a JSON object")
    .option("-o, --output <file>", "write the event to a file (atomically) instead of stdout")
    .action(async (ruleId: string, options: EventOptions) => {
      if (options.output) await checkOutputTarget(options.output);
      const event = await buildSampleEvent(ruleId, options);
      const text = `${JSON.stringify(event, null, 2)}\n`;
      if (options.output) await writeFileAtomic(options.output, text);
      else process.stdout.write(text);
    });
}
