import { basename } from "node:path";
import { InputError } from "../errors";
import { CONFIG_RECORDED_KINDS, KINDS, RESOURCE_KINDS } from "../model/kinds";
import type { ModelBuilder } from "../model/resource-model";
import { DELETED_ITEM_STATUSES, type Origin, type ResourceKind } from "../model/types";
import { type ConfigItemRecords, configItemToRecords, ITEM_FIELD } from "./config-items";
import type { RecorderStatement } from "./config-recorders";
import { describeValue, readJsonStream, type ValueMode } from "./json-stream";

/**
 * Files of AWS Config items, told apart by their item list and read the same way:
 * - snapshot and history files delivered to S3 (Config's delivery channel) and `aws configservice
 *   get-resource-config-history` output: `configurationItems[]`;
 * - `batch-get-resource-config`: `baseConfigurationItems[]` (`BaseConfigurationItems[]` from
 *   batch-get-aggregate-resource-config), with the keys it could not process;
 * - `select-resource-config` / `select-aggregate-resource-config`: `Results[]`, one JSON string
 *   per item, spanning any number of accounts and regions.
 * Items come in either shape (notification or API; see config-items.ts). Many files are merged: each resource keeps its
 * latest item by capture time, whatever the file order. A page token left in a file (a
 * `--max-items` or `--no-paginate` run) makes what it lists a gap, never a complete listing.
 */

/** Kinds AWS Config records, by resource type. */
const RECORDED_KINDS = new Map<string, ResourceKind>(CONFIG_RECORDED_KINDS.map((kind) => [KINDS[kind].configType, kind]));

/** Kinds never found in Config files. */
const UNRECORDED_KINDS: readonly ResourceKind[] = RESOURCE_KINDS.filter((kind) => !KINDS[kind].recordedByConfig);

/** Statuses that say the resource type is not recorded: they prove nothing about coverage. */
const NOT_RECORDED_STATUSES = new Set(["ResourceNotRecorded", "ResourceDeletedNotRecorded"]);

/** The top-level lists of items, by the command that writes each. */
const ITEM_LISTS: Readonly<Record<string, string>> = {
  configurationItems: "get-resource-config-history",
  baseConfigurationItems: "batch-get-resource-config",
  BaseConfigurationItems: "batch-get-aggregate-resource-config",
  Results: "select-resource-config",
};
const PAGE_TOKENS = new Set(["nextToken", "NextToken"]);
const UNPROCESSED_LISTS = new Set(["unprocessedResourceKeys", "UnprocessedResourceIdentifiers"]);

/** What advanced queries must select for items the rules can judge (README gives the query). */
const SELECT_HINT = "select it: SELECT *, configurationItemStatus, configuration, tags WHERE resourceType IN (…) (see README)";

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

/** Why a kind is a gap in a scope, per scope: the first reason found is kept. */
type Reasons = Map<string, Map<ResourceKind, string>>;

function addReason(reasons: Reasons, scope: Origin, kind: ResourceKind, reason: string): void {
  const byKind = reasons.get(scopeKey(scope)) ?? new Map<ResourceKind, string>();
  reasons.set(scopeKey(scope), byKind);
  if (!byKind.has(kind)) byKind.set(kind, reason);
}

/** An account and region of a file being read: the file's kinds there, and the reading's recorded kinds there. */
interface FileScope {
  scope: Origin;
  kinds: Set<ResourceKind>;
  recorded: Set<ResourceKind>;
}

/** An error of an item read as "configurationItem", placed at the item's path in the file (`configurationItems[12].resourceId`). */
function atItem(error: unknown, path: string): unknown {
  if (!(error instanceof InputError)) return error;
  const field = error.location.field;
  if (field === undefined || !field.startsWith(ITEM_FIELD)) return error;
  return new InputError(error.problem, { ...error.location, field: path + field.slice(ITEM_FIELD.length) });
}

/** One file's items, by account and region. */
interface FileReading {
  listKey?: string;
  /** Whether the file looks like advanced-query output (it has its QueryInfo or NextToken). */
  query: boolean;
  snapshot: boolean;
  pageToken?: string;
  unprocessed?: unknown;
  scopes: Map<string, Origin>;
  kinds: Map<string, Set<ResourceKind>>;
}

/**
 * Reads every file into the builder: live resources added and deleted ones removed (and kept as
 * deletions) as they are read, the builder keeping the latest item of each by capture time, so
 * that no file's items are held until all are read; and coverage per account and region. A recorder
 * statement (describe-configuration-recorders) turns a recorded type with no items in a
 * snapshot into "none exist" rather than a gap.
 */
export async function loadConfigFiles(
  files: readonly string[],
  builder: ModelBuilder,
  recorders: readonly RecorderStatement[] = [],
): Promise<ConfigFileSummary[]> {
  const scopes = new Map<string, Origin>();
  const recordedIn = new Map<string, Set<ResourceKind>>();
  const snapshotScopes = new Set<string>();
  const incomplete: Reasons = new Map();
  /** Unprocessed keys of files that name no account or region: they apply to every scope. */
  const unscoped: { kind: ResourceKind; reason: string; file: string }[] = [];
  const summaries: ConfigFileSummary[] = [];

  for (const file of files) {
    const reading: FileReading = { query: false, snapshot: false, scopes: new Map(), kinds: new Map() };
    let latestTime = Number.NEGATIVE_INFINITY;
    let latestTimeText: string | undefined;
    const otherTypes = new Map<string, number>();
    const fileScopes = new Map<string, FileScope>();
    let lastScope: FileScope | undefined;
    /** The account and region of an item, and what this file and the whole reading keep of them; items come mostly scope by scope. */
    const scopeOf = (accountId: string, region: string): FileScope => {
      if (lastScope?.scope.accountId === accountId && lastScope.scope.region === region) return lastScope;
      const key = scopeKey({ accountId, region });
      let here = fileScopes.get(key);
      if (!here) {
        const scope = scopes.get(key) ?? { accountId, region };
        scopes.set(key, scope);
        reading.scopes.set(key, scope);
        const kinds = new Set<ResourceKind>();
        reading.kinds.set(key, kinds);
        const recorded = recordedIn.get(key) ?? new Set<ResourceKind>();
        recordedIn.set(key, recorded);
        here = { scope, kinds, recorded };
        fileScopes.set(key, here);
      }
      lastScope = here;
      return here;
    };

    await readJsonStream(file, {
      modeOf(path): ValueMode {
        const key = path[0] as string;
        if (ITEM_LISTS[key]) {
          reading.listKey = key;
          return "records";
        }
        if (key === "configSnapshotId") reading.snapshot = true;
        if (key === "QueryInfo" || key === "NextToken") reading.query = true;
        return PAGE_TOKENS.has(key) || UNPROCESSED_LISTS.has(key) ? "capture" : "skip";
      },
      onValue(path, value) {
        const key = path[0] as string;
        if (PAGE_TOKENS.has(key)) {
          if (value !== null && value !== "") reading.pageToken = key;
        } else if (UNPROCESSED_LISTS.has(key)) {
          reading.unprocessed = value;
        } else {
          throw new InputError(`expected an array, got ${describeValue(value)}`, { field: key });
        }
      },
      onRecord(path, index, raw) {
        const value = path[0] === "Results" ? parseResult(raw, `${path[0]}[${index}]`) : raw;
        const type = (value as { resourceType?: unknown } | null)?.resourceType;
        if (typeof type === "string" && !RECORDED_KINDS.has(type)) {
          otherTypes.set(type, (otherTypes.get(type) ?? 0) + 1); // other services' resources
          return;
        }
        let item: ConfigItemRecords;
        try {
          item = configItemToRecords(value);
        } catch (error) {
          throw atItem(error, `${path[0]}[${index}]`);
        }
        const kind = RECORDED_KINDS.get(item.resourceType) as ResourceKind;
        const here = scopeOf(item.accountId, item.region);
        here.kinds.add(kind);
        if (item.status === "ResourceNotRecorded") return;
        if (!NOT_RECORDED_STATUSES.has(item.status)) here.recorded.add(kind);
        const time = item.captureTime === undefined ? Number.NEGATIVE_INFINITY : Date.parse(item.captureTime);
        if (Number.isNaN(time)) {
          throw new InputError(`not a date: ${JSON.stringify(item.captureTime)}`, {
            field: `${path[0]}[${index}].configurationItemCaptureTime`,
            resource: item.resourceId,
          });
        }
        if (time > latestTime) {
          latestTime = time;
          latestTimeText = item.captureTime;
        }
        if (DELETED_ITEM_STATUSES.has(item.status)) {
          const deletedAt = item.captureTime ?? "an unknown time";
          builder.markDeleted({ kind, id: item.resourceId, ...here.scope, status: item.status, deletedAt }, time);
          return;
        }
        for (const record of item.records) builder.add(record, time);
      },
    });

    const listKey = reading.listKey;
    if (!listKey && reading.unprocessed === undefined) {
      throw new InputError("required", { file, field: reading.query ? "Results" : "configurationItems" });
    }
    const command = ITEM_LISTS[listKey ?? "baseConfigurationItems"] ?? "batch-get-resource-config";
    if (reading.snapshot) for (const key of reading.scopes.keys()) snapshotScopes.add(key);
    if (reading.pageToken) {
      if (reading.scopes.size === 0) {
        throw new InputError(
          `incomplete (${reading.pageToken} present: a --max-items or --no-paginate run) and holds no item of the types the rules read, so what is missing cannot be told; fetch every page`,
          { file, field: reading.pageToken },
        );
      }
      const reason = `${basename(file)} is incomplete: ${command} output with a ${reading.pageToken} (a --max-items or --no-paginate run); fetch every page`;
      for (const [key, scope] of reading.scopes) {
        // A select query may list any type on its later pages; a history lists one resource's.
        const kinds = listKey === "Results" ? RECORDED_KINDS.values() : (reading.kinds.get(key) ?? []);
        for (const kind of kinds) addReason(incomplete, scope, kind, reason);
      }
    }
    if (reading.unprocessed !== undefined) {
      for (const { kind, reason, scope } of unprocessedKeys(reading.unprocessed, file, command)) {
        if (scope) {
          scopes.set(scopeKey(scope), scope);
          addReason(incomplete, scope, kind, reason);
        } else if (reading.scopes.size > 0) {
          for (const fileScope of reading.scopes.values()) addReason(incomplete, fileScope, kind, reason);
        } else {
          unscoped.push({ kind, reason, file });
        }
      }
    }
    const accountIds = [...new Set([...reading.scopes.values()].map((scope) => scope.accountId))].sort();
    const regions = [...new Set([...reading.scopes.values()].map((scope) => scope.region))].sort();
    summaries.push({
      path: file,
      accountIds,
      regions,
      capturedAt: latestTimeText,
      otherTypes: [...otherTypes]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([type, count]) => `${type} (${count} item${count === 1 ? "" : "s"})`),
    });
  }

  if (unscoped.length > 0) {
    const first = unscoped[0] as (typeof unscoped)[number];
    if (scopes.size === 0) {
      throw new InputError(
        "no item was processed, so the keys left unprocessed belong to no known account or region; run it again, or give the account's other AWS Config files alongside",
        { file: first.file, field: "unprocessedResourceKeys" },
      );
    }
    for (const { kind, reason } of unscoped) for (const scope of scopes.values()) addReason(incomplete, scope, kind, reason);
  }

  const recorderOf = assignRecorders(recorders, scopes);
  for (const [key, scope] of scopes) {
    const kinds = recordedIn.get(key);
    const recorder = recorderOf.get(key);
    for (const [type, kind] of RECORDED_KINDS) {
      const truncated = incomplete.get(key)?.get(kind);
      if (truncated) builder.markIncomplete(scope, kind, truncated);
      else if (kinds?.has(kind)) builder.markCollected(scope, kind);
      else if (recorder?.records(type) && snapshotScopes.has(key))
        builder.markCollected(scope, kind); // recorded, none exist
      else if (recorder?.records(type)) {
        builder.markGap(
          scope,
          kind,
          `no ${type} items, and no AWS Config snapshot file of this account and region to show that none exist`,
        );
      } else if (recorder) builder.markGap(scope, kind, `not recorded: ${recorder.describe} (${basename(recorder.file)})`);
      else builder.markGap(scope, kind, `no ${type} items in the AWS Config files: not recorded, or none exist`);
    }
    for (const kind of UNRECORDED_KINDS) {
      builder.markGap(scope, kind, `AWS Config does not record ${KINDS[kind].plural}; give a recorded snapshot alongside`);
    }
  }
  return summaries;
}

/** One `Results` entry of an advanced query: a JSON string holding the selected fields. */
function parseResult(raw: unknown, field: string): unknown {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new InputError(`not valid JSON (${(error as Error).message})`, { field });
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(`expected a JSON object of the selected fields, got ${describeValue(value)}`, { field });
  }
  const selected = value as Record<string, unknown>;
  const resource = typeof selected.resourceId === "string" ? selected.resourceId : undefined;
  for (const key of ["resourceType", "resourceId", "accountId", "awsRegion", "configurationItemStatus"]) {
    if (selected[key] === undefined) throw new InputError(`required: ${SELECT_HINT}`, { field: `${field}.${key}`, resource });
  }
  const readable = RECORDED_KINDS.has(selected.resourceType as string);
  if (readable && !("configuration" in selected) && !DELETED_ITEM_STATUSES.has(selected.configurationItemStatus as string)) {
    throw new InputError(`required: ${SELECT_HINT}`, { field: `${field}.configuration`, resource });
  }
  return selected;
}

interface UnprocessedKey {
  kind: ResourceKind;
  reason: string;
  /** The aggregate form names the account and region; the single-account form does not. */
  scope?: Origin;
}

/** The keys a batch-get could not process, grouped by kind: each makes its kind a gap. */
function unprocessedKeys(value: unknown, file: string, command: string): UnprocessedKey[] {
  if (value === null) return [];
  if (!Array.isArray(value))
    throw new InputError(`expected an array, got ${describeValue(value)}`, { file, field: "unprocessedResourceKeys" });
  const byKind = new Map<string, { kind: ResourceKind; scope?: Origin; ids: string[] }>();
  value.forEach((entry: Record<string, unknown> | null, index) => {
    const field = `unprocessedResourceKeys[${index}]`;
    const type = entry?.resourceType ?? entry?.ResourceType;
    const id = entry?.resourceId ?? entry?.ResourceId;
    if (typeof type !== "string" || typeof id !== "string") {
      throw new InputError("expected {resourceType, resourceId}", { file, field });
    }
    const kind = RECORDED_KINDS.get(type);
    if (!kind) return;
    const accountId = entry?.SourceAccountId;
    const region = entry?.SourceRegion;
    const scope = typeof accountId === "string" && typeof region === "string" ? { accountId, region } : undefined;
    const key = `${kind}/${scope ? scopeKey(scope) : ""}`;
    const group = byKind.get(key) ?? { kind, scope, ids: [] };
    byKind.set(key, group);
    group.ids.push(id);
  });
  return [...byKind.values()].map(({ kind, scope, ids }) => ({
    kind,
    scope,
    reason: `${basename(file)}: ${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ` and ${ids.length - 3} more` : ""} not processed by ${command}; run it again for those keys`,
  }));
}

/**
 * Which recorder statement speaks for each account and region. A recorder's ARN names both; a
 * role ARN only the account, and then the statement covers that account's regions in the
 * inputs; with neither it covers every scope. Two statements for one scope are refused.
 */
function assignRecorders(recorders: readonly RecorderStatement[], scopes: ReadonlyMap<string, Origin>): Map<string, RecorderStatement> {
  const assigned = new Map<string, RecorderStatement>();
  for (const recorder of recorders) {
    const covered = [...scopes].filter(
      ([, scope]) =>
        (recorder.accountId === undefined || recorder.accountId === scope.accountId) &&
        (recorder.region === undefined || recorder.region === scope.region),
    );
    if (covered.length === 0) {
      const names = [recorder.accountId, recorder.region].filter(Boolean).join("/") || "any account";
      throw new InputError(`the configuration recorder is for ${names}, which no AWS Config input holds items of`, { file: recorder.file });
    }
    for (const [key] of covered) {
      const other = assigned.get(key);
      if (other) {
        throw new InputError(
          `two configuration recorders speak for ${key} (${other.file} and this one): give one per account and region, with its ARN`,
          { file: recorder.file },
        );
      }
      assigned.set(key, recorder);
    }
  }
  return assigned;
}
