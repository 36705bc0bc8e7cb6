import { InputError } from "../errors";
import type { ModelBuilder } from "../model/resource-model";
import type { Origin, ResourceKind, ResourceRecord } from "../model/types";
import { CONFIG_TYPE_OPERATIONS, configItemToRecords } from "./config-items";
import { EC2_OPERATIONS } from "./ec2-adapter";
import { describeValue, readJsonStream, type ValueMode } from "./json-stream";

/**
 * AWS Config snapshot and history files (spec §2.10): `{fileVersion, configSnapshotId?,
 * configurationItems[]}`, plain or gzip. Many files are merged: each resource keeps its latest
 * configuration item by capture time, whatever the file order.
 */

/** Kinds AWS Config records, from the resource types the Config-item adapter reads. */
const RECORDED_KINDS = new Map<string, ResourceKind>(
  Object.entries(CONFIG_TYPE_OPERATIONS).map(([type, operation]) => [type, EC2_OPERATIONS[operation].kind]),
);

/** Kinds never found in Config files, and how to call them in the gap's reason. */
const UNRECORDED_KINDS: ReadonlyMap<ResourceKind, string> = new Map<ResourceKind, string>([
  ["placement-group", "placement groups"],
  ["instance-type", "instance types"],
  ["prefix-list", "prefix lists"],
]);

/** Statuses that say the resource type is not recorded: they prove nothing about coverage. */
const NOT_RECORDED_STATUSES = new Set(["ResourceNotRecorded", "ResourceDeletedNotRecorded"]);
const DELETED_STATUSES = new Set(["ResourceDeleted", "ResourceDeletedNotRecorded"]);

interface LatestItem {
  time: number;
  kind: ResourceKind;
  resourceId: string;
  region: string;
  deleted: boolean;
  records: ResourceRecord[];
}

export interface ConfigFileSummary {
  path: string;
  accountIds: string[];
  regions: string[];
  /** The latest capture time of the file's items. */
  capturedAt?: string;
  /** Resource types in the file that no rule reads, with their item counts ("AWS::EC2::Volume (2 items)"). */
  otherTypes: string[];
}

const scopeKey = (scope: Origin): string => `${scope.accountId}/${scope.region}`;

/**
 * Reads every file, then applies the merged result to the builder: live resources added,
 * deleted ones removed, and coverage per account and region.
 */
export async function loadConfigFiles(files: readonly string[], builder: ModelBuilder): Promise<ConfigFileSummary[]> {
  const latest = new Map<string, LatestItem>();
  const scopes = new Map<string, Origin>();
  const recordedIn = new Map<string, Set<ResourceKind>>();
  const summaries: ConfigFileSummary[] = [];

  for (const file of files) {
    const accountIds = new Set<string>();
    const regions = new Set<string>();
    let latestTime = Number.NEGATIVE_INFINITY;
    let latestTimeText: string | undefined;
    let itemsSeen = false;
    const otherTypes = new Map<string, number>();

    await readJsonStream(file, {
      modeOf(path): ValueMode {
        if (path[0] !== "configurationItems") return "skip";
        itemsSeen = true;
        return "records";
      },
      onValue(path, value) {
        throw new InputError(`expected an array, got ${describeValue(value)}`, { field: path.join(".") });
      },
      onRecord(_path, index, raw) {
        const field = `configurationItems[${index}]`;
        const type = (raw as { resourceType?: unknown } | null)?.resourceType;
        if (typeof type === "string" && !RECORDED_KINDS.has(type)) {
          otherTypes.set(type, (otherTypes.get(type) ?? 0) + 1); // other services' resources
          return;
        }
        const item = configItemToRecords(raw, field);
        const kind = RECORDED_KINDS.get(item.resourceType) as ResourceKind;
        const scope = { accountId: item.accountId, region: item.region };
        const key = scopeKey(scope);
        scopes.set(key, scope);
        accountIds.add(item.accountId);
        regions.add(item.region);
        if (item.status === "ResourceNotRecorded") return;
        if (!NOT_RECORDED_STATUSES.has(item.status)) {
          const kinds = recordedIn.get(key) ?? new Set<ResourceKind>();
          recordedIn.set(key, kinds);
          kinds.add(kind);
        }
        const time = item.captureTime === undefined ? Number.NEGATIVE_INFINITY : Date.parse(item.captureTime);
        if (Number.isNaN(time)) {
          throw new InputError(`not a date: ${JSON.stringify(item.captureTime)}`, {
            field: `${field}.configurationItemCaptureTime`,
            resource: item.resourceId,
          });
        }
        if (time > latestTime) {
          latestTime = time;
          latestTimeText = item.captureTime;
        }
        const resourceKey = `${item.resourceType}/${key}/${item.resourceId}`;
        const previous = latest.get(resourceKey);
        if (previous && previous.time > time) return;
        latest.set(resourceKey, {
          time,
          kind,
          resourceId: item.resourceId,
          region: item.region,
          deleted: DELETED_STATUSES.has(item.status),
          records: item.records,
        });
      },
    });
    if (!itemsSeen) throw new InputError("required", { file, field: "configurationItems" });
    summaries.push({
      path: file,
      accountIds: [...accountIds].sort(),
      regions: [...regions].sort(),
      capturedAt: latestTimeText,
      otherTypes: [...otherTypes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, count]) => `${type} (${count} item${count === 1 ? "" : "s"})`),
    });
  }

  for (const item of latest.values()) {
    if (item.deleted) builder.remove(item.kind, item.resourceId, item.region);
    else for (const record of item.records) builder.add(record);
  }
  for (const [key, scope] of scopes) {
    const kinds = recordedIn.get(key);
    for (const [type, kind] of RECORDED_KINDS) {
      if (kinds?.has(kind)) builder.markCollected(scope, kind);
      else builder.markGap(scope, kind, `no ${type} items in the AWS Config files: not recorded, or none exist`);
    }
    for (const [kind, name] of UNRECORDED_KINDS) {
      builder.markGap(scope, kind, `AWS Config does not record ${name}; give a recorded snapshot alongside`);
    }
  }
  return summaries;
}
