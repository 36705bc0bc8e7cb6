import { EC2_OPERATIONS, type Ec2Operation } from "../model/kinds";
import type { Origin } from "../model/types";
import type { ConfigItemShape } from "./config-items";

/** PascalCase EC2 item → the camelCase `configuration` AWS Config records for it. */
export function toConfigShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toConfigShape);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key.charAt(0).toLowerCase() + key.slice(1), toConfigShape(inner)]),
  );
}

/** Config's resource schema (awslabs/aws-config-resource-schema) lists some enums as `{ value }`, e.g. `state.value`; exercise that path. */
function wrapEnums(configuration: Record<string, unknown>): Record<string, unknown> {
  const wrapped = { ...configuration };
  if (typeof wrapped.state === "string") wrapped.state = { value: wrapped.state };
  return wrapped;
}

function tagMap(item: Record<string, unknown>): Record<string, string> {
  const tags = (item.Tags ?? item.TagSet ?? []) as { Key: string; Value: string }[];
  return Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
}

/**
 * Builds the configuration items AWS Config would hold for one EC2 API item (a reservation
 * gives one item per instance), in the notification or the GetResourceConfigHistory API shape.
 */
export function ec2ItemToConfigItem(
  operation: Ec2Operation,
  item: unknown,
  origin: Origin,
  shape: ConfigItemShape,
  status = "OK",
  captureTime = "2026-11-20T10:00:00.000Z",
): Record<string, unknown>[] {
  const { recordedByConfig, configType: resourceType, idFields, arnResource } = EC2_OPERATIONS[operation];
  if (!recordedByConfig) throw new Error(`AWS Config does not record the items of ${operation}`);
  const ec2Items =
    operation === "DescribeInstances"
      ? ((item as { Instances?: Record<string, unknown>[] }).Instances ?? [])
      : [item as Record<string, unknown>];
  return ec2Items.map((ec2Item) => {
    const resourceId = String(idFields.map((field) => ec2Item[field]).find((id) => id !== undefined && id !== null));
    const configuration = toConfigShape(ec2Item) as Record<string, unknown>;
    const arn = `arn:aws:ec2:${origin.region}:${origin.accountId}:${arnResource}/${resourceId}`;
    const common = {
      configurationItemCaptureTime: shape === "api" ? new Date(captureTime) : captureTime,
      configurationItemStatus: status,
      configurationStateId: shape === "api" ? String(Date.parse(captureTime)) : Date.parse(captureTime),
      resourceType,
      resourceId,
      resourceName: null,
      awsRegion: origin.region,
      availabilityZone: "Not Applicable",
      tags: tagMap(ec2Item),
      relatedEvents: [],
    };
    if (shape === "notification") {
      return {
        ...common,
        configurationItemVersion: "1.3",
        awsAccountId: origin.accountId,
        ARN: arn,
        configurationStateMd5Hash: "",
        relationships: [],
        configuration,
        supplementaryConfiguration: {},
      };
    }
    return {
      ...common,
      version: "1.3",
      accountId: origin.accountId,
      arn,
      configurationItemMD5Hash: "",
      relationships: [],
      configuration: JSON.stringify(wrapEnums(configuration)),
      supplementaryConfiguration: {},
    };
  });
}
