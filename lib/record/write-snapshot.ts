import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { writeStreamAtomic } from "../io/atomic-write";
import type { RecordedSnapshot } from "./record";

/**
 * The snapshot as JSON text in pieces, one response item per line: a large account never
 * becomes one string (V8 caps strings at 512 MB), and the file diffs and greps well.
 */
export function* snapshotChunks(snapshot: RecordedSnapshot): Generator<string> {
  const { regions, ...header } = snapshot;
  const head = JSON.stringify(header);
  yield `${head.slice(0, -1)},"regions":{`;
  let firstRegion = true;
  for (const [region, responses] of Object.entries(regions)) {
    yield `${firstRegion ? "" : ","}\n${JSON.stringify(region)}:{`;
    firstRegion = false;
    let firstOperation = true;
    for (const [operation, response] of Object.entries(responses)) {
      const [listKey, items] = Object.entries(response ?? {})[0] ?? ["", []];
      yield `${firstOperation ? "" : ","}\n${JSON.stringify(operation)}:{${JSON.stringify(listKey)}:[`;
      firstOperation = false;
      for (let index = 0; index < items.length; index++) yield `${index === 0 ? "" : ","}\n${JSON.stringify(items[index])}`;
      yield "]}";
    }
    yield "}";
  }
  yield "}}\n";
}

/** Writes the snapshot atomically, gzipped when the file name ends in .gz. */
export async function writeSnapshot(path: string, snapshot: RecordedSnapshot): Promise<void> {
  const text = Readable.from(snapshotChunks(snapshot));
  if (!path.endsWith(".gz")) {
    await writeStreamAtomic(path, text);
    return;
  }
  const gzip = createGzip();
  text.on("error", (error) => gzip.destroy(error));
  await writeStreamAtomic(path, text.pipe(gzip));
}
