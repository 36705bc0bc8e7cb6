import { join } from "node:path";
import { main } from "../../lib/cli/main";
import { ACCOUNT, FakeEc2, REGION } from "./fake-ec2";

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
    expect(stdout).toContain("eip-attached: 1 non-compliant (1 fix, 0 manual, 0 skip)");
    expect(stdout).toContain('call: ec2:ReleaseAddress {"AllocationId":"eipalloc-0idle000000000001"}');
    expect(stdout).toMatch(/placement-group-limits: \d+ non-compliant \(0 fix/);
  });

  it("prints JSON with the calls, parameters, resources and reasons", async () => {
    const { code, stdout } = await run("remediate", "--plan", "--snapshot", example, "--rule", "sg-attached-to-eni", "--format", "json");
    expect(code).toBe(0);
    const { plans } = JSON.parse(stdout);
    expect(plans).toHaveLength(1);
    expect(plans[0].ruleId).toBe("sg-attached-to-eni");
    for (const action of plans[0].actions) {
      expect(Object.keys(action)).toEqual(["ruleId", "resourceType", "resourceId", "region", "accountId", "status", "calls", "why", "manualSteps"]);
    }
    expect(plans[0].actions.some((action: { status: string }) => action.status === "fix")).toBe(true);
  });

  it("refuses bad usage with one line and exit 2", async () => {
    expect(await run("remediate", "--snapshot", example)).toMatchObject({ code: 2, stderr: "ec2-config-rules: field --plan/--apply: give exactly one of --plan or --apply\n" });
    expect(await run("remediate", "--plan")).toMatchObject({ code: 2, stderr: "ec2-config-rules: field --snapshot: --plan needs --snapshot <path>\n" });
    expect((await run("remediate", "--plan", "--snapshot", "/nonexistent.json")).code).toBe(2);
  });
});

describe("ec2-config-rules remediate --apply (live, mocked EC2)", () => {
  let ec2: FakeEc2;
  const live = ["--rule", "eip-attached", "--region", REGION, "--account-id", ACCOUNT];
  beforeEach(() => {
    ec2 = new FakeEc2();
    ec2.addresses = [
      { AllocationId: "eipalloc-a", PublicIp: "198.51.100.1", Domain: "vpc" },
      { AllocationId: "eipalloc-b", PublicIp: "198.51.100.2", Domain: "vpc" },
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
});
