import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, Socket } from "node:net";

/** How to start moto's server on this machine, or undefined when moto is not installed. */
function motoCommand(): { command: string; args: string[] } | undefined {
  for (const candidate of [process.env.MOTO_SERVER, "/root/.pyenv/shims/moto_server"]) {
    if (candidate && existsSync(candidate)) return { command: candidate, args: [] };
  }
  const which = spawnSync("which", ["moto_server"], { encoding: "utf8" });
  if (which.status === 0 && which.stdout.trim()) return { command: which.stdout.trim(), args: [] };
  const python = spawnSync("python3", ["-c", "import moto.server"], { encoding: "utf8" });
  if (python.status === 0) return { command: "python3", args: ["-m", "moto.server"] };
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
      socket.connect(port, "127.0.0.1");
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts moto's server on 127.0.0.1 on a free port; undefined (with a visible message) when moto
 * is not installed, so the caller can skip.
 */
export async function startMoto(): Promise<MotoServer | undefined> {
  const moto = motoCommand();
  if (!moto) {
    console.warn("moto is not installed (no moto_server, no python3 -m moto.server): skipping the moto integration tests");
    return undefined;
  }
  const port = await freePort();
  const child = spawn(moto.command, [...moto.args, "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  try {
    await waitForPort(port, child, 20_000);
  } catch (error) {
    child.kill();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        // Its HTTP server can take seconds to wind down; its state is in memory only.
        setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 300).unref();
      }),
  };
}
