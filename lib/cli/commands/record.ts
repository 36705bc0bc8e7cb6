import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { AwsClients } from "../../aws/clients";
import { ec2Client } from "../../aws/ec2";
import { InputError } from "../../errors";
import { checkOutputTarget } from "../../io/output-target";
import { type RecordFailure, type RecordOptions, type RecordProgress, RECORDED_OPERATIONS, recordAccountInto, resolveRegions } from "../../record/record";
import { openSnapshotFile, type SnapshotFile } from "../../record/write-snapshot";
import { REGION_NAME } from "../../sources/recorded-snapshot";

export interface RecordCommandOptions {
  regions?: string;
  output?: string;
  allowPartial?: boolean;
  concurrency: string;
}

function parseRegions(value: string | undefined, homeRegion: string): string[] | "all" {
  if (value === undefined) return [homeRegion];
  if (value.trim() === "all") return "all";
  const regions = [...new Set(value.split(",").map((region) => region.trim()).filter(Boolean))];
  const bad = regions.find((region) => !REGION_NAME.test(region));
  if (regions.length === 0 || bad !== undefined) {
    throw new InputError(`not a region name: ${JSON.stringify(bad ?? value)} (expected e.g. eu-west-1,us-east-1 or all)`, { field: "--regions" });
  }
  return regions;
}

function parseConcurrency(value: string): number {
  const concurrency = Number(value);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new InputError(`expected an integer from 1 to 32, got ${JSON.stringify(value)}`, { field: "--concurrency" });
  }
  return concurrency;
}

/** A progress bar on a terminal; plain log lines otherwise (CI logs, pipes). */
function progressReporter(regionCount: number) {
  let resources = 0;
  let done = 0;
  const regionsDone = new Map<string, number>();
  const bar = process.stderr.isTTY
    ? new SingleBar(
        { format: "recording {bar} {value}/{total} calls | {regions} region(s) done | {resources} resources", stream: process.stderr, hideCursor: true },
      )
    : undefined;
  let started = false;
  return {
    onProgress(progress: RecordProgress) {
      resources += progress.items;
      done += 1;
      const count = (regionsDone.get(progress.region) ?? 0) + 1;
      regionsDone.set(progress.region, count);
      const finishedRegions = [...regionsDone.values()].filter((calls) => calls === RECORDED_OPERATIONS.length).length;
      if (bar) {
        if (!started) {
          bar.start(regionCount * RECORDED_OPERATIONS.length, 0, { regions: 0, resources: 0 });
          started = true;
        }
        bar.update(done, { regions: finishedRegions, resources });
      } else {
        const what = progress.error ? `FAILED: ${progress.error}` : `${progress.items} item(s), ${progress.pages} page(s)`;
        process.stderr.write(`record: ${progress.region} ${progress.operation}: ${what}\n`);
      }
    },
    stop() {
      if (started) bar?.stop();
    },
  };
}

export interface RecordResult {
  accountId: string;
  regions: string[];
  failures: RecordFailure[];
  /** The file written, or undefined when a call failed and nothing was kept. */
  output?: string;
}

/**
 * Records the account straight into the snapshot file (pages go to the gzip writer as they
 * arrive); the file is renamed into place at the end, or removed when a call failed without --allow-partial.
 */
export async function runRecord(
  options: RecordCommandOptions,
  tool: { name: string; version: string },
  settings: Pick<RecordOptions, "now" | "onProgress"> = {},
): Promise<RecordResult> {
  const homeRegion = await ec2Client(new AwsClients()).config.region().catch(() => undefined);
  if (!homeRegion) throw new InputError("no AWS region configured: set AWS_REGION or a profile region, or pass --regions", { field: "--regions" });
  const regions = parseRegions(options.regions, homeRegion);
  const concurrency = parseConcurrency(options.concurrency);
  // Without --output the file goes to the current folder, under a name known only once recorded: the folder is checked now.
  await checkOutputTarget(options.output ?? "snapshot.json.gz");
  const clientsFor = (region: string) => new AwsClients({ region });
  const regionList = await resolveRegions({ regions, clientsFor }, homeRegion);
  const reporter = progressReporter(regionList.length);
  let file: SnapshotFile | undefined;
  let output: string | undefined;
  try {
    const recorded = await recordAccountInto(
      { clientsFor, regions: regionList, concurrency, tool, now: settings.now, onProgress: settings.onProgress ?? reporter.onProgress },
      homeRegion,
      ({ accountId, capturedAt }) => {
        output = options.output ?? `snapshot-${accountId}-${capturedAt.replace(/[:.]/g, "-")}.json.gz`;
        file = openSnapshotFile(output, { schemaVersion: "1.0", accountId, capturedAt, tool });
        return file;
      },
    );
    if (recorded.failures.length > 0 && !options.allowPartial) {
      await file?.abandon();
      return { ...recorded, output: undefined };
    }
    await file?.finish(recorded.failures);
    return { ...recorded, output };
  } catch (error) {
    await file?.abandon().catch(() => undefined);
    throw error;
  } finally {
    reporter.stop();
  }
}

export function registerRecordCommand(program: Command): void {
  program
    .command("record")
    .description(
      "Record a live account into a snapshot (every Describe* call the rules need, all pages, regions in parallel), using the standard AWS SDK configuration (credentials, profile, region, AWS_ENDPOINT_URL). Exit 0: written; 1: a call failed after retries and nothing was written; 2: usage error.",
    )
    .option("--regions <r1,r2|all>", "regions to record, or all enabled regions (default: the configured region)")
    .option("-o, --output <file.json.gz>", "snapshot file to write atomically, gzipped when it ends in .gz (default: snapshot-<account>-<time>.json.gz)")
    .option("--allow-partial", "write the snapshot even if calls failed, with the failures listed in it; evaluation then reports those resources as not judged")
    .option("--concurrency <n>", "regions recorded at once", "4")
    .action(async (options: RecordCommandOptions) => {
      const { accountId, regions, failures, output } = await runRecord(options, { name: program.name(), version: program.version() ?? "0.0.0" });
      for (const failure of failures) {
        process.stderr.write(`record: ${failure.region} ${failure.operation} failed after retries: ${failure.error}\n`);
      }
      if (!output) {
        process.stderr.write(`record: ${failures.length} call(s) failed; nothing written (use --allow-partial to write the snapshot with the failures listed)\n`);
        process.exitCode = 1;
        return;
      }
      process.stderr.write(`record: wrote ${output} (account ${accountId}, ${regions.length} region(s)${failures.length ? `, ${failures.length} failed call(s) listed` : ""})\n`);
    });
}
