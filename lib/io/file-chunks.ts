import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { InputError } from "../errors";

/**
 * Reading a file's bytes as a stream of chunks, plain or gzip (told apart by the magic bytes,
 * whatever the file's name). Every file-system or gzip failure becomes one line naming the file;
 * what the chunks mean is the caller's business (the JSON streaming parser is in lib/sources).
 */

const GZIP_MAGIC = [0x1f, 0x8b];

/** Whether a file starts with the gzip magic bytes (whatever its name). */
export async function isGzipFile(file: string): Promise<boolean> {
  const handle = await openOrThrow(file);
  try {
    const head = Buffer.alloc(2);
    // Opening a folder succeeds; reading it fails (EISDIR).
    const { bytesRead } = await handle.read(head, 0, 2, 0).catch((error: unknown) => {
      throw new InputError(describeFsError(error), { file });
    });
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

async function openOrThrow(file: string) {
  try {
    return await open(file, "r");
  } catch (error) {
    throw new InputError(describeFsError(error), { file });
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a folder, expected a file";
  return (error as Error).message;
}

export interface FileChunksOptions {
  /** Bytes per read (and per decompressed chunk). */
  chunkSize: number;
}

/**
 * Calls `consume` with each chunk of the file's bytes (decompressed when it is gzip) until the
 * file ends or `consume` returns false. A chunk is only valid during the call: the caller copies
 * what it keeps. An error thrown by `consume` propagates unchanged; a file-system or gzip error
 * becomes an {@link InputError} naming the file (and, for gzip, the compressed byte).
 */
export async function readFileChunks(file: string, options: FileChunksOptions, consume: (chunk: Buffer) => boolean): Promise<void> {
  const { chunkSize } = options;
  const gzip = await isGzipFile(file);
  const fileStream = createReadStream(file, { highWaterMark: chunkSize });
  const gunzip = gzip ? createGunzip({ chunkSize: Math.max(chunkSize, 64) }) : undefined;
  const source: Readable = gunzip ? pipeline(fileStream, gunzip, () => {}) : fileStream;
  let consuming = false;
  try {
    for await (const chunk of source) {
      consuming = true;
      const more = consume(chunk as Buffer);
      consuming = false;
      if (!more) break;
    }
  } catch (error) {
    if (consuming) throw error;
    const zlibCode = (error as { code?: string }).code;
    if (gunzip && typeof zlibCode === "string" && zlibCode.startsWith("Z_")) {
      const what = zlibCode === "Z_BUF_ERROR" ? "truncated gzip" : "corrupt gzip";
      throw new InputError(`${what} (${(error as Error).message}) at compressed byte ${gunzip.bytesWritten}`, { file });
    }
    throw new InputError(describeFsError(error), { file });
  } finally {
    fileStream.destroy();
    gunzip?.destroy();
  }
}
