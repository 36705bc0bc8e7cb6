import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { InputError } from "../../lib/errors";
import { isGzipFile, readFileChunks } from "../../lib/io/file-chunks";

const dir = mkdtempSync(join(tmpdir(), "file-chunks-"));
const text = "0123456789".repeat(50);

async function collect(file: string, chunkSize: number, stopAfter = Number.POSITIVE_INFINITY): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  await readFileChunks(file, { chunkSize }, (chunk) => {
    chunks.push(Buffer.from(chunk));
    return chunks.length < stopAfter;
  });
  return chunks;
}

describe("readFileChunks", () => {
  it("gives a plain and a gzip file's bytes alike, told apart by the magic bytes whatever the name", async () => {
    const plain = join(dir, "plain.json.gz");
    const gzipped = join(dir, "gzipped.json");
    writeFileSync(plain, text);
    writeFileSync(gzipped, gzipSync(text));
    expect([await isGzipFile(plain), await isGzipFile(gzipped)]).toEqual([false, true]);
    for (const file of [plain, gzipped]) {
      const chunks = await collect(file, 64);
      expect(Buffer.concat(chunks).toString()).toBe(text);
      expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(64);
    }
  });

  it("stops reading when the consumer returns false", async () => {
    const file = join(dir, "stop.json");
    writeFileSync(file, text);
    expect(await collect(file, 100, 2)).toHaveLength(2);
  });

  it("lets the consumer's own error through unchanged", async () => {
    const file = join(dir, "consumer.json");
    writeFileSync(file, text);
    const own = new RangeError("the consumer's");
    await expect(
      readFileChunks(file, { chunkSize: 64 }, () => {
        throw own;
      }),
    ).rejects.toBe(own);
  });

  it.each([
    ["a missing file", () => join(dir, "absent.json"), /absent\.json: no such file or folder$/],
    ["a folder", () => dir, /: is a folder, expected a file$/],
    [
      "a truncated gzip file",
      () => write("cut.json", gzipSync(text).subarray(0, 12)),
      /cut\.json: truncated gzip \(.*\) at compressed byte \d+$/,
    ],
    ["a corrupt gzip file", () => write("bad.json", Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), /bad\.json: corrupt gzip/],
  ])("names the file for %s", async (_what, path, message) => {
    const error = await collect(path(), 64).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });
});

function write(name: string, bytes: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}
