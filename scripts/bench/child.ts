import { spawn } from "node:child_process";

/**
 * Runs `script --child …args` in a fresh Node process (this process's flags, plus `nodeFlags`) and
 * returns the JSON it prints: each measurement in a process of its own, so that one phase's heap
 * and peak RSS never leak into another's figures. `what` names the measurement in errors.
 */
export function jsonFromChild<T>(script: string, args: readonly string[], what: string, nodeFlags: readonly string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, ...process.execArgv, script, "--child", ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => {
      out += text;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== 0) return reject(new Error(`${what} exited with ${signal ?? `code ${code}`}`));
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`${what} printed no result: ${out.slice(0, 200)}`));
      }
    });
  });
}
