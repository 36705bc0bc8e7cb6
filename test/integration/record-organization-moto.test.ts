import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CloseAccountCommand, CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { main } from "../../lib/cli/main";
import type { Evaluation } from "../../lib/engine/rule";
import type { OrganizationRecording } from "../../lib/record/organization";
import { createSampleAccount, type SampleAccount, useMotoServer } from "./moto-server";

// Acceptance of issue 12's `record --organization`: an organization made through moto's
// Organizations API (management account 123456789012, two members, one closed), each member seeded
// through a role assumed there (moto keeps one backend per account). The organization recording
// must give, account by account, the verdicts of that account's own single-account record + evaluate.
const REGION = "eu-west-1";
const MANAGEMENT = "123456789012";
const ROLE = "OrganizationAccountAccessRole";
const tmp = mkdtempSync(join(tmpdir(), "record-org-moto-"));

interface Member {
  accountId: string;
  name: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  sample: SampleAccount;
}
const members: Member[] = [];
let suspended = "";

/** moto draws its ids from one random generator; the same seed before the same calls gives the same ids. */
async function seedMotoIds(seed: number): Promise<void> {
  const response = await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/seed?a=${seed}`, { method: "POST" });
  if (!response.ok) throw new Error(`moto-api/seed answered ${response.status}`);
}

async function createOrganization(): Promise<void> {
  const organizations = new OrganizationsClient({ region: "us-east-1" });
  const sts = new STSClient({ region: REGION });
  await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
  const created: { accountId: string; name: string }[] = [];
  for (const name of ["member-a", "member-b", "closed"]) {
    const { CreateAccountStatus } = await organizations.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
    created.push({ accountId: CreateAccountStatus?.AccountId as string, name });
  }
  suspended = created[2]?.accountId as string;
  await organizations.send(new CloseAccountCommand({ AccountId: suspended }));
  // Credentials first: AssumeRole draws random key ids, which would shift the seeded EC2 ids.
  const entered = [];
  for (const account of created.slice(0, 2)) {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account.accountId}:role/${ROLE}`, RoleSessionName: "seed" }),
    );
    entered.push({
      ...account,
      credentials: {
        accessKeyId: Credentials?.AccessKeyId as string,
        secretAccessKey: Credentials?.SecretAccessKey as string,
        sessionToken: Credentials?.SessionToken,
      },
    });
  }
  // Each account's EC2 backend is built (default VPC, …) on its first call: before seeding.
  for (const account of entered)
    await new EC2Client({ region: REGION, credentials: account.credentials }).send(new DescribeVpcsCommand({}));
  for (const account of entered) {
    await seedMotoIds(12);
    members.push({ ...account, sample: await createSampleAccount(REGION, account.credentials) });
  }
}

// moto answers DescribePlacementGroups with an error page: 2 attempts, and --allow-partial everywhere.
const { motoIt } = useMotoServer({ env: { AWS_MAX_ATTEMPTS: "2" }, setup: createOrganization });

/** Runs the CLI in-process, with `env` set for the run: exit code, stdout and stderr. */
async function cli(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  const previousExitCode = process.exitCode;
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return { code: await main(["node", "ec2-config-rules", ...args]), stdout, stderr };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    out.mockRestore();
    err.mockRestore();
    process.exitCode = previousExitCode;
  }
}

/** `evaluate --format json` of the inputs: the evaluations, in a stable order. */
async function evaluate(...inputs: string[]): Promise<Evaluation[]> {
  const output = join(tmp, `evaluation-${Math.random().toString(36).slice(2)}.json`);
  const { code, stderr } = await cli(["evaluate", "--snapshot", ...inputs, "--format", "json", "--output", output]);
  // 1: something is NON_COMPLIANT, as the sample account means it to be.
  expect({ code, stderr: stderr.replace(/^warning: .*\n/m, "") }).toEqual({ code: 1, stderr: "" });
  const evaluations = JSON.parse(readFileSync(output, "utf8")) as Evaluation[];
  const key = (evaluation: Evaluation) => `${evaluation.accountId} ${evaluation.region} ${evaluation.ruleId} ${evaluation.resourceId}`;
  return evaluations.sort((a, b) => key(a).localeCompare(key(b)));
}

describe("record --organization against moto's Organizations and STS", () => {
  const dir = join(tmp, "organization");

  motoIt(
    "records each ACTIVE member through the role assumed there; per-account verdicts equal each account's own record + evaluate",
    async () => {
      const [a, b] = members as [Member, Member];
      // The same resource ids in both members, as with a shared VPC: moto was seeded alike.
      expect(b.sample).toEqual(a.sample);

      const { code, stderr } = await cli([
        "record",
        "--organization",
        "--role-name",
        ROLE,
        "--exclude-accounts",
        MANAGEMENT,
        "--regions",
        REGION,
        "--allow-partial",
        "--output-dir",
        dir,
      ]);
      expect(code).toBe(0);
      expect(stderr).toContain(`record: ${suspended} (closed): skipped, SUSPENDED (not ACTIVE)`);
      expect(stderr).toMatch(/record: 2 ACTIVE account\(s\) in o-\w+, 1 excluded/);
      for (const member of members)
        expect(stderr).toMatch(new RegExp(`record: \\[\\d/2\\] ${member.accountId} \\(${member.name}\\): recorded 1 region\\(s\\)`));

      const index = JSON.parse(readFileSync(join(dir, "organization.json"), "utf8")) as OrganizationRecording;
      expect(index).toMatchObject({
        schemaVersion: "1.0",
        kind: "organization-recording",
        organizationId: expect.stringMatching(/^o-/),
        managementAccountId: MANAGEMENT,
        roleName: ROLE,
        regions: [REGION],
      });
      expect(index.accounts).toEqual(
        [...members]
          .sort((x, y) => x.accountId.localeCompare(y.accountId))
          .map((member) => ({
            accountId: member.accountId,
            name: member.name,
            status: "recorded",
            file: `${member.accountId}.json.gz`,
            regions: [REGION],
          })),
      );
      expect(readdirSync(dir).sort()).toEqual([...members.map((member) => `${member.accountId}.json.gz`).sort(), "organization.json"]);

      for (const member of members) {
        const single = join(tmp, `single-${member.accountId}.json.gz`);
        const recorded = await cli(["record", "--regions", REGION, "--allow-partial", "--output", single], {
          AWS_ACCESS_KEY_ID: member.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: member.credentials.secretAccessKey,
          AWS_SESSION_TOKEN: member.credentials.sessionToken,
        });
        expect(recorded.code).toBe(0);
        const own = await evaluate(single);
        const fromOrganization = await evaluate(join(dir, `${member.accountId}.json.gz`));
        expect(own.length).toBeGreaterThan(10);
        expect(new Set(own.map((evaluation) => evaluation.accountId))).toEqual(new Set([member.accountId]));
        expect(fromOrganization).toEqual(own);
        // Something of each verdict the sample account is built for.
        expect(own).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ ruleId: "imdsv2-required", resourceId: member.sample.imdsv1, complianceType: "NON_COMPLIANT" }),
            expect.objectContaining({ ruleId: "imdsv2-required", resourceId: member.sample.imdsv2, complianceType: "COMPLIANT" }),
            expect.objectContaining({ ruleId: "eip-attached", resourceId: member.sample.idleEip, complianceType: "NON_COMPLIANT" }),
          ]),
        );
      }
    },
    120_000,
  );

  /** Evaluated together, each member keeps its own verdicts, and an id both hold is reported once per account. */
  const expectEachAccountOnce = async (together: Evaluation[]) => {
    expect(new Set(together.map((evaluation) => evaluation.accountId))).toEqual(new Set(members.map((member) => member.accountId)));
    for (const member of members) {
      const own = await evaluate(join(dir, `${member.accountId}.json.gz`));
      expect(together.filter((evaluation) => evaluation.accountId === member.accountId)).toEqual(own);
    }
    const idle = together.filter(
      (evaluation) => evaluation.ruleId === "eip-attached" && evaluation.resourceId === members[0]?.sample.idleEip,
    );
    expect(idle.map((evaluation) => `${evaluation.accountId} ${evaluation.complianceType}`).sort()).toEqual(
      members.map((member) => `${member.accountId} NON_COMPLIANT`).sort(),
    );
  };

  motoIt("the members' files evaluated together: the resource ids both hold are reported twice, once per account", async () => {
    await expectEachAccountOnce(await evaluate(...members.map((member) => join(dir, `${member.accountId}.json.gz`))));
  });

  motoIt("evaluate <folder>: the same as its files evaluated together", async () => {
    await expectEachAccountOnce(await evaluate(dir));
  });
});
