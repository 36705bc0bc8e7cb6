import { randomBytes } from "node:crypto";
import { createWriteStream, rmSync } from "node:fs";
import { readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** A temp file older than this is stale even if a process with its pid runs (pids are reused). */
export const STALE_TEMP_AGE_MS = 6 * 60 * 60 * 1000;

const tempPrefix = (path: string): string => `.${basename(path)}.`;
const TEMP_SUFFIX = /^(\d+)\.[0-9a-f]+\.tmp$/;

const tempPathFor = (path: string): string =>
  join(dirname(path), `${tempPrefix(path)}${process.pid}.${randomBytes(4).toString("hex")}.tmp`);

/** Temp files this process is writing: removed if it is interrupted (SIGINT/SIGTERM) before the rename. */
const liveTemps = new Set<string>();
const SIGNAL_EXIT: Readonly<Record<"SIGINT" | "SIGTERM", number>> = { SIGINT: 130, SIGTERM: 143 };

function onSignal(signal: "SIGINT" | "SIGTERM"): void {
  for (const temp of liveTemps) rmSync(temp, { force: true });
  liveTemps.clear();
  process.exit(SIGNAL_EXIT[signal]);
}
const onSigint = () => onSignal("SIGINT");
const onSigterm = () => onSignal("SIGTERM");

/** The handlers are installed only while a write is under way, so the default signal behaviour is kept otherwise. */
function track(temp: string): void {
  if (liveTemps.size === 0) {
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
  }
  liveTemps.add(temp);
}

function untrack(temp: string): void {
  liveTemps.delete(temp);
  if (liveTemps.size === 0) {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes temp files of the same target that a killed writer left behind (kill -9 gives no
 * chance to clean up): those whose process is gone, or that are older than {@link STALE_TEMP_AGE_MS}.
 * This process's own temp files in progress are left alone. Best effort: a failure here never stops the write.
 */
export async function removeStaleTemps(path: string, now = Date.now()): Promise<string[]> {
  const folder = dirname(path);
  const prefix = tempPrefix(path);
  const removed: string[] = [];
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = TEMP_SUFFIX.exec(name.slice(prefix.length));
    if (!match) continue;
    const temp = join(folder, name);
    if (liveTemps.has(temp)) continue;
    const pid = Number(match[1]);
    const modified = await stat(temp).then(
      (found) => found.mtimeMs,
      () => undefined,
    );
    if (modified === undefined) continue;
    const stale = (pid !== process.pid && !isAlive(pid)) || now - modified > STALE_TEMP_AGE_MS;
    if (!stale) continue;
    await rm(temp, { force: true }).then(
      () => removed.push(temp),
      () => undefined,
    );
  }
  return removed;
}

async function writeViaTemp(path: string, write: (temp: string) => Promise<void>): Promise<void> {
  await removeStaleTemps(path);
  const temp = tempPathFor(path);
  track(temp);
  try {
    await write(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    untrack(temp);
  }
}

/**
 * Writes a file so that readers see the old content or the new, never a half-written one: the
 * data goes to a temporary file in the same directory, flushed to disk (so a crash after the
 * rename cannot leave an empty file), which is then renamed over the target. Interrupted by
 * SIGINT or SIGTERM, the temp file is removed and the process exits 130 or 143; stale temp files
 * of the same target are removed first.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeViaTemp(path, (temp) => writeFile(temp, data, { flush: true }));
}

/**
 * The streaming form of {@link writeFileAtomic}, for outputs too large to hold as one string: the
 * source is written as it produces. If it fails midway, the temp file is removed and the old file
 * stays as it was.
 */
export async function writeStreamAtomic(
  path: string,
  source: Readable | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): Promise<void> {
  await writeViaTemp(path, (temp) => pipeline(source, createWriteStream(temp, { flush: true })));
}
