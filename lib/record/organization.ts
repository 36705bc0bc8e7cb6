import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  type Account,
  DescribeOrganizationCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
} from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { assumingRole } from "../aws/assume-role";
import { AwsClients, partitionOfArn } from "../aws/clients";
import { organizationsClient } from "../aws/organizations";
import { stsClient } from "../aws/sts";
import { InputError } from "../errors";
import { writeFileAtomic } from "../io/atomic-write";
import { checkOutputTarget } from "../io/output-target";
import { type RecordFailure, type RecordOptions, recordAccountInto } from "./record";
import { openSnapshotFile, type SnapshotFile } from "./write-snapshot";

/** An account to record, as Organizations names it (no name when given with --accounts). */
export interface MemberAccount {
  accountId: string;
  name?: string;
}

/** What Organizations listed: the ACTIVE accounts to record, and those left out. */
export interface OrganizationListing {
  organizationId?: string;
  managementAccountId?: string;
  accounts: MemberAccount[];
  /** Listed but not ACTIVE (suspended, closing, …): nothing to assume there. */
  inactive: (MemberAccount & { state: string })[];
  /** Listed and named in --exclude-accounts. */
  excluded: string[];
}

/** The organization recording folder's index (the contract shared with evaluate/report/remediate and the scan). */
export interface OrganizationRecording {
  schemaVersion: "1.0";
  kind: "organization-recording";
  capturedAt: string;
  organizationId?: string;
  managementAccountId?: string;
  roleName: string;
  regions: string[] | "all";
  accounts: OrganizationRecordingAccount[];
}

export type OrganizationRecordingAccount =
  | { accountId: string; name?: string; status: "recorded"; file: string; regions: string[] }
  | { accountId: string; name?: string; status: "failed"; error: string; regions: string[] };

export const ORGANIZATION_INDEX = "organization.json";
export const snapshotFileName = (accountId: string): string => `${accountId}.json.gz`;

/** `State` replaces `Status` (retired on 9 September 2026); until then an answer may carry either. */
const accountState = (account: Account): string => account.State ?? account.Status ?? "UNKNOWN";

/**
 * The accounts of the organization, or of one organizational unit and every unit below it (all
 * pages of every list), minus `exclude`; only ACTIVE ones are to be recorded. Sorted by id.
 */
export async function listOrganizationAccounts(
  clients: AwsClients,
  options: { parentId?: string; exclude?: ReadonlySet<string> } = {},
): Promise<OrganizationListing> {
  const organizations = organizationsClient(clients);
  try {
    const { Organization } = await organizations.send(new DescribeOrganizationCommand({}));
    const listed: Account[] = [];
    if (options.parentId === undefined) {
      for await (const page of paginateListAccounts({ client: organizations }, {})) listed.push(...(page.Accounts ?? []));
    } else {
      const parents = [options.parentId];
      for (let parent = parents.shift(); parent !== undefined; parent = parents.shift()) {
        for await (const page of paginateListAccountsForParent({ client: organizations }, { ParentId: parent }))
          listed.push(...(page.Accounts ?? []));
        for await (const page of paginateListOrganizationalUnitsForParent({ client: organizations }, { ParentId: parent })) {
          for (const unit of page.OrganizationalUnits ?? []) if (unit.Id) parents.push(unit.Id);
        }
      }
    }
    const exclude = options.exclude ?? new Set<string>();
    const byId = new Map<string, Account>();
    for (const account of listed) if (account.Id) byId.set(account.Id, account);
    const listing: OrganizationListing = {
      ...(Organization?.Id ? { organizationId: Organization.Id } : {}),
      ...(Organization?.MasterAccountId ? { managementAccountId: Organization.MasterAccountId } : {}),
      accounts: [],
      inactive: [],
      excluded: [],
    };
    for (const [accountId, account] of [...byId.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const member: MemberAccount = { accountId, ...(account.Name ? { name: account.Name } : {}) };
      if (exclude.has(accountId)) listing.excluded.push(accountId);
      else if (accountState(account) !== "ACTIVE") listing.inactive.push({ ...member, state: accountState(account) });
      else listing.accounts.push(member);
    }
    return listing;
  } finally {
    organizations.destroy();
  }
}

const SESSION_NAME_PREFIX = "ec2-config-rules-record-";

/**
 * The role session name, saying who records: the caller's user, role session or role name from
 * its ARN, in the characters STS allows ([\w+=,.@-]) and within its 64.
 */
export function recordSessionName(callerArn: string): string {
  const resource = callerArn.split(":").slice(5).join(":");
  const who = (resource.split("/").pop() || "unknown").replace(/[^\w+=,.@-]/g, "-");
  return `${SESSION_NAME_PREFIX}${who}`.slice(0, 64);
}

export const roleArnIn = (partition: string, accountId: string, roleName: string): string =>
  `arn:${partition}:iam::${accountId}:role/${roleName}`;

export interface AccountProgress {
  accountId: string;
  name?: string;
  /** 1-based position among the accounts, and their number. */
  index: number;
  total: number;
  outcome: OrganizationRecordingAccount;
  resources: number;
}

export interface RecordAccountsOptions {
  /** The caller's clients in the home region (standard SDK configuration). */
  clients: AwsClients;
  homeRegion: string;
  accounts: MemberAccount[];
  roleName: string;
  externalId?: string;
  regions: string[] | "all";
  /** (account, region) pairs recorded at once. */
  concurrency: number;
  /** Record an account whose calls partly failed, with the failures listed in its snapshot. */
  allowPartial: boolean;
  outputDir: string;
  tool: RecordOptions["tool"];
  organization?: Pick<OrganizationListing, "organizationId" | "managementAccountId">;
  now?: () => Date;
  onAccount?: (progress: AccountProgress) => void;
  /** Each call of each account, e.g. to report failed calls as they happen. */
  onCall?: (accountId: string, progress: Parameters<NonNullable<RecordOptions["onProgress"]>>[0]) => void;
}

/** Refuses a folder holding anything: a new recording never mixes with, or overwrites, an older one. */
export async function prepareOutputDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new InputError(`${dir} is not empty (${entries.length} entr${entries.length === 1 ? "y" : "ies"}); give a new or empty folder`, {
      field: "--output-dir",
    });
  }
  await checkOutputTarget(join(dir, ORGANIZATION_INDEX), "--output-dir");
}

const oneLine = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split("\n", 1)[0] ?? text;
};

/** Splits the pair budget: every region of an account at once (up to the budget), and as many accounts as fit. */
export function concurrencyPlan(concurrency: number, regions: string[] | "all"): { accountsAtOnce: number; regionsAtOnce: number } {
  const regionsAtOnce = regions === "all" ? concurrency : Math.max(1, Math.min(concurrency, regions.length));
  return { accountsAtOnce: Math.max(1, Math.floor(concurrency / regionsAtOnce)), regionsAtOnce };
}

/** The assumed role's credentials are of another account than the one asked for. */
class AccountMismatch extends Error {}

/**
 * Records each account through the role assumed there, accounts × regions in parallel within the
 * concurrency, with the single-account recorder. Each recorded account's snapshot is written
 * atomically as it completes; organization.json is written last. An account that could not be
 * entered or recorded is listed as failed with a one-line error and has no file.
 */
export async function recordAccounts(options: RecordAccountsOptions): Promise<OrganizationRecording> {
  const capturedAt = (options.now?.() ?? new Date()).toISOString();
  const sts = stsClient(options.clients);
  let callerArn: string;
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Arn) throw new Error("sts:GetCallerIdentity returned no ARN");
    callerArn = identity.Arn;
  } finally {
    sts.destroy();
  }
  const partition = partitionOfArn(callerArn);
  const sessionName = recordSessionName(callerArn);
  const { accountsAtOnce, regionsAtOnce } = concurrencyPlan(options.concurrency, options.regions);
  const outcomes: OrganizationRecordingAccount[] = new Array(options.accounts.length);
  let done = 0;
  let next = 0;

  const recordOne = async (account: MemberAccount): Promise<{ outcome: OrganizationRecordingAccount; resources: number }> => {
    const named = account.name ? { name: account.name } : {};
    const requested = options.regions === "all" ? [] : options.regions;
    let resources = 0;
    const file = snapshotFileName(account.accountId);
    let snapshotFile: SnapshotFile | undefined;
    let recorded: { regions: string[]; failures: RecordFailure[] };
    try {
      const assumed = await assumingRole(options.clients, roleArnIn(partition, account.accountId, options.roleName), sessionName, {
        externalId: options.externalId,
        durationSeconds: 3600,
      });
      // Pages go to the account's file as they arrive; it is renamed into place only if the account is kept.
      recorded = await recordAccountInto(
        {
          clientsFor: (region) => new AwsClients({ ...assumed.settings, region }, assumed.counter),
          regions: options.regions,
          concurrency: regionsAtOnce,
          tool: options.tool,
          now: options.now,
          onProgress: (progress) => {
            resources += progress.items;
            options.onCall?.(account.accountId, progress);
          },
        },
        options.homeRegion,
        ({ accountId, capturedAt }) => {
          // Fail closed: credentials of another account would record that account under this one's name.
          if (accountId !== account.accountId)
            throw new AccountMismatch(`the role's credentials are of account ${accountId}, not ${account.accountId}`);
          snapshotFile = openSnapshotFile(join(options.outputDir, file), {
            schemaVersion: "1.0",
            accountId,
            capturedAt,
            tool: options.tool,
          });
          return snapshotFile;
        },
      );
    } catch (error) {
      await snapshotFile?.abandon().catch(() => undefined);
      return {
        outcome: {
          accountId: account.accountId,
          ...named,
          status: "failed",
          error: error instanceof AccountMismatch ? error.message : oneLine(error),
          regions: requested,
        },
        resources,
      };
    }
    const { regions, failures } = recorded;
    const [first] = failures;
    if (first && !options.allowPartial) {
      await snapshotFile?.abandon();
      const error = `${failures.length} call(s) failed after retries, first ${first.region} ${first.operation}: ${first.error.split("\n", 1)[0]}`;
      return { outcome: { accountId: account.accountId, ...named, status: "failed", error, regions }, resources };
    }
    await snapshotFile?.finish(failures);
    return { outcome: { accountId: account.accountId, ...named, status: "recorded", file, regions }, resources };
  };

  const worker = async () => {
    while (next < options.accounts.length) {
      const index = next++;
      const account = options.accounts[index] as MemberAccount;
      const { outcome, resources } = await recordOne(account);
      outcomes[index] = outcome;
      done += 1;
      options.onAccount?.({ ...account, index: done, total: options.accounts.length, outcome, resources });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(accountsAtOnce, options.accounts.length)) }, worker));

  const recording: OrganizationRecording = {
    schemaVersion: "1.0",
    kind: "organization-recording",
    capturedAt,
    ...(options.organization?.organizationId ? { organizationId: options.organization.organizationId } : {}),
    ...(options.organization?.managementAccountId ? { managementAccountId: options.organization.managementAccountId } : {}),
    roleName: options.roleName,
    regions: options.regions,
    accounts: outcomes,
  };
  await writeFileAtomic(join(options.outputDir, ORGANIZATION_INDEX), `${JSON.stringify(recording, null, 2)}\n`);
  return recording;
}
