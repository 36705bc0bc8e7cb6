import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const example = join(root, "examples", "account-snapshot.json");
const tmp = mkdtempSync(join(tmpdir(), "cli-io-"));
const folder = join(tmp, "a-folder");
mkdirSync(folder);

/** Runs the built CLI (npm test builds dist/); `stdout` may be a file path such as /dev/full. */
function cli(args: string[], stdout?: string, cwd?: string) {
  const fd = stdout ? openSync(stdout, "w") : undefined;
  try {
    const result = spawnSync(process.execPath, [join(root, "bin", "ec2-config-rules.js"), ...args], {
      encoding: "utf8",
      stdio: ["ignore", fd ?? "pipe", "pipe"],
      cwd,
      // No AWS call may happen before the output is checked; this endpoint answers nothing.
      env: {
        ...process.env,
        FORCE_COLOR: "0",
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID: "x",
        AWS_SECRET_ACCESS_KEY: "x",
        AWS_MAX_ATTEMPTS: "1",
      },
    });
    return { code: result.status, stderr: result.stderr };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Targets no write can succeed on, even as root (who ignores chmod): a missing folder, a folder
 * itself, a path under a file (ENOTDIR), and /proc, where no file can be created.
 */
const badTargets: [string, string][] = [
  ["a missing folder", join(tmp, "no-such-dir", "out")],
  ["a folder", folder],
  ["a path under a file", "/etc/passwd/out"],
  ["a folder where nothing can be created", "/proc/out"],
];

const outputCommands: [string, string[]][] = [
  ["evaluate", ["evaluate", "--snapshot", example]],
  ["report", ["report", "--snapshot", example, "--format", "json"]],
  ["event", ["event", "eip-attached", "--type", "change", "--snapshot", example, "--resource", "eipalloc-0idle000000000001"]],
  ["record", ["record", "--regions", "eu-west-1"]],
];

const expectOneLineUsageError = (result: { code: number | null; stderr: string }, pattern: RegExp) => {
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.code).toBe(2);
};

describe("every command reports failing I/O as one line and exit 2", () => {
  describe.each(outputCommands)("%s --output", (_name, args) => {
    test.each(badTargets)("onto %s", (_what, target) => {
      expectOneLineUsageError(cli([...args, "--output", target]), /field --output: /);
    });
  });

  test("no temp or probe file is left beside a refused target", () => {
    expect(readdirSync(folder)).toEqual([]);
  });

  test.each([
    ["rules", ["rules"]],
    ["evaluate", ["evaluate", "--snapshot", example]],
    ["remediate --plan", ["remediate", "--plan", "--snapshot", example]],
  ])("%s with stdout on a full device", (_name, args) => {
    expectOneLineUsageError(cli(args, "/dev/full"), /ENOSPC/);
  });

  test("record without --output checks the current folder, where its default file goes", () => {
    expectOneLineUsageError(cli(["record", "--regions", "eu-west-1"], undefined, "/proc"), /field --output: cannot write in \.: /);
  });

  test("an AWS call that fails (no endpoint answers) is one line and exit 3", () => {
    const result = cli(["event", "eip-attached", "--type", "scheduled", "--region", "eu-west-1"]);
    expect(result.stderr).toBe("ec2-config-rules: an AWS call failed: Error: connect ECONNREFUSED 127.0.0.1:9\n");
    expect(result.code).toBe(3);
  });

  test.each([
    ["invoke --event under a file", ["invoke", "eip-attached", "--event", "/etc/passwd/event.json"]],
    ["invoke --event a folder", ["invoke", "eip-attached", "--event", folder]],
    ["remediate --params a folder", ["remediate", "--plan", "--snapshot", example, "--params", folder]],
    ["evaluate --exemptions under a file", ["evaluate", "--snapshot", example, "--exemptions", "/etc/passwd/x.json"]],
  ])("%s", (_name, args) => {
    expectOneLineUsageError(cli(args), /cannot read/);
  });
});
