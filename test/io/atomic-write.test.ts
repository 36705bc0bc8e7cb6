import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { removeStaleTemps, STALE_TEMP_AGE_MS, writeFileAtomic, writeStreamAtomic } from "../../lib/io/atomic-write";

const writer = join(__dirname, "fixtures", "slow-writer.ts");

/** Starts the slow writer and resolves once it has written its first chunk to the temp file. */
function startWriter(target: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", writer, target], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("writing")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`the writer exited early (${code})`)));
  });
}

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

/** A pid that no process has: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await exitOf(child);
  return child.pid as number;
}

describe("atomic writes clean up their temp files", () => {
  test.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("%s during a write removes the temp file and exits %i", async (signal, expected) => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-signal-"));
    const child = await startWriter(join(dir, "snapshot.json"));
    const exited = exitOf(child);
    try {
      expect(readdirSync(dir)).toEqual([expect.stringMatching(/^\.snapshot\.json\.\d+\.[0-9a-f]+\.tmp$/)]);
    } finally {
      child.kill(signal);
    }
    expect(await exited).toBe(expected);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("the next write removes a temp file whose writer is gone, and one that is hours old, but not another target's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-stale-"));
    const target = join(dir, "report.json");
    const orphan = join(dir, `.report.json.${await deadPid()}.0badc0de.tmp`);
    const old = join(dir, `.report.json.${process.ppid}.00c0ffee.tmp`);
    const live = join(dir, `.report.json.${process.ppid}.11c0ffee.tmp`);
    const other = join(dir, `.other.json.${await deadPid()}.0badc0de.tmp`);
    for (const path of [orphan, old, live, other]) writeFileSync(path, "partial");
    const hoursAgo = (Date.now() - STALE_TEMP_AGE_MS - 60_000) / 1000;
    utimesSync(old, hoursAgo, hoursAgo);

    await writeFileAtomic(target, "{}\n");

    expect(readFileSync(target, "utf8")).toBe("{}\n");
    // The live one belongs to a running process (our parent), written just now: it may be a write in progress.
    expect(readdirSync(dir).sort()).toEqual([other, live, target].map((path) => basename(path)).sort());
  });

  test("removeStaleTemps leaves files that only look alike", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-alike-"));
    const target = join(dir, "a.json");
    for (const name of [".a.json.notapid.ff.tmp", ".a.json.123.zz.tmp", ".a.json.bak"]) writeFileSync(join(dir, name), "x");
    expect(await removeStaleTemps(target)).toEqual([]);
    expect(readdirSync(dir)).toHaveLength(3);
  });
});

describe("streaming atomic writes", () => {
  /** What the folder held when the source failed: the write was under way, in a temp file. */
  let heldAtFailure: string[] = [];
  /** Yields some chunks (enough to reach the temp file), then fails as a renderer with a bug would. */
  function* failingMidway(dir: string): Generator<string> {
    for (let index = 0; index < 64; index++) yield `${"x".repeat(16 * 1024)}\n`;
    heldAtFailure = readdirSync(dir);
    throw new Error("renderer failed at finding 64");
  }

  test("writes the chunks as they come, and leaves no temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-stream-"));
    const target = join(dir, "report.csv");
    await writeStreamAtomic(target, ["a,b\r\n", "1,2\r\n"]);
    expect(readFileSync(target, "utf8")).toBe("a,b\r\n1,2\r\n");
    expect(readdirSync(dir)).toEqual(["report.csv"]);
  });

  test("a source that throws midway keeps the old file and removes the temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-stream-fail-"));
    const target = join(dir, "report.json");
    writeFileSync(target, "old report\n");
    await expect(writeStreamAtomic(target, failingMidway(dir))).rejects.toThrow("renderer failed at finding 64");
    expect(heldAtFailure).toEqual(expect.arrayContaining([expect.stringMatching(/^\.report\.json\.\d+\.[0-9a-f]+\.tmp$/)]));
    expect(readFileSync(target, "utf8")).toBe("old report\n");
    expect(readdirSync(dir)).toEqual(["report.json"]);
  });

  test("with no old file, a failed write leaves nothing at all", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-stream-none-"));
    await expect(writeStreamAtomic(join(dir, "report.sarif"), failingMidway(dir))).rejects.toThrow("renderer failed");
    expect(readdirSync(dir)).toEqual([]);
  });
});
