import { stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import * as z from "zod";
import { InputError } from "../errors";
import { describeFsError } from "../io/file-chunks";
import { readJsonFile } from "../io/read-json-file";
import { RESOURCE_KINDS } from "../model/kinds";
import type { ModelBuilder } from "../model/resource-model";
import { loadRecordedSnapshot, REGION_NAME } from "./recorded-snapshot";

/**
 * An organization recording folder (`record --accounts | --organization`): organization.json,
 * written last, lists every account with the file of its recorded snapshot or the error that kept
 * it from being recorded. A folder holding organization.json is read as one; any other folder is
 * a folder of describe-* outputs.
 */
export const ORGANIZATION_MANIFEST = "organization.json";

const accountId = z.string().regex(/^\d{12}$/, "expected 12 digits");
const regionList = z.array(z.string().regex(REGION_NAME, "expected a region name such as eu-west-1"));

const accountSchema = z.discriminatedUnion("status", [
  z.object({ accountId, name: z.string().optional(), status: z.literal("recorded"), file: z.string().min(1), regions: regionList }),
  z.object({ accountId, name: z.string().optional(), status: z.literal("failed"), error: z.string(), regions: regionList }),
]);

const manifestSchema = z.object({
  schemaVersion: z.literal("1.0"),
  kind: z.literal("organization-recording"),
  capturedAt: z.iso.datetime({ offset: true }),
  organizationId: z.string().optional(),
  managementAccountId: accountId.optional(),
  roleName: z.string(),
  regions: z.union([z.literal("all"), regionList]),
  accounts: z.array(accountSchema),
});

export type OrganizationManifest = z.infer<typeof manifestSchema>;

export interface OrganizationRecordingSummary {
  /** Every account the manifest lists, recorded or not, sorted. */
  accountIds: string[];
  regions: string[];
  capturedAt: string;
  /** One line per account that was not recorded, or recorded without a region it lists. */
  warnings: string[];
}

export async function isOrganizationRecording(folder: string): Promise<boolean> {
  try {
    return (await stat(join(folder, ORGANIZATION_MANIFEST))).isFile();
  } catch {
    return false;
  }
}

async function readManifest(file: string): Promise<OrganizationManifest> {
  const result = manifestSchema.safeParse(await readJsonFile(file, "organization recording manifest"));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError(issue?.message ?? "not an organization recording manifest", {
      file,
      field: issue?.path.length ? issue.path.join(".") : undefined,
    });
  }
  const seen = new Set<string>();
  result.data.accounts.forEach((account, index) => {
    if (seen.has(account.accountId)) {
      throw new InputError(`account ${account.accountId} is listed twice`, { file, field: `accounts.${index}.accountId` });
    }
    seen.add(account.accountId);
  });
  return result.data;
}

const accountLabel = (account: { accountId: string; name?: string }) =>
  account.name ? `account ${account.accountId} (${account.name})` : `account ${account.accountId}`;

/**
 * Loads every recorded account's snapshot into the builder. An account that could not be recorded
 * is a gap of every kind in each of its regions (with regions "all", the regions recorded in the
 * other accounts), so every rule is INSUFFICIENT_DATA there with the error, never silently absent.
 * A region the manifest lists that an account's snapshot lacks is a gap the same way.
 */
export async function loadOrganizationRecording(folder: string, builder: ModelBuilder): Promise<OrganizationRecordingSummary> {
  const manifestFile = join(folder, ORGANIZATION_MANIFEST);
  const manifest = await readManifest(manifestFile);
  const warnings: string[] = [];
  const recordedRegions = new Set<string>();
  const markUnrecorded = (id: string, regions: Iterable<string>, reason: string) => {
    for (const region of regions) for (const kind of RESOURCE_KINDS) builder.markGap({ accountId: id, region }, kind, reason);
  };

  for (const [index, account] of manifest.accounts.entries()) {
    if (account.status !== "recorded") continue;
    const at = { file: manifestFile, field: `accounts.${index}.file` };
    const path = resolve(folder, account.file);
    if (!path.startsWith(resolve(folder) + sep))
      throw new InputError(`${accountLabel(account)}: ${account.file} is outside the folder`, at);
    try {
      await stat(path);
    } catch (error) {
      throw new InputError(`${accountLabel(account)}: cannot read its snapshot ${account.file}: ${describeFsError(error)}`, at);
    }
    let summary: Awaited<ReturnType<typeof loadRecordedSnapshot>>;
    try {
      summary = await loadRecordedSnapshot(path, builder);
    } catch (error) {
      if (error instanceof InputError)
        throw new InputError(`${accountLabel(account)}: ${error.problem}`, { ...error.location, file: error.location.file ?? path });
      throw error;
    }
    if (summary.accountId !== account.accountId) {
      throw new InputError(`${accountLabel(account)}: its snapshot ${account.file} is of account ${summary.accountId}`, at);
    }
    for (const region of summary.regions) recordedRegions.add(region);
    const missing = account.regions.filter((region) => !summary.regions.includes(region));
    if (missing.length > 0) {
      markUnrecorded(account.accountId, missing, `${accountLabel(account)}: ${account.file} holds no ${missing.join(", ")}`);
      warnings.push(
        `${folder}: ${accountLabel(account)}: ${account.file} holds no ${missing.join(", ")}: every rule is INSUFFICIENT_DATA there`,
      );
    }
    for (const region of account.regions) recordedRegions.add(region);
  }

  for (const [index, account] of manifest.accounts.entries()) {
    if (account.status !== "failed") continue;
    const regions =
      account.regions.length > 0 ? account.regions : manifest.regions === "all" ? [...recordedRegions].sort() : manifest.regions;
    if (regions.length === 0) {
      throw new InputError(`${accountLabel(account)} was not recorded (${account.error}), and no region is known to judge it in`, {
        file: manifestFile,
        field: `accounts.${index}.regions`,
      });
    }
    markUnrecorded(account.accountId, regions, `${accountLabel(account)} was not recorded: ${account.error}`);
    warnings.push(
      `${folder}: ${accountLabel(account)} was not recorded (${account.error}): every rule is INSUFFICIENT_DATA in ${regions.join(", ")}`,
    );
  }

  const allRegions = new Set(manifest.regions === "all" ? [] : manifest.regions);
  for (const account of manifest.accounts) for (const region of account.regions) allRegions.add(region);
  for (const region of recordedRegions) allRegions.add(region);
  return {
    accountIds: manifest.accounts.map((account) => account.accountId).sort(),
    regions: [...allRegions].sort(),
    capturedAt: manifest.capturedAt,
    warnings,
  };
}
