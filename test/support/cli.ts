import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
export const EXAMPLE_SNAPSHOT = join(ROOT, "examples", "account-snapshot.json");

/** Runs the built CLI as a user would (npm test builds dist/ before Jest runs). */
export function runCli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "ec2-config-rules.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
