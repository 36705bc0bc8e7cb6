import { stat } from "node:fs/promises";
import { InputError } from "../errors";
import { describeFsError } from "../io/file-chunks";
import { ModelBuilder, type ResourceModel } from "../model/resource-model";
import { loadConfigFiles } from "./config-files";
import { type RecorderStatement, readConfigurationRecorders } from "./config-recorders";
import { type DescribeFolderScope, loadDescribeFolder } from "./describe-folder";
import { readJsonStream } from "./json-stream";
import { isOrganizationRecording, loadOrganizationRecording } from "./organization-recording";
import { loadRecordedSnapshot } from "./recorded-snapshot";

export type SnapshotFormat = "recorded" | "config" | "config-recorders" | "describe-folder" | "organization-recording";

export interface LoadedInput {
  path: string;
  format: SnapshotFormat;
  accountIds: string[];
  regions: string[];
  capturedAt?: string;
}

/** Top-level keys that tell the file formats apart. */
const FORMAT_BY_KEY: Readonly<Record<string, SnapshotFormat>> = {
  schemaVersion: "recorded",
  regions: "recorded",
  capturedAt: "recorded",
  configurationItems: "config",
  fileVersion: "config",
  configSnapshotId: "config",
  // The Config API's outputs (aws configservice …), read by the same loader.
  baseConfigurationItems: "config",
  BaseConfigurationItems: "config",
  unprocessedResourceKeys: "config",
  UnprocessedResourceIdentifiers: "config",
  Results: "config",
  QueryInfo: "config",
  ConfigurationRecorders: "config-recorders",
};

/**
 * Tells a recorded snapshot from an AWS Config file by its top-level keys. Reads only until the
 * first telling key (normally the first key); a file with neither is read through to be sure.
 */
export async function detectFileFormat(file: string): Promise<SnapshotFormat> {
  let format: SnapshotFormat | undefined;
  const keys: string[] = [];
  await readJsonStream(file, {
    modeOf(path) {
      keys.push(path[0] as string);
      format = FORMAT_BY_KEY[path[0] as string];
      return format ? "stop" : "skip";
    },
    onRecord: () => {},
    onValue: () => {},
  });
  if (format) return format;
  throw new InputError(
    `neither a recorded snapshot (no schemaVersion or regions) nor AWS Config items (no configurationItems, baseConfigurationItems or Results) nor configuration recorders (no ConfigurationRecorders); top-level keys: ${keys.join(", ") || "none"}`,
    { file },
  );
}

export interface LoadOptions {
  /** The account and region of describe folders (`--account-id`, `--region`). */
  describeFolderScope?: DescribeFolderScope;
}

export interface LoadResult {
  model: ResourceModel;
  inputs: LoadedInput[];
  /** One line each, for stderr: what was left unread and why. */
  warnings: string[];
  /** Per input path, what it held that no rule reads (other resource types, ignored files). */
  unread: Map<string, string[]>;
}

/**
 * Loads every input into one model. Order does not matter for coverage: a kind any input
 * collected is collected. A folder holding organization.json is an organization recording (each
 * recorded account's snapshot; each account not recorded a gap everywhere), any other folder one
 * of describe-* outputs. For the resources themselves, recorded snapshots and folders
 * are applied in the order given, then the AWS Config files (merged by capture time) on top, so
 * that Config's deletions and later changes win. Configuration recorder outputs say which types
 * the Config files' accounts record.
 */
export async function loadSnapshots(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const builder = new ModelBuilder();
  const inputs: LoadedInput[] = [];
  const warnings: string[] = [];
  const unread = new Map<string, string[]>();
  const configPaths: string[] = [];
  const configSlots: number[] = [];
  const recorders: { slot: number; statements: RecorderStatement[] }[] = [];

  const folders = new Set<string>();
  const organizations = new Set<string>();
  for (const path of paths) {
    try {
      if ((await stat(path)).isDirectory()) ((await isOrganizationRecording(path)) ? organizations : folders).add(path);
    } catch (error) {
      throw new InputError(describeFsError(error), { file: path });
    }
  }
  const { describeFolderScope: scope } = options;
  if ((scope?.accountId !== undefined || scope?.region !== undefined) && folders.size === 0) {
    const flag = scope.accountId === undefined ? "--region" : "--account-id";
    throw new InputError(
      `${flag} is for folders of describe-* outputs (recorded snapshots and AWS Config files name their own account and region)`,
    );
  }

  for (const path of paths) {
    if (organizations.has(path)) {
      const { accountIds, regions, capturedAt, warnings: unrecorded } = await loadOrganizationRecording(path, builder);
      inputs.push({ path, format: "organization-recording", accountIds, regions, capturedAt });
      warnings.push(...unrecorded);
      continue;
    }
    if (folders.has(path)) {
      const { accountId, region, ignored } = await loadDescribeFolder(path, builder, scope);
      inputs.push({ path, format: "describe-folder", accountIds: [accountId], regions: [region] });
      if (ignored.length > 0) {
        warnings.push(`${path}: ignored ${ignored.join(", ")} (EC2 outputs that no rule reads)`);
        unread.set(path, ignored);
      }
      continue;
    }
    const format = await detectFileFormat(path);
    if (format === "config-recorders") {
      recorders.push({ slot: inputs.length, statements: await readConfigurationRecorders(path) });
      inputs.push({ path, format, accountIds: [], regions: [] });
    } else if (format === "recorded") {
      const { accountId, regions, capturedAt } = await loadRecordedSnapshot(path, builder);
      inputs.push({ path, format, accountIds: [accountId], regions, capturedAt });
    } else {
      configSlots.push(inputs.length);
      configPaths.push(path);
      inputs.push({ path, format, accountIds: [], regions: [] });
    }
  }

  if (recorders.length > 0 && configPaths.length === 0) {
    throw new InputError(
      "configuration recorders only say which types AWS Config records: give the account's AWS Config snapshot files alongside",
      { file: inputs[recorders[0]?.slot ?? 0]?.path },
    );
  }
  if (configPaths.length > 0) {
    const statements = recorders.flatMap((recorder) => recorder.statements);
    const summaries = await loadConfigFiles(configPaths, builder, statements);
    summaries.forEach((summary, index) => {
      const { accountIds, regions, capturedAt, otherTypes } = summary;
      inputs[configSlots[index] as number] = { path: summary.path, format: "config", accountIds, regions, capturedAt };
      if (otherTypes.length > 0) unread.set(summary.path, otherTypes);
    });
    for (const { slot, statements } of recorders) {
      const input = inputs[slot] as LoadedInput;
      input.accountIds = [...new Set(statements.flatMap((statement) => (statement.accountId ? [statement.accountId] : [])))].sort();
      input.regions = [...new Set(statements.flatMap((statement) => (statement.region ? [statement.region] : [])))].sort();
    }
  }
  return { model: builder.build(), inputs, warnings, unread };
}
