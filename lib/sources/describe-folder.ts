import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { InputError } from "../errors";
import { readJsonFile } from "../io/read-json-file";
import { EC2_OPERATION_NAMES, EC2_OPERATIONS, type Ec2Operation, KINDS, RESOURCE_KINDS } from "../model/kinds";
import type { ModelBuilder } from "../model/resource-model";
import type { Origin, ResourceKind, ResourceRecord } from "../model/types";
import { cliCommandOf, closestName, ec2DescribeCommands } from "./ec2-command-names";
import { readJsonStream, type ValueMode } from "./json-stream";
import { normalizeLocatedItem, REGION_NAME } from "./recorded-snapshot";

/**
 * A folder of `aws ec2 describe-… --output json` outputs, one file per command, named after it
 * (`describe-instances.json`, or `.json.gz`). The CLI output is the SDK response with pages merged,
 * so the items go through the same EC2 adapter as a recorded snapshot.
 *
 * The output of a real EC2 Describe command that no rule reads (`describe-vpcs.json`) is ignored
 * and named in a warning; any other file is an error, with the nearest known name: a misspelt
 * command would otherwise silently leave a kind uncollected. An output that still holds a
 * `NextToken` (a `--max-items` or `--no-paginate` run) is incomplete, so its kind is a gap.
 */

export const METADATA_FILE = "metadata.json";

/** A file the folder reads: the operation whose items it holds (as the adapter names them). */
interface FolderSource {
  operation: Ec2Operation;
  listKey: string;
  kind: ResourceKind;
}

const sourceOf = (kind: ResourceKind): FolderSource => ({ operation: KINDS[kind].operation, listKey: KINDS[kind].listKey, kind });

const SOURCES = new Map<string, FolderSource>([
  ...EC2_OPERATION_NAMES.map((operation) => [cliCommandOf(operation), sourceOf(EC2_OPERATIONS[operation].kind)] as const),
  // AWS-managed lists (OwnerId "AWS") carry the same PrefixListId and PrefixListName (com.amazonaws.<region>.s3).
  ["describe-managed-prefix-lists", sourceOf("prefix-list")],
]);

/** The commands that can supply each kind, for the reason of a gap. */
const COMMANDS_BY_KIND = new Map<ResourceKind, string[]>();
for (const [command, { kind }] of SOURCES) COMMANDS_BY_KIND.set(kind, [...(COMMANDS_BY_KIND.get(kind) ?? []), command]);

const OUTPUT_FILE = /^(.+)\.json(\.gz)?$/;

const metadataSchema = z.strictObject({
  accountId: z.string().regex(/^\d{12}$/, "expected 12 digits"),
  region: z.string().regex(REGION_NAME, "expected a region name such as eu-west-1"),
});

/** Where account ids are found, most telling first (subnets and route tables can be shared from another account). */
const OWNER_SOURCES: readonly Ec2Operation[] = [
  "DescribeInstances",
  "DescribeNetworkInterfaces",
  "DescribeSecurityGroups",
  "DescribeVpcEndpoints",
  "DescribeInternetGateways",
  "DescribeRouteTables",
  "DescribeSubnets",
];

/** The account and region of a folder given on the command line (`--account-id`, `--region`). */
export interface DescribeFolderScope {
  accountId?: string;
  region?: string;
}

export interface DescribeFolderSummary {
  accountId: string;
  region: string;
  /** Files of real EC2 Describe commands that no rule reads, left unread. */
  ignored: string[];
}

const HINT = `give --account-id and --region, or add ${METADATA_FILE} with {"accountId": "123456789012", "region": "eu-west-1"}`;

/** What the files say about their account and region: each value with the file that names it. */
interface FileOrigins {
  owners: Map<Ec2Operation, Map<string, string>>;
  regions: Map<string, string>;
}

export async function loadDescribeFolder(
  folder: string,
  builder: ModelBuilder,
  scope: DescribeFolderScope = {},
): Promise<DescribeFolderSummary> {
  /** command → the file holding its output. */
  const files = new Map<string, { path: string; name: string }>();
  const unknown: { name: string; command: string }[] = [];
  let metadataPath: string | undefined;
  for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const { name } = entry;
    if (name.startsWith(".")) continue;
    const path = join(folder, name);
    const command = OUTPUT_FILE.exec(name)?.[1];
    if (command !== undefined || name === METADATA_FILE) await checkIsFile(path, entry);
    if (name === METADATA_FILE) {
      metadataPath = path;
    } else if (command === undefined) {
      throw new InputError(
        `unexpected file in a describe folder (expected ${METADATA_FILE} or the output of aws ec2 describe-… --output json named after its command, e.g. describe-instances.json, optionally .gz)`,
        { file: path },
      );
    } else if (!SOURCES.has(command)) {
      unknown.push({ name, command });
    } else if (files.has(command)) {
      throw new InputError(`${command} is given twice (.json and .json.gz)`, { file: path });
    } else {
      files.set(command, { path, name });
    }
  }
  const ignored = ignoredFiles(folder, unknown);
  if (files.size === 0) {
    throw new InputError(
      `no describe-*.json file that the rules read in the folder (expected e.g. describe-instances.json${ignored.length ? `; ignored ${ignored.join(", ")}` : ""})`,
      { file: folder },
    );
  }

  const metadata = metadataPath ? await readMetadata(metadataPath) : undefined;
  const origins: FileOrigins = { owners: new Map(), regions: new Map() };
  const pending: ResourceRecord[] = [];
  const complete = new Set<ResourceKind>();
  const incomplete = new Map<ResourceKind, string>();

  for (const [command, { path: file, name: fileName }] of files) {
    const { operation, listKey, kind } = SOURCES.get(command) as FolderSource;
    let listSeen = false;
    let nextToken: unknown;
    await readJsonStream(file, {
      modeOf(path): ValueMode {
        if (path[0] === "NextToken") return "capture";
        if (path[0] !== listKey) return "skip";
        listSeen = true;
        return "records";
      },
      onValue(path, value) {
        if (path[0] === "NextToken") nextToken = value;
        else throw new InputError("expected an array", { field: path.join(".") });
      },
      onRecord(path, index, item) {
        noteOrigin(operation, item, fileName, origins);
        pending.push(...normalizeLocatedItem(operation, item, { accountId: "", region: "" }, path, index, file));
      },
    });
    if (!listSeen) throw new InputError("required", { file, field: listKey });
    // The CLI prints the token of the next page only when it stopped early; a complete run has none (or null).
    if (typeof nextToken === "string" && nextToken !== "") incomplete.set(kind, `${fileName} holds a NextToken: incomplete output`);
    else complete.add(kind);
  }

  const origin = resolveOrigin(folder, scope, metadata, metadataPath, origins);
  for (const record of pending) {
    record.accountId = origin.accountId;
    record.region = origin.region;
    builder.add(record);
  }
  for (const kind of RESOURCE_KINDS) {
    if (complete.has(kind)) builder.markCollected(origin, kind);
    else
      builder.markGap(
        origin,
        kind,
        incomplete.get(kind) ?? `no ${(COMMANDS_BY_KIND.get(kind) ?? []).map((c) => `${c}.json`).join(" or ")} in ${folder}`,
      );
  }
  return { ...origin, ignored };
}

async function checkIsFile(path: string, entry: Dirent): Promise<void> {
  // A symbolic link is followed: what counts is what it points to.
  const folder = entry.isSymbolicLink()
    ? await stat(path).then(
        (found) => found.isDirectory(),
        () => false,
      )
    : entry.isDirectory();
  if (folder) throw new InputError("is a folder, expected a file (the JSON output of an aws ec2 command)", { file: path });
}

/**
 * The files named after a real EC2 Describe command that no rule reads; a name that is no EC2
 * command is an error that suggests the nearest one.
 */
function ignoredFiles(folder: string, unknown: readonly { name: string; command: string }[]): string[] {
  if (unknown.length === 0) return [];
  const known = ec2DescribeCommands();
  for (const { name, command } of unknown) {
    if (known.has(command)) continue;
    const nearest = closestName(command, new Set([...known, ...SOURCES.keys()]));
    const suggestion = nearest ? `did you mean ${nearest}${name.slice(command.length)}? ` : "";
    throw new InputError(
      `"${command}" is not an EC2 Describe command; ${suggestion}(files are named after the aws ec2 command that printed them, e.g. describe-instances.json)`,
      { file: join(folder, name) },
    );
  }
  return unknown.map(({ name }) => name);
}

async function readMetadata(file: string): Promise<Origin> {
  const value = await readJsonFile(file, "folder metadata");
  const parsed = metadataSchema.safeParse(value, { error: (issue) => (issue.input === undefined ? "required" : undefined) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new InputError(issue.message, { file, field: issue.path.map(String).join(".") || undefined });
  }
  return parsed.data;
}

const availabilityZoneRegion = (zone: unknown): string | undefined =>
  typeof zone === "string" ? /^[a-z]{2}(-[a-z]+)+-\d+/.exec(zone)?.[0] : undefined;

/** Collects the account ids and regions an item names, to infer the folder's scope or check the one given. */
function noteOrigin(operation: Ec2Operation, item: unknown, fileName: string, { owners, regions }: FileOrigins): void {
  if (item === null || typeof item !== "object") return;
  const object = item as Record<string, unknown>;
  const addOwner = (owner: unknown) => {
    if (typeof owner !== "string" || !/^\d{12}$/.test(owner)) return;
    const byAccount = owners.get(operation) ?? new Map<string, string>();
    owners.set(operation, byAccount);
    if (!byAccount.has(owner)) byAccount.set(owner, fileName);
  };
  const addZone = (zone: unknown) => {
    const region = availabilityZoneRegion(zone);
    if (region && !regions.has(region)) regions.set(region, fileName);
  };
  addOwner(object.OwnerId);
  addZone(object.AvailabilityZone);
  if (operation === "DescribeAddresses" && typeof object.NetworkBorderGroup === "string") addZone(object.NetworkBorderGroup);
  if (operation === "DescribeInstances" && Array.isArray(object.Instances)) {
    for (const instance of object.Instances as Record<string, unknown>[]) {
      addZone((instance?.Placement as Record<string, unknown> | undefined)?.AvailabilityZone);
    }
  }
}

/**
 * The folder's account and region: from --account-id/--region, else metadata.json, else the
 * files. A flag that disagrees with metadata.json or with what the files name is an error.
 */
function resolveOrigin(
  folder: string,
  scope: DescribeFolderScope,
  metadata: Origin | undefined,
  metadataPath: string | undefined,
  { owners, regions }: FileOrigins,
): Origin {
  for (const [flag, key] of [
    ["--account-id", "accountId"],
    ["--region", "region"],
  ] as const) {
    const given = scope[key];
    if (given !== undefined && metadata && metadata[key] !== given) {
      throw new InputError(`${flag} ${given} disagrees with ${key} ${metadata[key]} in ${METADATA_FILE}`, { file: metadataPath });
    }
  }
  const source = OWNER_SOURCES.find((operation) => owners.has(operation));
  const accounts = source ? (owners.get(source) as Map<string, string>) : new Map<string, string>();
  if (scope.accountId !== undefined && accounts.size > 0 && !accounts.has(scope.accountId)) {
    const [account, file] = [...accounts][0] as [string, string];
    throw new InputError(`--account-id ${scope.accountId} disagrees with OwnerId ${account} in ${file}`, { file: folder });
  }
  if (scope.region !== undefined) {
    const other = [...regions].find(([region]) => region !== scope.region);
    if (other)
      throw new InputError(`--region ${scope.region} disagrees with region ${other[0]} of the Availability Zones in ${other[1]}`, {
        file: folder,
      });
  }
  return {
    accountId: scope.accountId ?? metadata?.accountId ?? inferAccount(folder, source, accounts),
    region: scope.region ?? metadata?.region ?? inferRegion(folder, regions),
  };
}

function inferAccount(folder: string, source: Ec2Operation | undefined, accounts: ReadonlyMap<string, string>): string {
  if (accounts.size === 0) throw new InputError(`cannot tell the account id (no OwnerId in the files); ${HINT}`, { file: folder });
  if (accounts.size > 1) {
    throw new InputError(
      `cannot tell the account id (${cliCommandOf(source as string)}.json names ${[...accounts.keys()].sort().join(", ")}); ${HINT}`,
      { file: folder },
    );
  }
  return [...accounts.keys()][0] as string;
}

function inferRegion(folder: string, regions: ReadonlyMap<string, string>): string {
  if (regions.size === 0) throw new InputError(`cannot tell the region (no Availability Zone in the files); ${HINT}`, { file: folder });
  if (regions.size > 1)
    throw new InputError(`cannot tell the region (the files name ${[...regions.keys()].sort().join(", ")}); ${HINT}`, { file: folder });
  return [...regions.keys()][0] as string;
}
