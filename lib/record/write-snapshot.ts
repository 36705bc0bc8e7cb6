import { once } from "node:events";
import { PassThrough, Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { writeStreamAtomic } from "../io/atomic-write";
import { EC2_OPERATIONS } from "../model/kinds";
import type { RecordedSnapshot, RecordFailure, SnapshotSink } from "./record";

/**
 * zlib's fast level: on a big account the default (6) costs twice the CPU for files a fifth
 * smaller, and `record` runs beside the pages it is fetching, on the same cores.
 */
const gzipped = () => createGzip({ level: 3 });

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
  const gzip = gzipped();
  text.on("error", (error) => gzip.destroy(error));
  await writeStreamAtomic(path, text.pipe(gzip));
}

/** Thrown into the file's stream to stop it: the temp file is removed and nothing is renamed. */
class WriteAbandoned extends Error {}

export interface SnapshotFile extends SnapshotSink {
  /** Ends the file with the failures listed and renames it into place. */
  finish(failures: readonly RecordFailure[]): Promise<void>;
  /** Stops writing; the temp file is removed and the target is left as it was. */
  abandon(): Promise<void>;
}

/**
 * Opens a snapshot file to be written as the recording goes (gzipped when the name ends in .gz),
 * in the layout of {@link snapshotChunks}; the failures, known only at the end, follow the regions.
 * Written to a temp file renamed at {@link SnapshotFile.finish}: on any failure nothing half-written remains.
 */
export function openSnapshotFile(path: string, header: Omit<RecordedSnapshot, "regions" | "failures">): SnapshotFile {
  const text = path.endsWith(".gz") ? gzipped() : new PassThrough();
  // An error before the pipeline listens (abandoned at once) is still the pipeline's to report.
  text.on("error", () => undefined);
  const written = writeStreamAtomic(path, text);
  // Surfaced by finish or abandon; kept from becoming an unhandled rejection meanwhile.
  written.catch(() => undefined);
  let region: string | undefined;
  let firstRegion = true;
  let firstOperation = true;
  let firstItem = true;
  const write = async (chunk: string): Promise<void> => {
    if (text.destroyed) await written;
    if (!text.write(chunk)) await Promise.race([once(text, "drain"), written]);
  };
  const openRegion = async (name: string) => {
    await write(`${firstRegion ? "" : "}"}${firstRegion ? "" : ","}\n${JSON.stringify(name)}:{`);
    firstRegion = false;
    firstOperation = true;
    region = name;
  };
  const head = JSON.stringify(header);
  text.write(`${head.slice(0, -1)},"regions":{`);
  return {
    openRegion,
    async openOperation(name, operation) {
      if (name !== region) await openRegion(name);
      await write(`${firstOperation ? "" : ","}\n${JSON.stringify(operation)}:{${JSON.stringify(EC2_OPERATIONS[operation].listKey)}:[`);
      firstOperation = false;
      firstItem = true;
    },
    async items(items) {
      if (items.length === 0) return;
      let chunk = firstItem ? "\n" : ",\n";
      for (let index = 0; index < items.length; index++) chunk += `${index === 0 ? "" : ",\n"}${JSON.stringify(items[index])}`;
      firstItem = false;
      await write(chunk);
    },
    async closeOperation() {
      await write("]}");
    },
    async finish(failures) {
      await write(`${firstRegion ? "" : "}"}}${failures.length > 0 ? `,"failures":${JSON.stringify(failures)}` : ""}}\n`);
      text.end();
      await written;
    },
    async abandon() {
      text.destroy(new WriteAbandoned("snapshot not kept"));
      await written.catch((error: unknown) => {
        if (!(error instanceof WriteAbandoned)) throw error;
      });
    },
  };
}
