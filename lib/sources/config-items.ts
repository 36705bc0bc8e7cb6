import { InputError } from "../errors";
import { CONFIG_RECORDED_KINDS, type ConfigRecordedKind, KINDS } from "../model/kinds";
import type { Origin, ResourceRecord } from "../model/types";
import { CONFIG_RECORDED_NORMALIZERS, type FieldsRead, type ResourceNormalizer } from "./ec2-adapter";

/**
 * AWS Config configuration items come in two shapes: the notification shape (rule events, SNS,
 * snapshot and history files) and the GetResourceConfigHistory API shape (renamed keys,
 * `configuration` as a JSON string, Date timestamps). Both are read alike, and the camelCase
 * `configuration` is turned back into the PascalCase of the EC2 API so that one normalizer serves
 * both sources and their verdicts cannot drift apart.
 */
export type ConfigItemShape = "notification" | "api";

/**
 * Statuses whose item describes a live resource, as AWS's custom-rule example tests them
 * (https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules-delete.html); the others carry no configuration.
 */
export const EVALUABLE_STATUSES: ReadonlySet<string> = new Set(["OK", "ResourceDiscovered"]);

function parseJsonField(value: string, field: string): unknown {
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
function tagMap(value: unknown): Record<string, string> | undefined {
  if (!Array.isArray(value)) return value !== null && typeof value === "object" ? (value as Record<string, string>) : undefined;
  const tags: Record<string, string> = {};
  for (const tag of value as { key?: unknown; value?: unknown }[]) {
    if (typeof tag?.key === "string") tags[tag.key] = typeof tag.value === "string" ? tag.value : "";
  }
  return tags;
}

/**
 * An enum as AWS Config may write it: `{"value": …}` around a scalar, or `{"code": …, "name": …}`
 * (an instance state). Only those exact shapes: any other object is structure, not an enum.
 */
function enumValue(value: Record<string, unknown>): unknown {
  // Most objects have neither key: they are told apart without counting their keys.
  if (value.value === undefined && value.code === undefined) return undefined;
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

/** A field of a FieldsRead tree: its camelCase key in a configuration, its EC2 key, and its own fields if it is an object. */
interface ConfigField {
  readonly key: string;
  readonly ec2Key: string;
  readonly inner?: readonly ConfigField[];
}

function configFields(reads: FieldsRead): ConfigField[] {
  return Object.entries(reads).map(([ec2Key, inner]) => ({
    key: ec2Key.charAt(0).toLowerCase() + ec2Key.slice(1),
    ec2Key,
    inner: inner === true ? undefined : configFields(inner),
  }));
}

/** The normalizer of each resource type AWS Config records, with the configuration fields it reads. */
const BY_CONFIG_TYPE = new Map(
  CONFIG_RECORDED_KINDS.map((kind) => {
    const { normalize, reads } = CONFIG_RECORDED_NORMALIZERS[kind] as ResourceNormalizer<ConfigRecordedKind>;
    return [KINDS[kind].configType, { normalize, fields: configFields(reads) }] as const;
  }),
);

/**
 * camelCase configuration → PascalCase EC2 API shape, of exactly the fields the normalizer reads:
 * the rest of a configuration, often most of it, is never visited. Every enum-like value, whatever
 * its type, is reduced to its bare value (a string stays a string, a number or boolean keeps its
 * type), so the EC2 adapter reads `state: "running"`, `{"value": "running"}` and `{"code": 16,
 * "name": "running"}` alike.
 */
function toEc2Object(object: Record<string, unknown>, fields: readonly ConfigField[]): Record<string, unknown> {
  const converted: Record<string, unknown> = {};
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index] as ConfigField;
    const value = object[field.key];
    if (value !== undefined) converted[field.ec2Key] = field.inner ? toEc2Value(value, field.inner) : bareValue(value);
  }
  return converted;
}

/** An object field's value (or a list of them): what is neither an object nor an enum is left for the normalizer to refuse. */
function toEc2Value(value: unknown, fields: readonly ConfigField[]): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const converted = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) converted[index] = toEc2Value(value[index], fields);
    return converted;
  }
  const bare = enumValue(value as Record<string, unknown>);
  return bare !== undefined ? bare : toEc2Object(value as Record<string, unknown>, fields);
}

/** A value read as it is, an enum reduced to its bare value; the normalizer refuses any other object (or a list). */
function bareValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const bare = enumValue(value as Record<string, unknown>);
  return bare !== undefined ? bare : value;
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

/** A required string of the item: its error names the field, and the resource when the id is known. */
function requiredField(value: unknown, field: string, key: string, resourceId: unknown): string {
  if (typeof value === "string" && value !== "") return value;
  throw new InputError("required", { field: `${field}.${key}`, resource: typeof resourceId === "string" ? resourceId : undefined });
}

/**
 * The account and region of the item before: items come scope by scope, and records of one scope
 * then share these strings (account ids are too long for V8 to share as it parses).
 */
let lastOrigin: Origin = { accountId: "", region: "" };

function originOf(accountId: string, region: string): Origin {
  if (lastOrigin.accountId !== accountId || lastOrigin.region !== region) lastOrigin = { accountId, region };
  return lastOrigin;
}

/** Normalizes a configuration item (either shape) into model records. */
export function configItemToRecords(raw: unknown, field = ITEM_FIELD): ConfigItemRecords {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InputError("expected a configuration item object", { field });
  }
  const item = raw as Record<string, unknown>;
  const resourceId = item.resourceId;
  const status = requiredField(item.configurationItemStatus, field, "configurationItemStatus", resourceId);
  const resourceType = requiredField(item.resourceType, field, "resourceType", resourceId);
  const id = requiredField(resourceId, field, "resourceId", resourceId);
  // The API shape's name for it is accountId.
  const origin = originOf(
    requiredField(item.awsAccountId ?? item.accountId, field, "awsAccountId", resourceId),
    requiredField(item.awsRegion, field, "awsRegion", resourceId),
  );
  const { accountId, region } = origin;
  const evaluable = EVALUABLE_STATUSES.has(status);
  const captureTime = toIso(item.configurationItemCaptureTime) as string | undefined;
  const normalizer = BY_CONFIG_TYPE.get(resourceType);
  // A type Config does not record (or no kind has) has no configuration the adapter reads.
  if (!evaluable || !normalizer) return { status, resourceType, resourceId: id, accountId, region, captureTime, evaluable, records: [] };
  let configuration = item.configuration;
  if (typeof configuration === "string") configuration = parseJsonField(configuration, `${field}.configuration`);
  if (configuration === null || typeof configuration !== "object") {
    throw new InputError("required for an item with status OK", { field: `${field}.configuration`, resource: id });
  }
  if (Array.isArray(configuration))
    throw new InputError("expected an object, got an array", { field: `${field}.configuration`, resource: id });
  let record: ResourceRecord;
  try {
    record = normalizer.normalize(toEc2Object(configuration as Record<string, unknown>, normalizer.fields), origin);
  } catch (error) {
    if (error instanceof InputError) {
      const inner = error.location.field;
      throw new InputError(error.problem, {
        field: inner ? `${field}.configuration.${lowerFirstPath(inner)}` : `${field}.configuration`,
        resource: id,
      });
    }
    throw error;
  }
  // Some types' configuration omits tags that the item-level tag map still carries.
  if ("tags" in record && !hasKeys(record.tags)) {
    const itemTags = tagMap(item.tags);
    if (itemTags && hasKeys(itemTags)) {
      record.tags = { ...itemTags };
      if (record.kind !== "security-group") record.name = itemTags.Name;
    }
  }
  return { status, resourceType, resourceId: id, accountId, region, captureTime, evaluable, records: [record] };
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
