import { readdir } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { InputError } from "../errors";
import { readJsonFile } from "../io/read-json-file";
import type { ModelBuilder } from "../model/resource-model";
import type { ResourceRecord } from "../model/types";
import { EC2_OPERATIONS, type Ec2Operation } from "./ec2-adapter";
import { readJsonStream, type ValueMode } from "./json-stream";
import { normalizeLocatedItem, REGION_NAME } from "./recorded-snapshot";

/**
 * A folder of `aws ec2 describe-… --output json` outputs, one file per command, named after it
 * (`describe-instances.json`, or `.json.gz`). The CLI output is the SDK response with pages merged,
 * so the items go through the same EC2 adapter as a recorded snapshot.
 *
 * Any other visible file in the folder is an error rather than ignored: a misspelt or unsupported
 * command name would otherwise silently leave a kind uncollected.
 */

export const METADATA_FILE = "metadata.json";

/** `DescribeVpcEndpoints` → `describe-vpc-endpoints`. */
const commandOf = (operation: Ec2Operation): string => operation.replace(/[A-Z]/g, (letter, at: number) => `${at ? "-" : ""}${letter.toLowerCase()}`);

const OPERATION_BY_COMMAND = new Map<string, Ec2Operation>(
  (Object.keys(EC2_OPERATIONS) as Ec2Operation[]).map((operation) => [commandOf(operation), operation]),
);

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

export interface DescribeFolderSummary {
  accountId: string;
  region: string;
}

const HINT = `add ${METADATA_FILE} with {"accountId": "123456789012", "region": "eu-west-1"}`;

export async function loadDescribeFolder(folder: string, builder: ModelBuilder): Promise<DescribeFolderSummary> {
  const files = new Map<Ec2Operation, string>();
  let metadataPath: string | undefined;
  for (const name of (await readdir(folder)).sort()) {
    if (name.startsWith(".")) continue;
    if (name === METADATA_FILE) {
      metadataPath = join(folder, name);
      continue;
    }
    const operation = OPERATION_BY_COMMAND.get(name.replace(/\.json(\.gz)?$/, ""));
    if (!operation || !/\.json(\.gz)?$/.test(name)) {
      throw new InputError(
        `unexpected file in a describe folder (expected ${METADATA_FILE} or one of ${[...OPERATION_BY_COMMAND.keys()].map((c) => `${c}.json`).join(", ")}, optionally .gz)`,
        { file: join(folder, name) },
      );
    }
    if (files.has(operation)) {
      throw new InputError(`${commandOf(operation)} is given twice (.json and .json.gz)`, { file: join(folder, name) });
    }
    files.set(operation, join(folder, name));
  }
  if (files.size === 0) throw new InputError(`no describe-*.json files in the folder (expected e.g. describe-instances.json)`, { file: folder });

  const metadata = metadataPath ? await readMetadata(metadataPath) : undefined;
  const owners = new Map<Ec2Operation, Set<string>>();
  const regions = new Set<string>();
  const pending: ResourceRecord[] = [];

  for (const [operation, file] of files) {
    const { listKey } = EC2_OPERATIONS[operation];
    let listSeen = false;
    await readJsonStream(file, {
      modeOf(path): ValueMode {
        if (path[0] !== listKey) return "skip";
        listSeen = true;
        return "records";
      },
      onValue(path) {
        throw new InputError("expected an array", { field: path.join(".") });
      },
      onRecord(path, index, item) {
        if (!metadata) noteOrigin(operation, item, owners, regions);
        const origin = metadata ?? { accountId: "", region: "" };
        pending.push(...normalizeLocatedItem(operation, item, origin, `${path.join(".")}[${index}]`, file));
      },
    });
    if (!listSeen) throw new InputError("required", { file, field: listKey });
  }

  const origin = metadata ?? inferOrigin(folder, owners, regions);
  for (const record of pending) {
    record.accountId = origin.accountId;
    record.region = origin.region;
    builder.add(record);
  }
  for (const operation of Object.keys(EC2_OPERATIONS) as Ec2Operation[]) {
    const { kind } = EC2_OPERATIONS[operation];
    if (files.has(operation)) builder.markCollected(origin, kind);
    else builder.markGap(origin, kind, `no ${commandOf(operation)}.json in ${folder}`);
  }
  return origin;
}

async function readMetadata(file: string): Promise<DescribeFolderSummary> {
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

/** Collects the account ids and regions an item names, to infer the folder's scope without metadata. */
function noteOrigin(operation: Ec2Operation, item: unknown, owners: Map<Ec2Operation, Set<string>>, regions: Set<string>): void {
  if (item === null || typeof item !== "object") return;
  const object = item as Record<string, unknown>;
  const addOwner = (owner: unknown) => {
    if (typeof owner !== "string" || !/^\d{12}$/.test(owner)) return;
    const set = owners.get(operation) ?? new Set<string>();
    owners.set(operation, set);
    set.add(owner);
  };
  const addZone = (zone: unknown) => {
    const region = availabilityZoneRegion(zone);
    if (region) regions.add(region);
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

function inferOrigin(folder: string, owners: Map<Ec2Operation, Set<string>>, regions: Set<string>): DescribeFolderSummary {
  const source = OWNER_SOURCES.find((operation) => owners.has(operation));
  const accounts = source ? [...(owners.get(source) as Set<string>)] : [];
  if (accounts.length === 0) {
    throw new InputError(`cannot tell the account id (no OwnerId in the files); ${HINT}`, { file: folder });
  }
  if (accounts.length > 1) {
    throw new InputError(`cannot tell the account id (${source} names ${accounts.sort().join(", ")}); ${HINT}`, { file: folder });
  }
  if (regions.size === 0) {
    throw new InputError(`cannot tell the region (no Availability Zone in the files); ${HINT}`, { file: folder });
  }
  if (regions.size > 1) {
    throw new InputError(`cannot tell the region (the files name ${[...regions].sort().join(", ")}); ${HINT}`, { file: folder });
  }
  return { accountId: accounts[0] as string, region: [...regions][0] as string };
}
