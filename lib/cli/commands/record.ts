import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { AwsClients } from "../../aws/clients";
import { ec2Client } from "../../aws/ec2";
import { InputError } from "../../errors";
import { checkOutputTarget } from "../../io/output-target";
import {
  type AccountProgress,
  listOrganizationAccounts,
  type MemberAccount,
  type OrganizationRecording,
  prepareOutputDir,
  recordAccounts,
} from "../../record/organization";
import {
  RECORDED_OPERATIONS,
  type RecordFailure,
  type RecordOptions,
  type RecordProgress,
  recordAccountInto,
  resolveRegions,
} from "../../record/record";
import { openSnapshotFile, type SnapshotFile } from "../../record/write-snapshot";
import { REGION_NAME } from "../../sources/recorded-snapshot";

export interface RecordCommandOptions {
  regions?: string;
  output?: string;
  allowPartial?: boolean;
  concurrency: string;
  accounts?: string;
  organization?: boolean;
  ou?: string;
  roleName?: string;
  externalId?: string;
  excludeAccounts?: string;
  outputDir?: string;
}

const ACCOUNT_ID = /^\d{12}$/;
/** An organizational unit, or the organization's root (ListAccountsForParent takes either). */
const PARENT_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
/** IAM role name, optionally under a path (the ARN is role/<path/>name). */
const ROLE_NAME = /^([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** sts:AssumeRole's ExternalId: 2 to 1224 of these characters. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

function parseAccountIds(value: string, field: string): string[] {
  const ids = [
    ...new Set(
      value
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  const bad = ids.find((id) => !ACCOUNT_ID.test(id));
  if (ids.length === 0 || bad !== undefined) {
    throw new InputError(`not a 12-digit account id: ${JSON.stringify(bad ?? value)} (expected e.g. 111111111111,222222222222)`, { field });
  }
  return ids;
}

/** The organization flags, checked together before any AWS call; undefined for a single-account record. */
export function parseManyAccountOptions(options: RecordCommandOptions) {
  const { accounts, organization } = options;
  if (accounts !== undefined && organization) throw new InputError("give --accounts or --organization, not both", { field: "--accounts" });
  if (accounts === undefined && !organization) {
    for (const [flag, value] of [
      ["--ou", options.ou],
      ["--exclude-accounts", options.excludeAccounts],
      ["--role-name", options.roleName],
      ["--external-id", options.externalId],
      ["--output-dir", options.outputDir],
    ] as const) {
      if (value !== undefined)
        throw new InputError(`${flag} records many accounts: it needs --accounts or --organization`, { field: flag });
    }
    return undefined;
  }
  const mode = organization ? "--organization" : "--accounts";
  if (options.ou !== undefined && !organization)
    throw new InputError("--ou selects part of an organization: it needs --organization", { field: "--ou" });
  if (options.excludeAccounts !== undefined && !organization) {
    throw new InputError("--exclude-accounts filters the organization's list: with --accounts, list only the accounts to record", {
      field: "--exclude-accounts",
    });
  }
  if (options.output !== undefined) throw new InputError(`${mode} writes a folder: give --output-dir, not --output`, { field: "--output" });
  if (options.outputDir === undefined || options.outputDir.trim() === "")
    throw new InputError(`${mode} needs --output-dir <dir>`, { field: "--output-dir" });
  if (options.roleName === undefined)
    throw new InputError(`${mode} needs --role-name <name>: the role to assume in each account`, { field: "--role-name" });
  if (!ROLE_NAME.test(options.roleName))
    throw new InputError(`not an IAM role name: ${JSON.stringify(options.roleName)}`, { field: "--role-name" });
  if (options.externalId !== undefined && !EXTERNAL_ID.test(options.externalId)) {
    throw new InputError("expected 2 to 1224 characters of letters, digits and +=,.@:/-_", { field: "--external-id" });
  }
  if (options.ou !== undefined && !PARENT_ID.test(options.ou)) {
    throw new InputError(`not an organizational unit id: ${JSON.stringify(options.ou)} (expected ou-xxxx-xxxxxxxx, or the root r-xxxx)`, {
      field: "--ou",
    });
  }
  return {
    accounts: accounts === undefined ? undefined : parseAccountIds(accounts, "--accounts"),
    ou: options.ou,
    exclude: new Set(options.excludeAccounts === undefined ? [] : parseAccountIds(options.excludeAccounts, "--exclude-accounts")),
    roleName: options.roleName,
    externalId: options.externalId,
    outputDir: options.outputDir,
  };
}

function parseRegions(value: string | undefined, homeRegion: string): string[] | "all" {
  if (value === undefined) return [homeRegion];
  if (value.trim() === "all") return "all";
  const regions = [
    ...new Set(
      value
        .split(",")
        .map((region) => region.trim())
        .filter(Boolean),
    ),
  ];
  const bad = regions.find((region) => !REGION_NAME.test(region));
  if (regions.length === 0 || bad !== undefined) {
    throw new InputError(`not a region name: ${JSON.stringify(bad ?? value)} (expected e.g. eu-west-1,us-east-1 or all)`, {
      field: "--regions",
    });
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
    ? new SingleBar({
        format: "recording {bar} {value}/{total} calls | {regions} region(s) done | {resources} resources",
        stream: process.stderr,
        hideCursor: true,
      })
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
  const homeRegion = await ec2Client(new AwsClients())
    .config.region()
    .catch(() => undefined);
  if (!homeRegion)
    throw new InputError("no AWS region configured: set AWS_REGION or a profile region, or pass --regions", { field: "--regions" });
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

const describeAccount = (account: { accountId: string; name?: string }) =>
  account.name ? `${account.accountId} (${account.name})` : account.accountId;

/** One line per account as it completes (failed calls have their own lines as they happen). */
function accountProgressLine(progress: AccountProgress): string {
  const { outcome } = progress;
  const what =
    outcome.status === "recorded"
      ? `recorded ${outcome.regions.length} region(s), ${progress.resources} item(s) -> ${outcome.file}`
      : `FAILED: ${outcome.error}`;
  return `record: [${progress.index}/${progress.total}] ${describeAccount(progress)}: ${what}\n`;
}

/**
 * record --accounts | --organization: lists the accounts (Organizations, when asked), records each
 * through the role assumed there and writes the organization recording folder.
 */
export async function runManyAccounts(
  options: RecordCommandOptions,
  tool: { name: string; version: string },
): Promise<OrganizationRecording> {
  const many = parseManyAccountOptions(options);
  if (!many) throw new Error("runManyAccounts needs --accounts or --organization");
  const concurrency = parseConcurrency(options.concurrency);
  const clients = new AwsClients();
  const homeRegion = await ec2Client(clients)
    .config.region()
    .catch(() => undefined);
  if (!homeRegion)
    throw new InputError("no AWS region configured: set AWS_REGION or a profile region, or pass --regions", { field: "--regions" });
  const regions = parseRegions(options.regions, homeRegion);
  await prepareOutputDir(many.outputDir);
  const home = new AwsClients({ region: homeRegion });
  let accounts: MemberAccount[];
  let organization: { organizationId?: string; managementAccountId?: string } | undefined;
  if (many.accounts) {
    accounts = many.accounts.map((accountId) => ({ accountId }));
  } else {
    const listing = await listOrganizationAccounts(home, { parentId: many.ou, exclude: many.exclude });
    organization = { organizationId: listing.organizationId, managementAccountId: listing.managementAccountId };
    for (const account of listing.inactive)
      process.stderr.write(`record: ${describeAccount(account)}: skipped, ${account.state} (not ACTIVE)\n`);
    const unknown = [...many.exclude].filter((id) => !listing.excluded.includes(id));
    if (unknown.length > 0) process.stderr.write(`record: --exclude-accounts names account(s) not listed: ${unknown.join(", ")}\n`);
    accounts = listing.accounts;
    const where = many.ou ? `under ${many.ou}` : `in ${listing.organizationId ?? "the organization"}`;
    if (accounts.length === 0) {
      throw new InputError(
        `no ACTIVE account to record ${where} (${listing.excluded.length} excluded, ${listing.inactive.length} not active)`,
        { field: "--organization" },
      );
    }
    process.stderr.write(
      `record: ${accounts.length} ACTIVE account(s) ${where}${listing.excluded.length ? `, ${listing.excluded.length} excluded` : ""}\n`,
    );
  }
  return recordAccounts({
    clients: home,
    homeRegion,
    accounts,
    roleName: many.roleName,
    externalId: many.externalId,
    regions,
    concurrency,
    allowPartial: options.allowPartial === true,
    outputDir: many.outputDir,
    tool,
    organization,
    onAccount: (progress) => process.stderr.write(accountProgressLine(progress)),
    onCall: (accountId, progress) => {
      if (progress.error)
        process.stderr.write(`record: ${accountId} ${progress.region} ${progress.operation} failed after retries: ${progress.error}\n`);
    },
  });
}

export function registerRecordCommand(program: Command): void {
  program
    .command("record")
    .description(
      "Record a live account into a snapshot (every Describe* call the rules need, all pages, regions in parallel), using the standard AWS SDK configuration (credentials, profile, region, AWS_ENDPOINT_URL); or, with --accounts/--organization, many accounts through a role assumed in each, into an organization recording folder. Exit 0: written; 1: a call failed after retries and nothing was written (many accounts: an account failed, listed in organization.json); 2: usage error.",
    )
    .option("--regions <r1,r2|all>", "regions to record, or all enabled regions (default: the configured region)")
    .option(
      "-o, --output <file.json.gz>",
      "snapshot file to write atomically, gzipped when it ends in .gz (default: snapshot-<account>-<time>.json.gz)",
    )
    .option(
      "--allow-partial",
      "write the snapshot even if calls failed, with the failures listed in it; evaluation then reports those resources as not judged (many accounts: also exit 0 when some accounts failed)",
    )
    .option("--concurrency <n>", "regions recorded at once; with --accounts/--organization, (account, region) pairs at once", "4")
    .option("--accounts <id,id>", "record these accounts, each through --role-name assumed there, into --output-dir")
    .option(
      "--organization",
      "record every ACTIVE account of the organization (AWS Organizations), each through --role-name, into --output-dir",
    )
    .option("--ou <ou-id>", "with --organization: only the accounts under this organizational unit, at any depth")
    .option("--exclude-accounts <id,id>", "with --organization: accounts not to record")
    .option("--role-name <name>", "the role to assume in each account (arn:<partition>:iam::<account>:role/<name>)")
    .option("--external-id <id>", "the ExternalId the role's trust policy requires")
    .option("--output-dir <dir>", "a new or empty folder: one <account>.json.gz per recorded account, then organization.json")
    .action(async (options: RecordCommandOptions) => {
      if (parseManyAccountOptions(options)) {
        const recording = await runManyAccounts(options, { name: program.name(), version: program.version() ?? "0.0.0" });
        const failed = recording.accounts.filter((account) => account.status === "failed");
        const recorded = recording.accounts.length - failed.length;
        process.stderr.write(
          `record: wrote ${options.outputDir} (${recorded} account(s) recorded${failed.length ? `, ${failed.length} failed: ${failed.map((account) => account.accountId).join(", ")}` : ""})\n`,
        );
        if (recorded === 0) {
          // Even with --allow-partial: a folder of failures only would judge nothing.
          process.stderr.write("record: no account could be recorded; exit 1\n");
          process.exitCode = 1;
        } else if (failed.length > 0 && !options.allowPartial) {
          process.stderr.write("record: exit 1 (--allow-partial accepts failed accounts; they are listed in organization.json)\n");
          process.exitCode = 1;
        }
        return;
      }
      const { accountId, regions, failures, output } = await runRecord(options, {
        name: program.name(),
        version: program.version() ?? "0.0.0",
      });
      for (const failure of failures) {
        process.stderr.write(`record: ${failure.region} ${failure.operation} failed after retries: ${failure.error}\n`);
      }
      if (!output) {
        process.stderr.write(
          `record: ${failures.length} call(s) failed; nothing written (use --allow-partial to write the snapshot with the failures listed)\n`,
        );
        process.exitCode = 1;
        return;
      }
      process.stderr.write(
        `record: wrote ${output} (account ${accountId}, ${regions.length} region(s)${failures.length ? `, ${failures.length} failed call(s) listed` : ""})\n`,
      );
    });
}
