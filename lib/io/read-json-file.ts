import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { InputError } from "../errors";

/**
 * Reads a small JSON file (plain or gzipped) whole: parameters, exemptions, events, metadata.
 * Every error is one line naming the file; `what` names the file's role in it. Snapshots and
 * reports are not read this way: they can exceed a string's size and are streamed.
 */
export async function readJsonFile(path: string, what = "file"): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read the ${what}: ${code === "ENOENT" ? "not found" : (code ?? (error as Error).message)}`, {
      file: path,
    });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new InputError(`corrupt or truncated gzip (${(error as Error).message})`, { file: path });
    }
  }
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new InputError(`not JSON: ${(error as Error).message}`, { file: path });
  }
}
