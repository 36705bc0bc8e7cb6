import { stat } from "node:fs/promises";
import { InputError } from "../errors";
import { ModelBuilder, type ResourceModel } from "../model/resource-model";
import { loadConfigFiles } from "./config-files";
import { type RecorderStatement, readConfigurationRecorders } from "./config-recorders";
import { loadDescribeFolder } from "./describe-folder";
import { describeFsError, readJsonStream } from "./json-stream";
import { loadRecordedSnapshot } from "./recorded-snapshot";

export type SnapshotFormat = "recorded" | "config" | "config-recorders" | "describe-folder";

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

/**
 * Loads every input into one model. Order does not matter for coverage: a kind any input
 * collected is collected. For the resources themselves, recorded snapshots and describe folders
 * are applied in the order given, then the AWS Config files (merged by capture time) on top, so
 * that Config's deletions and later changes win. Configuration recorder outputs say which types
 * the Config files' accounts record.
 */
export async function loadSnapshots(paths: string[]): Promise<{ model: ResourceModel; inputs: LoadedInput[] }> {
  const builder = new ModelBuilder();
  const inputs: LoadedInput[] = [];
  const configPaths: string[] = [];
  const configSlots: number[] = [];
  const recorders: { slot: number; statements: RecorderStatement[] }[] = [];

  for (const path of paths) {
    let isFolder: boolean;
    try {
      isFolder = (await stat(path)).isDirectory();
    } catch (error) {
      throw new InputError(describeFsError(error), { file: path });
    }
    if (isFolder) {
      const { accountId, region } = await loadDescribeFolder(path, builder);
      inputs.push({ path, format: "describe-folder", accountIds: [accountId], regions: [region] });
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
      const { accountIds, regions, capturedAt } = summary;
      inputs[configSlots[index] as number] = { path: summary.path, format: "config", accountIds, regions, capturedAt };
    });
    for (const { slot, statements } of recorders) {
      const input = inputs[slot] as LoadedInput;
      input.accountIds = [...new Set(statements.flatMap((statement) => (statement.accountId ? [statement.accountId] : [])))].sort();
      input.regions = [...new Set(statements.flatMap((statement) => (statement.region ? [statement.region] : [])))].sort();
    }
  }
  return { model: builder.build(), inputs };
}
