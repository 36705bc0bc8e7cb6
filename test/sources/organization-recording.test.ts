import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Evaluation } from "../../lib/engine/rule";
import { runRules } from "../../lib/engine/run";
import { InputError } from "../../lib/errors";
import { loadSnapshots } from "../../lib/sources/load";
import { RULES } from "../../rules";

// Organization recording folders (the shared contract in the team's notes): organization.json
// listing each account's snapshot file, or the error that kept it from being recorded. The
// fixtures are written here by hand, as `record --organization` writes them.

const A = "111122223333";
const B = "777788889999";
const FAILED = "222211110000";
const REGION = "eu-west-1";
const root = mkdtempSync(join(tmpdir(), "org-recording-"));
const example = readFileSync(join(__dirname, "..", "..", "examples", "account-snapshot.json"), "utf8");
let counter = 0;

interface AccountEntry {
  accountId: string;
  name?: string;
  status: "recorded" | "failed";
  file?: string;
  error?: string;
  regions: string[];
}

function organization(accounts: AccountEntry[], files: Record<string, string | Buffer>, regions: string[] | "all" = [REGION]): string {
  const folder = join(root, `${counter++}-org`);
  mkdirSync(folder);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
  const manifest = {
    schemaVersion: "1.0",
    kind: "organization-recording",
    capturedAt: "2026-11-20T09:30:00.000Z",
    organizationId: "o-exampleorgid",
    roleName: "ConfigRulesReader",
    regions,
    accounts,
  };
  writeFileSync(join(folder, "organization.json"), JSON.stringify(manifest));
  return folder;
}

const snapshotOf = (accountId: string) => gzipSync(example.replaceAll(A, accountId));
const single = (accountId: string) => {
  const path = join(root, `${counter++}-${accountId}.json`);
  writeFileSync(path, example.replaceAll(A, accountId));
  return path;
};
const recorded = (accountId: string, name?: string): AccountEntry => ({
  accountId,
  ...(name ? { name } : {}),
  status: "recorded",
  file: `${accountId}.json.gz`,
  regions: [REGION],
});
const failed = (regions: string[] = [REGION]): AccountEntry => ({
  accountId: FAILED,
  name: "sandbox",
  status: "failed",
  error: "AccessDenied: User is not authorized to perform sts:AssumeRole",
  regions,
});

const identity = (evaluation: Evaluation) =>
  `${evaluation.ruleId}|${evaluation.accountId}|${evaluation.region}|${evaluation.resourceType}|${evaluation.resourceId}`;
const sorted = (evaluations: readonly Evaluation[]) => [...evaluations].sort((a, b) => identity(a).localeCompare(identity(b)));
const evaluate = async (paths: string[]) => runRules((await loadSnapshots(paths)).model, { rules: RULES });

async function inputError(paths: string[]): Promise<InputError> {
  const error = await loadSnapshots(paths).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe("organization recording folders", () => {
  it("evaluates each recorded account as alone, and every rule of an account not recorded as INSUFFICIENT_DATA with the error", async () => {
    const folder = organization([recorded(A, "prod"), recorded(B), failed()], {
      [`${A}.json.gz`]: snapshotOf(A),
      [`${B}.json.gz`]: snapshotOf(B),
    });
    const { model, inputs, warnings } = await loadSnapshots([folder]);
    expect(inputs).toEqual([
      {
        path: folder,
        format: "organization-recording",
        accountIds: [FAILED, A, B].sort(),
        regions: [REGION],
        capturedAt: "2026-11-20T09:30:00.000Z",
      },
    ]);
    expect(warnings).toEqual([
      `${folder}: account ${FAILED} (sandbox) was not recorded (AccessDenied: User is not authorized to perform sts:AssumeRole): every rule is INSUFFICIENT_DATA in ${REGION}`,
    ]);
    const evaluations = runRules(model, { rules: RULES });
    const of = (accountId: string) => evaluations.filter((evaluation) => evaluation.accountId === accountId);
    expect(sorted([...of(A), ...of(B)])).toEqual(sorted([...(await evaluate([single(A)])), ...(await evaluate([single(B)]))]));
    // The same ids in both recorded accounts: each finding twice.
    expect(of(B).length).toBe(of(A).length);
    const unrecorded = of(FAILED);
    expect(unrecorded.map((evaluation) => evaluation.ruleId).sort()).toEqual(RULES.map((rule) => rule.meta.id).sort());
    for (const evaluation of unrecorded) {
      expect(evaluation).toMatchObject({
        complianceType: "INSUFFICIENT_DATA",
        resourceType: "AWS::::Account",
        resourceId: FAILED,
        region: REGION,
      });
      expect(evaluation.annotation).toMatch(
        /^Cannot evaluate: missing AWS::EC2::\w+(, AWS::EC2::\w+)* \(account 222211110000 \(sandbox\) was not recorded: AccessDenied: User is not authorized to perform sts:AssumeRole\)$/,
      );
    }
  });

  it('judges an account not recorded under regions "all" in every region the other accounts were recorded in', async () => {
    const twoRegions = JSON.parse(example) as { regions: Record<string, unknown> };
    twoRegions.regions["us-east-1"] = { DescribeAddresses: { Addresses: [] } };
    const folder = organization(
      [{ ...recorded(A), regions: [REGION, "us-east-1"] }, failed([])],
      { [`${A}.json.gz`]: gzipSync(JSON.stringify(twoRegions)) },
      "all",
    );
    const evaluations = await evaluate([folder]);
    const regions = new Set(evaluations.filter((evaluation) => evaluation.accountId === FAILED).map((evaluation) => evaluation.region));
    expect(regions).toEqual(new Set([REGION, "us-east-1"]));
    expect(evaluations.filter((evaluation) => evaluation.accountId === FAILED)).toHaveLength(RULES.length * 2);
  });

  it("judges a region the manifest lists but the account's snapshot lacks as INSUFFICIENT_DATA", async () => {
    const folder = organization([{ ...recorded(A), regions: [REGION, "ap-south-1"] }], { [`${A}.json.gz`]: snapshotOf(A) });
    const { model, warnings } = await loadSnapshots([folder]);
    expect(warnings).toEqual([`${folder}: account ${A}: ${A}.json.gz holds no ap-south-1: every rule is INSUFFICIENT_DATA there`]);
    const missing = runRules(model, { rules: RULES }).filter((evaluation) => evaluation.region === "ap-south-1");
    expect(missing).toHaveLength(RULES.length);
    expect(missing.every((evaluation) => evaluation.complianceType === "INSUFFICIENT_DATA")).toBe(true);
  });

  it("refuses a manifest naming a missing, corrupt or other account's file, naming the file and the account", async () => {
    const missing = organization([recorded(A), recorded(B)], { [`${A}.json.gz`]: snapshotOf(A) });
    expect((await inputError([missing])).message).toBe(
      `${join(missing, "organization.json")}: field accounts.1.file: account ${B}: cannot read its snapshot ${B}.json.gz: no such file or folder`,
    );
    const corrupt = organization([recorded(A)], { [`${A}.json.gz`]: snapshotOf(A).subarray(0, 200) });
    const error = await inputError([corrupt]);
    expect(error.location.file).toBe(join(corrupt, `${A}.json.gz`));
    expect(error.problem).toMatch(new RegExp(`^account ${A}: `));
    const swapped = organization([recorded(A)], { [`${A}.json.gz`]: snapshotOf(B) });
    expect((await inputError([swapped])).message).toBe(
      `${join(swapped, "organization.json")}: field accounts.0.file: account ${A}: its snapshot ${A}.json.gz is of account ${B}`,
    );
    const outside = organization([{ ...recorded(A), file: "../elsewhere.json.gz" }], {});
    expect((await inputError([outside])).message).toMatch(
      /field accounts\.0\.file: account 111122223333: \.\.\/elsewhere\.json\.gz is outside the folder$/,
    );
  });

  it("refuses a manifest that breaks the format, naming the field", async () => {
    const folder = organization([{ ...recorded(A), status: "pending" as never }], { [`${A}.json.gz`]: snapshotOf(A) });
    expect((await inputError([folder])).message).toMatch(
      new RegExp(`^${join(folder, "organization.json")}: field accounts\\.0\\.status: `),
    );
    const twice = organization([recorded(A), recorded(A)], { [`${A}.json.gz`]: snapshotOf(A) });
    expect((await inputError([twice])).message).toBe(
      `${join(twice, "organization.json")}: field accounts.1.accountId: account ${A} is listed twice`,
    );
  });

  it("keeps a folder without organization.json a folder of describe-* outputs", async () => {
    const folder = join(root, `${counter++}-describe`);
    mkdirSync(folder);
    writeFileSync(join(folder, "metadata.json"), JSON.stringify({ accountId: A, region: REGION }));
    writeFileSync(join(folder, "describe-addresses.json"), JSON.stringify({ Addresses: [] }));
    const { inputs } = await loadSnapshots([folder]);
    expect(inputs).toEqual([{ path: folder, format: "describe-folder", accountIds: [A], regions: [REGION] }]);
  });
});
