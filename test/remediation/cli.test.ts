import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteSecurityGroupCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { main } from "../../lib/cli/main";
import { ACCOUNT, awsError, FakeEc2, REGION } from "./fake-ec2";

const example = join(__dirname, "..", "..", "examples", "account-snapshot.json");

async function run(...args: string[]) {
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
  process.exitCode = undefined;
  try {
    const code = await main(["node", "ec2-config-rules", ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

describe("ec2-config-rules remediate --plan (offline)", () => {
  it("prints the plan of every rule as a table", async () => {
    const { code, stdout } = await run("remediate", "--plan", "--snapshot", example);
    expect(code).toBe(0);
    // Nothing shows how long the example's idle address has been unassociated: no release is planned.
    expect(stdout).toContain("eip-attached: 1 non-compliant (0 fix, 0 manual, 1 skip)");
    expect(stdout).toContain("nothing shows how long it has been unassociated");
    expect(stdout).not.toContain("ReleaseAddress");
    expect(stdout).toMatch(/placement-group-limits: \d+ non-compliant \(0 fix/);
  });

  it("prints JSON with the calls, parameters, resources and reasons", async () => {
    const { code, stdout } = await run("remediate", "--plan", "--snapshot", example, "--rule", "sg-attached-to-eni", "--format", "json");
    expect(code).toBe(0);
    const { plans } = JSON.parse(stdout);
    expect(plans).toHaveLength(1);
    expect(plans[0].ruleId).toBe("sg-attached-to-eni");
    for (const action of plans[0].actions) {
      expect(Object.keys(action)).toEqual([
        "ruleId",
        "resourceType",
        "resourceId",
        "region",
        "accountId",
        "status",
        "calls",
        "why",
        "manualSteps",
      ]);
    }
    expect(plans[0].actions.some((action: { status: string }) => action.status === "fix")).toBe(true);
  });

  it("refuses bad usage with one line and exit 2", async () => {
    expect(await run("remediate", "--snapshot", example)).toMatchObject({
      code: 2,
      stderr: "ec2-config-rules: field --plan/--apply: give exactly one of --plan or --apply\n",
    });
    expect(await run("remediate", "--plan")).toMatchObject({
      code: 2,
      stderr: "ec2-config-rules: field --snapshot: --plan needs --snapshot <path>\n",
    });
    expect((await run("remediate", "--plan", "--snapshot", "/nonexistent.json")).code).toBe(2);
  });

  it("takes the previous report's first-seen date as evidence for a release (--previous), within --release-after-days", async () => {
    const dir = mkdtempSync(join(tmpdir(), "remediate-previous-"));
    const previous = join(dir, "previous.json");
    expect((await run("report", "--snapshot", example, "--format", "json", "--output", previous)).code).toBe(0);
    const report = JSON.parse(readFileSync(previous, "utf8"));
    for (const finding of report.findings) if (finding.ruleId === "eip-attached") finding.firstSeen = "2026-01-05T00:00:00.000Z";
    writeFileSync(previous, JSON.stringify(report));
    const planned = await run(
      "remediate",
      "--plan",
      "--snapshot",
      example,
      "--rule",
      "eip-attached",
      "--previous",
      previous,
      "--format",
      "json",
    );
    expect(planned.code).toBe(0);
    const [action] = JSON.parse(planned.stdout).plans[0].actions;
    expect(action).toMatchObject({
      status: "fix",
      calls: [{ operation: "ReleaseAddress", parameters: { AllocationId: "eipalloc-0idle000000000001" } }],
    });
    expect(action.why).toContain(
      `unassociated since at least 2026-01-05T00:00:00.000Z (first seen non-compliant in the previous report ${previous})`,
    );
    const longer = await run(
      "remediate",
      "--plan",
      "--snapshot",
      example,
      "--rule",
      "eip-attached",
      "--previous",
      previous,
      "--release-after-days",
      "3650",
      "--format",
      "json",
    );
    expect(JSON.parse(longer.stdout).plans[0].actions[0].status).toBe("skip");
    expect(await run("remediate", "--plan", "--snapshot", example, "--release-after-days", "soon")).toMatchObject({
      code: 2,
      stderr: 'ec2-config-rules: field --release-after-days: expected a whole number of days from 0 to 3650, got "soon"\n',
    });
  });

  it.each(["abc", "0", "-1", "1.5", ""])("refuses --cap %j in every mode (exit 2)", async (cap) => {
    const expected = `ec2-config-rules: field --cap: expected a positive whole number, got "${cap}"\n`;
    expect(await run("remediate", "--plan", "--snapshot", example, "--cap", cap)).toMatchObject({ code: 2, stderr: expected, stdout: "" });
    expect(
      await run("remediate", "--apply", "--rule", "eip-attached", "--region", REGION, "--account-id", ACCOUNT, "--cap", cap),
    ).toMatchObject({ code: 2, stderr: expected });
  });
});

describe("ec2-config-rules remediate --apply (live, mocked EC2)", () => {
  let ec2: FakeEc2;
  const live = ["--rule", "eip-attached", "--region", REGION, "--account-id", ACCOUNT];
  beforeEach(() => {
    ec2 = new FakeEc2();
    // Both were taken off an instance long ago (ec2-no-public-ip's tag): past the grace period.
    const Tags = [{ Key: "ec2-config-rules:disassociated-at", Value: "2026-01-01T00:00:00.000Z" }];
    ec2.addresses = [
      { AllocationId: "eipalloc-a", PublicIp: "198.51.100.1", Domain: "vpc", Tags },
      { AllocationId: "eipalloc-b", PublicIp: "198.51.100.2", Domain: "vpc", Tags },
    ];
  });
  afterEach(() => ec2.mock.restore());

  it("without --yes shows the plan and changes nothing", async () => {
    const { code, stdout, stderr } = await run("remediate", "--apply", ...live);
    expect(code).toBe(0);
    expect(stdout).toContain("eip-attached: 2 non-compliant (2 fix");
    expect(stderr).toContain("Plan only: nothing was changed");
    expect(ec2.writes).toEqual([]);
  });

  it("with --yes applies only the named resources", async () => {
    const { code, stdout } = await run("remediate", "--apply", ...live, "--resource", "eipalloc-b", "--yes", "--format", "json");
    expect(code).toBe(0);
    const { report } = JSON.parse(stdout);
    expect(report.outcomes).toEqual([expect.objectContaining({ resourceId: "eipalloc-b", status: "applied", after: "deleted" })]);
    expect(ec2.writes).toEqual(['ReleaseAddress:{"AllocationId":"eipalloc-b"}']);
  });

  it("applies nothing above --cap and exits 1", async () => {
    const { code, stdout } = await run("remediate", "--apply", ...live, "--yes", "--cap", "1");
    expect(code).toBe(1);
    expect(stdout).toContain("2 resources need a fix, above the cap of 1 per run: nothing was applied");
    expect(ec2.writes).toEqual([]);
  });

  it("needs exactly one rule", async () => {
    const { code, stderr } = await run("remediate", "--apply", "--region", REGION, "--account-id", ACCOUNT);
    expect(code).toBe(2);
    expect(stderr).toBe("ec2-config-rules: field --rule: --apply needs exactly one --rule <id>\n");
  });

  describe("exit codes", () => {
    const group = (id: string) => ({
      GroupId: id,
      GroupName: id,
      VpcId: "vpc-1",
      OwnerId: ACCOUNT,
      Description: id,
      IpPermissions: [],
      IpPermissionsEgress: [],
    });
    const sg = ["--rule", "sg-attached-to-eni", "--region", REGION, "--account-id", ACCOUNT, "--yes", "--format", "json"];
    beforeEach(() => {
      ec2.addresses = [];
      ec2.groups = [group("sg-unused")];
    });

    it("0 when every fix applied is re-verified compliant", async () => {
      const { code, stdout } = await run("remediate", "--apply", ...sg);
      expect(JSON.parse(stdout).report.outcomes).toEqual([expect.objectContaining({ status: "applied", after: "deleted" })]);
      expect(code).toBe(0);
    });

    it("1 when the re-check after apply still finds the resource non-compliant", async () => {
      // The call succeeds, but the group is still there (e.g. recreated by its stack at once).
      ec2.mock.on(DeleteSecurityGroupCommand).callsFake((input) => {
        if (input.DryRun) throw awsError("DryRunOperation");
        return {};
      });
      const { code, stdout } = await run("remediate", "--apply", ...sg);
      expect(JSON.parse(stdout).report.outcomes).toEqual([expect.objectContaining({ status: "applied", after: "NON_COMPLIANT" })]);
      expect(code).toBe(1);
    });

    it("3 with one line when reading the account fails, never a stack trace", async () => {
      ec2.mock
        .on(DescribeSecurityGroupsCommand)
        .rejects(awsError("AuthFailure", "AWS was not able to validate the provided access credentials"));
      const { code, stdout, stderr } = await run("remediate", "--apply", ...sg);
      expect(stderr).toBe(
        "ec2-config-rules: reading the account failed: ec2:DescribeSecurityGroups failed in 111122223333/eu-west-1 after retries: AuthFailure: AWS was not able to validate the provided access credentials\n",
      );
      expect(stdout).toBe("");
      expect(code).toBe(3);
    });

    it("3 when a dry run shows a permission is missing", async () => {
      ec2.denied.add("DeleteSecurityGroup");
      const { code, stdout } = await run("remediate", "--apply", ...sg);
      expect(JSON.parse(stdout).report.outcomes).toEqual([expect.objectContaining({ status: "unauthorized" })]);
      expect(code).toBe(3);
      expect(ec2.writes).toEqual([]);
    });
  });
});
