import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DescribeAddressesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { AwsClients } from "../../lib/aws/clients";
import { main } from "../../lib/cli/main";
import {
  concurrencyPlan,
  listOrganizationAccounts,
  type OrganizationRecording,
  recordAccounts,
  recordSessionName,
} from "../../lib/record/organization";

const organizations = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);
const ec2 = mockClient(EC2Client);
const clients = new AwsClients({ region: "eu-west-1" });
const tool = { name: "ec2-config-rules", version: "0.0.0-test" };
const now = () => new Date("2026-12-01T00:00:00.000Z");

beforeEach(() => {
  organizations.reset();
  sts.reset();
  ec2.reset();
});

const tmp = () => mkdtempSync(join(tmpdir(), "org-record-"));

describe("listing the organization's accounts", () => {
  beforeEach(() => {
    organizations.on(DescribeOrganizationCommand).resolves({ Organization: { Id: "o-abc123defg", MasterAccountId: "999999999999" } });
  });

  it("reads every page, keeps ACTIVE accounts (State first, Status before it existed) and drops the excluded, sorted by id", async () => {
    organizations
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({
        Accounts: [
          { Id: "333333333333", Name: "three", State: "ACTIVE", Status: "ACTIVE" },
          { Id: "444444444444", Name: "suspended", State: "SUSPENDED", Status: "SUSPENDED" },
          // State is the newer field: it wins when they disagree.
          { Id: "555555555555", Name: "closing", State: "PENDING_CLOSURE", Status: "ACTIVE" },
        ],
        NextToken: "page-2",
      })
      .on(ListAccountsCommand, { NextToken: "page-2" })
      .resolves({
        Accounts: [
          { Id: "111111111111", Name: "one", Status: "ACTIVE" },
          { Id: "222222222222", Name: "excluded", State: "ACTIVE" },
          { Id: "666666666666", Name: "no state at all" },
        ],
      });
    const listing = await listOrganizationAccounts(clients, { exclude: new Set(["222222222222"]) });
    expect(listing).toEqual({
      organizationId: "o-abc123defg",
      managementAccountId: "999999999999",
      accounts: [
        { accountId: "111111111111", name: "one" },
        { accountId: "333333333333", name: "three" },
      ],
      inactive: [
        { accountId: "444444444444", name: "suspended", state: "SUSPENDED" },
        { accountId: "555555555555", name: "closing", state: "PENDING_CLOSURE" },
        { accountId: "666666666666", name: "no state at all", state: "UNKNOWN" },
      ],
      excluded: ["222222222222"],
    });
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(2);
  });

  it("--ou: the unit's accounts and those of every unit below it, all pages, never the whole organization's", async () => {
    const accounts: Record<string, { Id: string; State: "ACTIVE" }[]> = {
      "ou-root-aaaaaaaa": [{ Id: "111111111111", State: "ACTIVE" }],
      "ou-root-bbbbbbbb": [{ Id: "222222222222", State: "ACTIVE" }],
      "ou-root-cccccccc": [{ Id: "333333333333", State: "ACTIVE" }],
    };
    organizations.on(ListAccountsForParentCommand).callsFake(({ ParentId }) => ({ Accounts: accounts[ParentId] ?? [] }));
    organizations
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: "ou-root-aaaaaaaa", NextToken: undefined })
      .resolves({ OrganizationalUnits: [{ Id: "ou-root-bbbbbbbb" }], NextToken: "more" })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: "ou-root-aaaaaaaa", NextToken: "more" })
      .resolves({ OrganizationalUnits: [] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: "ou-root-bbbbbbbb" })
      .resolves({ OrganizationalUnits: [{ Id: "ou-root-cccccccc" }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: "ou-root-cccccccc" })
      .resolves({ OrganizationalUnits: [] });
    const listing = await listOrganizationAccounts(clients, { parentId: "ou-root-aaaaaaaa" });
    expect(listing.accounts.map((account) => account.accountId)).toEqual(["111111111111", "222222222222", "333333333333"]);
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(0);
    expect(organizations.commandCalls(ListOrganizationalUnitsForParentCommand)).toHaveLength(4);
  });

  it("a denied listing is an error, never an empty organization", async () => {
    organizations
      .on(ListAccountsCommand)
      .rejects(Object.assign(new Error("not the management account"), { name: "AccessDeniedException", $metadata: {} }));
    await expect(listOrganizationAccounts(clients)).rejects.toThrow("not the management account");
  });
});

describe("the role session name says who records", () => {
  it.each([
    ["arn:aws:iam::999999999999:user/alice", "ec2-config-rules-record-alice"],
    ["arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_Admin_0123/bob@example.com", "ec2-config-rules-record-bob@example.com"],
    ["arn:aws:iam::999999999999:root", "ec2-config-rules-record-root"],
    ["arn:aws:sts::999999999999:federated-user/carol dave", "ec2-config-rules-record-carol-dave"],
  ])("%s -> %s", (arn, name) => {
    expect(recordSessionName(arn)).toBe(name);
  });

  it("stays within STS's 64 characters and allowed set", () => {
    const name = recordSessionName(`arn:aws:sts::999999999999:assumed-role/Role/${"x".repeat(80)}#!`);
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});

describe("concurrency: (account, region) pairs at once", () => {
  it.each([
    [8, ["eu-west-1", "us-east-1"], { accountsAtOnce: 4, regionsAtOnce: 2 }],
    [4, ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2", "ap-south-1"], { accountsAtOnce: 1, regionsAtOnce: 4 }],
    [1, ["eu-west-1"], { accountsAtOnce: 1, regionsAtOnce: 1 }],
    [6, "all" as const, { accountsAtOnce: 1, regionsAtOnce: 6 }],
  ])("%i with %j", (concurrency, regions, plan) => {
    expect(concurrencyPlan(concurrency, regions)).toEqual(plan);
  });
});

/** STS as seen from each set of credentials: the caller's, and each assumed role's (key AK<account>). */
function stsAnswers(callerArn: string, denied: ReadonlySet<string> = new Set()) {
  sts.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
    const { accessKeyId } = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
    if (accessKeyId.startsWith("AK")) {
      const account = accessKeyId.slice(2);
      return { Account: account, Arn: `arn:aws:sts::${account}:assumed-role/x/y` };
    }
    return { Account: callerArn.split(":")[4], Arn: callerArn };
  });
  sts.on(AssumeRoleCommand).callsFake(async ({ RoleArn }: { RoleArn: string }) => {
    const account = RoleArn.split(":")[4] as string;
    if (denied.has(account)) {
      throw Object.assign(
        new Error(`User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${RoleArn}\nsecond line`),
        {
          name: "AccessDenied",
          $metadata: {},
        },
      );
    }
    return {
      Credentials: {
        AccessKeyId: `AK${account}`,
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: new Date(Date.now() + 3_600_000),
      },
    };
  });
}

const readIndex = (dir: string): OrganizationRecording => JSON.parse(readFileSync(join(dir, "organization.json"), "utf8"));

describe("recording the accounts", () => {
  const base = {
    clients,
    homeRegion: "eu-west-1",
    roleName: "ec2-config-rules-recorder",
    regions: ["eu-west-1", "us-east-1"],
    concurrency: 4,
    allowPartial: false,
    tool,
    now,
  };

  it("assumes the role in each account (its partition, ExternalId, session name), writes one snapshot each, then organization.json", async () => {
    stsAnswers("arn:aws-cn:iam::999999999999:user/alice", new Set(["222222222222"]));
    ec2.onAnyCommand().resolves({});
    const outputDir = tmp();
    const progress: string[] = [];
    const recording = await recordAccounts({
      ...base,
      accounts: [{ accountId: "111111111111", name: "one" }, { accountId: "222222222222" }, { accountId: "333333333333" }],
      externalId: "shared-secret-1",
      outputDir,
      organization: { organizationId: "o-abc123defg", managementAccountId: "999999999999" },
      onAccount: (account) => progress.push(`${account.index}/${account.total} ${account.accountId} ${account.outcome.status}`),
    });
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual(
      ["111111111111", "222222222222", "333333333333"].map((account) => ({
        RoleArn: `arn:aws-cn:iam::${account}:role/ec2-config-rules-recorder`,
        RoleSessionName: "ec2-config-rules-record-alice",
        ExternalId: "shared-secret-1",
        DurationSeconds: 3600,
      })),
    );
    expect(recording).toEqual({
      schemaVersion: "1.0",
      kind: "organization-recording",
      capturedAt: "2026-12-01T00:00:00.000Z",
      organizationId: "o-abc123defg",
      managementAccountId: "999999999999",
      roleName: "ec2-config-rules-recorder",
      regions: ["eu-west-1", "us-east-1"],
      accounts: [
        { accountId: "111111111111", name: "one", status: "recorded", file: "111111111111.json.gz", regions: ["eu-west-1", "us-east-1"] },
        {
          accountId: "222222222222",
          status: "failed",
          error:
            "AccessDenied: User: arn:aws-cn:iam::999999999999:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws-cn:iam::222222222222:role/ec2-config-rules-recorder",
          regions: ["eu-west-1", "us-east-1"],
        },
        { accountId: "333333333333", status: "recorded", file: "333333333333.json.gz", regions: ["eu-west-1", "us-east-1"] },
      ],
    });
    expect(readIndex(outputDir)).toEqual(recording);
    expect(readdirSync(outputDir).sort()).toEqual(["111111111111.json.gz", "333333333333.json.gz", "organization.json"]);
    const snapshot = JSON.parse(gunzipSync(readFileSync(join(outputDir, "333333333333.json.gz"))).toString("utf8"));
    expect(snapshot).toMatchObject({ schemaVersion: "1.0", accountId: "333333333333", capturedAt: "2026-12-01T00:00:00.000Z" });
    expect(Object.keys(snapshot.regions)).toEqual(["eu-west-1", "us-east-1"]);
    expect(progress.map((line) => line.split(" ")[0]).sort()).toEqual(["1/3", "2/3", "3/3"]);
    expect(progress.map((line) => line.split(" ").slice(1).join(" ")).sort()).toEqual([
      "111111111111 recorded",
      "222222222222 failed",
      "333333333333 recorded",
    ]);
  });

  it("without ExternalId the request carries none; with --regions all each account's own regions are recorded", async () => {
    stsAnswers("arn:aws:iam::999999999999:user/alice");
    ec2.onAnyCommand().resolves({});
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    const { DescribeRegionsCommand } = await import("@aws-sdk/client-ec2");
    ec2.on(DescribeRegionsCommand).resolves({ Regions: [{ RegionName: "us-east-1" }, { RegionName: "eu-west-1" }] });
    const outputDir = tmp();
    const recording = await recordAccounts({ ...base, regions: "all", accounts: [{ accountId: "111111111111" }], outputDir });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).not.toHaveProperty("ExternalId");
    expect(recording.regions).toBe("all");
    expect(recording.accounts).toEqual([
      { accountId: "111111111111", status: "recorded", file: "111111111111.json.gz", regions: ["eu-west-1", "us-east-1"] },
    ]);
  });

  it("an account whose calls failed after retries: failed with the first failure, no file, unless allowPartial", async () => {
    stsAnswers("arn:aws:iam::999999999999:user/alice");
    ec2.onAnyCommand().resolves({});
    ec2
      .on(DescribeAddressesCommand)
      .rejects(Object.assign(new Error("Request limit exceeded."), { name: "RequestLimitExceeded", $metadata: {} }));
    const strict = tmp();
    const failed = await recordAccounts({ ...base, accounts: [{ accountId: "111111111111" }], outputDir: strict });
    expect(failed.accounts).toEqual([
      {
        accountId: "111111111111",
        status: "failed",
        error: "2 call(s) failed after retries, first eu-west-1 DescribeAddresses: RequestLimitExceeded: Request limit exceeded.",
        regions: ["eu-west-1", "us-east-1"],
      },
    ]);
    expect(readdirSync(strict)).toEqual(["organization.json"]);

    const partial = tmp();
    const recorded = await recordAccounts({ ...base, allowPartial: true, accounts: [{ accountId: "111111111111" }], outputDir: partial });
    expect(recorded.accounts[0]).toMatchObject({ status: "recorded", file: "111111111111.json.gz" });
    const snapshot = JSON.parse(gunzipSync(readFileSync(join(partial, "111111111111.json.gz"))).toString("utf8"));
    expect(snapshot.failures.map((failure: { region: string; operation: string }) => `${failure.region} ${failure.operation}`)).toEqual([
      "eu-west-1 DescribeAddresses",
      "us-east-1 DescribeAddresses",
    ]);
  });

  it("credentials that turn out to be another account's are refused, never recorded under this account's name", async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "AK777777777777",
        SecretAccessKey: "s",
        SessionToken: "t",
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    sts.on(GetCallerIdentityCommand).callsFake(async (_input, getClient) => {
      const { accessKeyId } = await (getClient().config.credentials as () => Promise<{ accessKeyId: string }>)();
      return accessKeyId.startsWith("AK")
        ? { Account: accessKeyId.slice(2), Arn: "arn:aws:sts::777777777777:assumed-role/x/y" }
        : { Account: "999999999999", Arn: "arn:aws:iam::999999999999:user/alice" };
    });
    ec2.onAnyCommand().resolves({});
    const outputDir = tmp();
    const recording = await recordAccounts({ ...base, accounts: [{ accountId: "111111111111" }], outputDir });
    expect(recording.accounts[0]).toMatchObject({
      status: "failed",
      error: "the role's credentials are of account 777777777777, not 111111111111",
    });
    expect(readdirSync(outputDir)).toEqual(["organization.json"]);
  });
});

/** Runs the CLI in-process: exit code and stderr. */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const previous = process.exitCode;
  try {
    return { code: await main(["node", "ec2-config-rules", "record", ...args]), stderr };
  } finally {
    spy.mockRestore();
    process.exitCode = previous;
  }
}

describe("record's many-account flags", () => {
  it.each([
    [
      ["--accounts", "111111111111", "--organization", "--role-name", "r", "--output-dir", "d"],
      "give --accounts or --organization, not both",
    ],
    [
      ["--ou", "ou-abcd-12345678", "--role-name", "r", "--output-dir", "d"],
      "--ou records many accounts: it needs --accounts or --organization",
    ],
    [
      ["--accounts", "111111111111", "--ou", "ou-abcd-12345678", "--role-name", "r", "--output-dir", "d"],
      "--ou selects part of an organization: it needs --organization",
    ],
    [
      ["--accounts", "111111111111", "--exclude-accounts", "222222222222", "--role-name", "r", "--output-dir", "d"],
      "field --exclude-accounts: --exclude-accounts filters",
    ],
    [["--organization", "--role-name", "r"], "field --output-dir: --organization needs --output-dir <dir>"],
    [["--accounts", "111111111111", "--output-dir", "d"], "field --role-name: --accounts needs --role-name <name>"],
    [
      ["--organization", "--role-name", "r", "--output", "x.json.gz", "--output-dir", "d"],
      "--organization writes a folder: give --output-dir, not --output",
    ],
    [["--accounts", "1111,222222222222", "--role-name", "r", "--output-dir", "d"], 'field --accounts: not a 12-digit account id: "1111"'],
    [["--accounts", ",", "--role-name", "r", "--output-dir", "d"], "field --accounts: not a 12-digit account id"],
    [
      ["--organization", "--exclude-accounts", "12345678901x", "--role-name", "r", "--output-dir", "d"],
      'field --exclude-accounts: not a 12-digit account id: "12345678901x"',
    ],
    [["--organization", "--ou", "ou-x", "--role-name", "r", "--output-dir", "d"], 'field --ou: not an organizational unit id: "ou-x"'],
    [["--organization", "--role-name", "bad role", "--output-dir", "d"], 'field --role-name: not an IAM role name: "bad role"'],
    [
      ["--organization", "--role-name", "r", "--external-id", "x", "--output-dir", "d"],
      "field --external-id: expected 2 to 1224 characters",
    ],
    [["--role-name", "r"], "--role-name records many accounts: it needs --accounts or --organization"],
    [
      ["--organization", "--role-name", "r", "--output-dir", "d", "--concurrency", "0"],
      "field --concurrency: expected an integer from 1 to 32",
    ],
  ])("refuses %j with one line, exit 2, before any AWS call", async (args, message) => {
    const { code, stderr } = await cli(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(sts.calls()).toHaveLength(0);
    expect(organizations.calls()).toHaveLength(0);
  });

  it("refuses an output folder that already holds something, before any AWS call", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "organization.json"), "{}");
    const { code, stderr } = await cli("--organization", "--role-name", "r", "--output-dir", dir);
    expect(code).toBe(2);
    expect(stderr).toContain(`field --output-dir: ${dir} is not empty (1 entry); give a new or empty folder`);
    expect(organizations.calls()).toHaveLength(0);
  });

  it("exit 1 when an account failed, 0 with --allow-partial; organization.json lists it either way", async () => {
    stsAnswers("arn:aws:iam::999999999999:user/alice", new Set(["222222222222"]));
    ec2.onAnyCommand().resolves({});
    const strict = join(tmp(), "new-folder");
    const first = await cli(
      "--accounts",
      "111111111111,222222222222",
      "--role-name",
      "r",
      "--regions",
      "eu-west-1",
      "--output-dir",
      strict,
    );
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/record: \[\d\/2\] 222222222222: FAILED: AccessDenied: User: .* is not authorized/);
    expect(first.stderr).toMatch(/record: \[\d\/2\] 111111111111: recorded 1 region\(s\), 0 item\(s\) -> 111111111111\.json\.gz/);
    expect(first.stderr).toContain("1 account(s) recorded, 1 failed: 222222222222");
    expect(readIndex(strict).accounts.map((account) => account.status)).toEqual(["recorded", "failed"]);

    const partial = tmp();
    const second = await cli(
      "--accounts",
      "111111111111,222222222222",
      "--role-name",
      "r",
      "--regions",
      "eu-west-1",
      "--output-dir",
      partial,
      "--allow-partial",
    );
    expect(second.code).toBe(0);
    expect(readIndex(partial).accounts.map((account) => account.status)).toEqual(["recorded", "failed"]);
  });

  it("exit 1 when no account could be recorded, even with --allow-partial", async () => {
    stsAnswers("arn:aws:iam::999999999999:user/alice", new Set(["111111111111"]));
    const { code, stderr } = await cli(
      "--accounts",
      "111111111111",
      "--role-name",
      "r",
      "--regions",
      "eu-west-1",
      "--output-dir",
      tmp(),
      "--allow-partial",
    );
    expect(code).toBe(1);
    expect(stderr).toContain("record: no account could be recorded; exit 1");
  });

  it("--organization: skips accounts not ACTIVE, says so, and refuses an organization left with none", async () => {
    stsAnswers("arn:aws:iam::999999999999:user/alice");
    ec2.onAnyCommand().resolves({});
    organizations.on(DescribeOrganizationCommand).resolves({ Organization: { Id: "o-abc123defg", MasterAccountId: "999999999999" } });
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: "111111111111", Name: "one", State: "ACTIVE" },
        { Id: "444444444444", Name: "gone", State: "SUSPENDED" },
      ],
    });
    const dir = tmp();
    const ok = await cli("--organization", "--role-name", "r", "--regions", "eu-west-1", "--output-dir", dir);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain("record: 444444444444 (gone): skipped, SUSPENDED (not ACTIVE)");
    expect(ok.stderr).toContain("record: 1 ACTIVE account(s) in o-abc123defg");
    expect(readIndex(dir)).toMatchObject({
      organizationId: "o-abc123defg",
      managementAccountId: "999999999999",
      accounts: [{ accountId: "111111111111", name: "one" }],
    });

    const none = await cli(
      "--organization",
      "--exclude-accounts",
      "111111111111",
      "--role-name",
      "r",
      "--regions",
      "eu-west-1",
      "--output-dir",
      tmp(),
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no ACTIVE account to record in o-abc123defg (1 excluded, 1 not active)");
  });
});
