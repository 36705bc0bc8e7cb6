import { InputError } from "../errors";
import { KINDS, kindOfConfigType } from "../model/kinds";
import type { ResourceRecord } from "../model/types";
import { EC2_KEYS_READ, normalizeEc2Item } from "./ec2-adapter";

/**
 * AWS Config configuration items come in two shapes: the notification shape (rule
 * events, SNS, snapshot and history files) and the GetResourceConfigHistory API shape (renamed
 * keys, `configuration` as a JSON string, Date timestamps). Both are normalized to the
 * notification shape, then the camelCase `configuration` is turned back into the PascalCase of
 * the EC2 API so that one normalizer serves both sources and their verdicts cannot drift apart.
 */
export type ConfigItemShape = "notification" | "api";

/** A configuration item in the notification shape, with the fields this project reads. */
export interface ConfigurationItem {
  configurationItemVersion?: string;
  configurationItemCaptureTime?: string;
  configurationItemStatus: string;
  configurationStateId?: string | number;
  awsAccountId: string;
  awsRegion: string;
  availabilityZone?: string;
  resourceType: string;
  resourceId: string;
  resourceName?: string | null;
  ARN?: string;
  resourceCreationTime?: string | null;
  tags?: Record<string, string>;
  relationships?: { resourceType?: string; resourceId?: string; resourceName?: string | null; name?: string }[];
  configuration?: unknown;
  supplementaryConfiguration?: Record<string, unknown>;
}

/**
 * Statuses whose item describes a live resource, as AWS's custom-rule example tests them
 * (https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules-delete.html); the others carry no configuration.
 */
export const EVALUABLE_STATUSES: ReadonlySet<string> = new Set(["OK", "ResourceDiscovered"]);

const API_KEY_RENAMES: Readonly<Record<string, string>> = {
  accountId: "awsAccountId",
  arn: "ARN",
  version: "configurationItemVersion",
  configurationItemMD5Hash: "configurationStateMd5Hash",
  // Typos found in old AWS samples, accepted so such files still load.
  availibilityZone: "availabilityZone",
  configurationStateID: "configurationStateId",
};

function parseJsonField(value: unknown, field: string): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new InputError(`not valid JSON (${(error as Error).message})`, { field });
  }
}

/**
 * Timestamps: SDK Date objects, ISO strings (the notification shape, AWS CLI v2), or epoch
 * seconds (the API's wire format, printed as is by AWS CLI v1), all as ISO strings.
 */
function toIso(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  return value;
}

/** Item-level tags: a map in both CI shapes, `[{key, value}]` in advanced-query results. */
function tagMap(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const tags: Record<string, string> = {};
  for (const tag of value as { key?: unknown; value?: unknown }[]) {
    if (typeof tag?.key === "string") tags[tag.key] = typeof tag.value === "string" ? tag.value : "";
  }
  return tags;
}

/** The keys (notification shape) that model records are made from: the rest is not copied for them. */
const RECORD_KEYS: ReadonlySet<string> = new Set([
  "configurationItemCaptureTime",
  "configurationItemStatus",
  "awsAccountId",
  "awsRegion",
  "resourceType",
  "resourceId",
  "tags",
  "configuration",
  "supplementaryConfiguration",
]);

const TIMESTAMP_KEYS = ["configurationItemCaptureTime", "resourceCreationTime"];
const REQUIRED_KEYS = ["configurationItemStatus", "resourceType", "resourceId", "awsAccountId", "awsRegion"];

/**
 * Turns either shape of a configuration item into the notification shape; with `only`, just
 * those keys (checked and converted the same way).
 */
export function normalizeConfigurationItem(raw: unknown, field = "configurationItem", only?: ReadonlySet<string>): ConfigurationItem {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InputError("expected a configuration item object", { field });
  }
  const item: Record<string, unknown> = {};
  const source = raw as Record<string, unknown>;
  for (const key in source) {
    const name = API_KEY_RENAMES[key] ?? key;
    if (!only || only.has(name)) item[name] = source[key];
  }
  for (const key of TIMESTAMP_KEYS) if (key in item) item[key] = toIso(item[key]);
  item.tags = tagMap(item.tags);
  if (typeof item.configuration === "string") item.configuration = parseJsonField(item.configuration, `${field}.configuration`);
  const supplementary = item.supplementaryConfiguration;
  if (supplementary && typeof supplementary === "object" && Object.values(supplementary).some((value) => typeof value === "string")) {
    item.supplementaryConfiguration = Object.fromEntries(
      Object.entries(supplementary).map(([key, value]) => [key, parseJsonField(value, `${field}.supplementaryConfiguration.${key}`)]),
    );
  }
  if (Array.isArray(item.relationships)) {
    item.relationships = item.relationships.map((relationship: Record<string, unknown>) => {
      const { relationshipName, ...rest } = relationship;
      return relationshipName === undefined ? relationship : { ...rest, name: relationshipName };
    });
  }
  for (const key of REQUIRED_KEYS) {
    if (typeof item[key] !== "string" || item[key] === "") {
      throw new InputError("required", {
        field: `${field}.${key}`,
        resource: typeof item.resourceId === "string" ? item.resourceId : undefined,
      });
    }
  }
  return item as unknown as ConfigurationItem;
}

/**
 * An enum as AWS Config may write it: `{"value": …}` around a scalar, or `{"code": …, "name": …}`
 * (an instance state). Only those exact shapes: any other object is structure, not an enum.
 */
function enumValue(value: Record<string, unknown>): unknown {
  // Counted without Object.keys: this runs on every object of every item.
  let keys = 0;
  for (const _ in value) if (++keys > 2) return undefined;
  if (keys === 1 && "value" in value) {
    const inner = value.value;
    return inner !== null && typeof inner === "object" ? undefined : inner;
  }
  if (keys === 2 && typeof value.name === "string" && (typeof value.code === "number" || typeof value.code === "string")) {
    return value.name;
  }
  return undefined;
}

/**
 * camelCase configuration → PascalCase EC2 API shape, of the keys the EC2 adapter reads unless told
 * otherwise (the rest of a configuration, often most of it, is dropped unconverted). Every enum-like field, whatever
 * its type, is reduced to its bare value (a string stays a string, a number or boolean keeps its
 * type), so the EC2 adapter reads `state: "running"`, `{"value": "running"}` and `{"code": 16,
 * "name": "running"}` alike.
 */
export function toEc2Shape(value: unknown, keys: "read" | "all" = "read"): unknown {
  if (Array.isArray(value)) return value.map((entry) => toEc2Shape(entry, keys));
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const bare = enumValue(object);
  if (bare !== undefined) return bare;
  const converted: Record<string, unknown> = {};
  for (const key in object) {
    const pascal = keys === "all" ? pascalCase(key) : keyRead(key);
    if (pascal) converted[pascal] = toEc2Shape(object[key], keys);
  }
  return converted;
}

/** Converted keys: the same few hundred keys come back in every item. Bounded, for a long-lived process. */
const KEYS_LIMIT = 1 << 14;
const pascalKeys = new Map<string, string>();
/** camelCase key → the EC2 key the adapter reads, or "" for a key it does not: one lookup per key of an item. */
const keysRead = new Map<string, string>();

function pascalCase(key: string): string {
  const known = pascalKeys.get(key);
  if (known !== undefined) return known;
  const converted = key.charAt(0).toUpperCase() + key.slice(1);
  if (pascalKeys.size >= KEYS_LIMIT) pascalKeys.clear();
  pascalKeys.set(key, converted);
  return converted;
}

function keyRead(key: string): string {
  const known = keysRead.get(key);
  if (known !== undefined) return known;
  const pascal = pascalCase(key);
  const read = EC2_KEYS_READ.has(pascal) ? pascal : "";
  if (keysRead.size >= KEYS_LIMIT) keysRead.clear();
  keysRead.set(key, read);
  return read;
}

export interface ConfigItemRecords {
  status: string;
  resourceType: string;
  resourceId: string;
  accountId: string;
  region: string;
  captureTime?: string;
  /** Whether the item describes a live resource a rule can judge (status OK or ResourceDiscovered). */
  evaluable: boolean;
  /** Model records (empty for deleted, unrecorded or unsupported items). */
  records: ResourceRecord[];
}

/** The field an item's errors are named under unless the caller says where the item is. */
export const ITEM_FIELD = "configurationItem";

/** Normalizes a configuration item (either shape) into model records. */
export function configItemToRecords(raw: unknown, field = ITEM_FIELD): ConfigItemRecords {
  const item = normalizeConfigurationItem(raw, field, RECORD_KEYS);
  const base = {
    status: item.configurationItemStatus,
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    accountId: item.awsAccountId,
    region: item.awsRegion,
    captureTime: item.configurationItemCaptureTime,
    evaluable: EVALUABLE_STATUSES.has(item.configurationItemStatus),
  };
  const kind = kindOfConfigType(item.resourceType);
  // A type Config does not record (or no kind has) has no configuration the adapter reads.
  if (!base.evaluable || !kind || !KINDS[kind].recordedByConfig) return { ...base, records: [] };
  const { operation } = KINDS[kind];
  if (item.configuration === null || typeof item.configuration !== "object") {
    throw new InputError("required for an item with status OK", { field: `${field}.configuration`, resource: item.resourceId });
  }
  const ec2Item = toEc2Shape(item.configuration) as Record<string, unknown>;
  const origin = { region: item.awsRegion, accountId: item.awsAccountId };
  const wrapped = operation === "DescribeInstances" ? { Instances: [ec2Item] } : ec2Item;
  let records: ResourceRecord[];
  try {
    records = normalizeEc2Item(operation, wrapped, origin);
  } catch (error) {
    if (error instanceof InputError) {
      const inner = error.location.field?.replace(/^Instances\[0\]\.?/, "");
      throw new InputError(error.problem, {
        field: inner ? `${field}.configuration.${lowerFirstPath(inner)}` : `${field}.configuration`,
        resource: item.resourceId,
      });
    }
    throw error;
  }
  // Some types' configuration omits tags that the item-level tag map still carries.
  const itemTags = item.tags;
  if (itemTags && hasKeys(itemTags)) {
    for (const record of records) {
      if (!("tags" in record) || hasKeys(record.tags)) continue;
      record.tags = { ...itemTags };
      if (record.kind !== "security-group") record.name = itemTags.Name;
    }
  }
  return { ...base, records };
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

/** Maps an EC2-shaped path back to the camelCase keys the user's file actually has. */
function lowerFirstPath(path: string): string {
  return path
    .split(".")
    .map((part) => part.charAt(0).toLowerCase() + part.slice(1))
    .join(".");
}
