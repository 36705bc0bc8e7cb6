import { InputError } from "../errors";
import type { ResourceRecord } from "../model/types";
import { type Ec2Operation, normalizeEc2Item } from "./ec2-adapter";

/**
 * AWS Config configuration items come in two shapes (spec §1.3): the notification shape (rule
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

/** Config resource types the rules read, and the EC2 operation whose item shape they mirror. */
export const CONFIG_TYPE_OPERATIONS: Readonly<Record<string, Ec2Operation>> = {
  "AWS::EC2::Instance": "DescribeInstances",
  "AWS::EC2::EIP": "DescribeAddresses",
  "AWS::EC2::SecurityGroup": "DescribeSecurityGroups",
  "AWS::EC2::NetworkInterface": "DescribeNetworkInterfaces",
  "AWS::EC2::Subnet": "DescribeSubnets",
  "AWS::EC2::RouteTable": "DescribeRouteTables",
  "AWS::EC2::VPCEndpoint": "DescribeVpcEndpoints",
  "AWS::EC2::InternetGateway": "DescribeInternetGateways",
};

/** Statuses whose item describes a live resource (spec §1.5); the others carry no configuration. */
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

const toIso = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

/** Turns either shape of a configuration item into the notification shape. */
export function normalizeConfigurationItem(raw: unknown, field = "configurationItem"): ConfigurationItem {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InputError("expected a configuration item object", { field });
  }
  const item: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) item[API_KEY_RENAMES[key] ?? key] = value;
  for (const key of ["configurationItemCaptureTime", "resourceCreationTime"]) item[key] = toIso(item[key]);
  item.configuration = parseJsonField(item.configuration, `${field}.configuration`);
  if (item.supplementaryConfiguration && typeof item.supplementaryConfiguration === "object") {
    item.supplementaryConfiguration = Object.fromEntries(
      Object.entries(item.supplementaryConfiguration).map(([key, value]) => [
        key,
        parseJsonField(value, `${field}.supplementaryConfiguration.${key}`),
      ]),
    );
  }
  if (Array.isArray(item.relationships)) {
    item.relationships = item.relationships.map((relationship: Record<string, unknown>) => {
      const { relationshipName, ...rest } = relationship;
      return relationshipName === undefined ? relationship : { ...rest, name: relationshipName };
    });
  }
  for (const key of ["configurationItemStatus", "resourceType", "resourceId", "awsAccountId", "awsRegion"]) {
    if (typeof item[key] !== "string" || item[key] === "") {
      throw new InputError("required", { field: `${field}.${key}`, resource: typeof item.resourceId === "string" ? item.resourceId : undefined });
    }
  }
  return item as unknown as ConfigurationItem;
}

/**
 * camelCase configuration → PascalCase EC2 API shape. Config writes some enums as
 * `{ "value": "…" }`; those are unwrapped to the bare string the EC2 API returns.
 */
export function toEc2Shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toEc2Shape);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]?.[0] === "value" && typeof entries[0][1] === "string") return entries[0][1];
  const converted: Record<string, unknown> = {};
  for (const [key, inner] of entries) converted[key.charAt(0).toUpperCase() + key.slice(1)] = toEc2Shape(inner);
  return converted;
}

export interface ConfigItemRecords {
  status: string;
  resourceType: string;
  resourceId: string;
  accountId: string;
  region: string;
  captureTime?: string;
  /** Whether the item describes a live resource a rule can judge (spec §1.5). */
  evaluable: boolean;
  /** Model records (empty for deleted, unrecorded or unsupported items). */
  records: ResourceRecord[];
}

/** Normalizes a configuration item (either shape) into model records. */
export function configItemToRecords(raw: unknown, field = "configurationItem"): ConfigItemRecords {
  const item = normalizeConfigurationItem(raw, field);
  const base = {
    status: item.configurationItemStatus,
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    accountId: item.awsAccountId,
    region: item.awsRegion,
    captureTime: item.configurationItemCaptureTime,
    evaluable: EVALUABLE_STATUSES.has(item.configurationItemStatus),
  };
  const operation = CONFIG_TYPE_OPERATIONS[item.resourceType];
  if (!base.evaluable || !operation) return { ...base, records: [] };
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
  if (itemTags && Object.keys(itemTags).length > 0) {
    for (const record of records) {
      if (!("tags" in record) || Object.keys(record.tags).length > 0) continue;
      record.tags = { ...itemTags };
      if (record.kind !== "security-group") record.name = itemTags.Name;
    }
  }
  return { ...base, records };
}

/** Maps an EC2-shaped path back to the camelCase keys the user's file actually has. */
function lowerFirstPath(path: string): string {
  return path
    .split(".")
    .map((part) => part.charAt(0).toLowerCase() + part.slice(1))
    .join(".");
}
