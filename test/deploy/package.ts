import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
const OSLS = path.join(ROOT, "node_modules", "osls", "bin", "serverless.js");

/** Packaging as `npm run package` does it, with no AWS credentials or configuration reachable. */
export function packagingEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("AWS_")) env[name] = value;
  return {
    ...env,
    SLS_TELEMETRY_DISABLED: "1",
    AWS_CONFIG_FILE: path.join(ROOT, "no-such-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, "no-such-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

export interface PackageRun {
  code: number;
  output: string;
  dir: string;
}

/** `osls package` for a stage and parameters file, into a fresh directory. */
export function runPackage(stage: string, paramsFile: string): Promise<PackageRun> {
  const dir = mkdtempSync(path.join(tmpdir(), `ec2-config-rules-${stage}-`));
  const args = [OSLS, "package", "--stage", stage, "--param", `config=${paramsFile}`, "--package", dir];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env: packagingEnv(), timeout: 280_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`, dir });
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: assertions read CloudFormation properties of every shape
type Properties = Record<string, any>;

export type Template = { Resources: Record<string, { Type: string; Properties: Properties; DependsOn?: string[] }> };

export function readTemplate(run: PackageRun): Template {
  const file = path.join(run.dir, "cloudformation-template-update-stack.json");
  if (run.code !== 0 || !existsSync(file)) throw new Error(`osls package failed (exit ${run.code}):\n${run.output}`);
  return JSON.parse(readFileSync(file, "utf8"));
}

export function removeRun(run: PackageRun | undefined): void {
  if (run) rmSync(run.dir, { recursive: true, force: true });
}
