import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { InputError } from "../../lib/errors";
import { JsonStreamParser, type JsonStreamHandler, readJsonStream, type ValueMode } from "../../lib/sources/json-stream";

const dir = mkdtempSync(join(tmpdir(), "json-stream-"));

/** Records what a snapshot-shaped reading produces: records per array path, and captured values. */
function collector(modes: (path: readonly string[]) => ValueMode) {
  const records: Record<string, unknown[]> = {};
  const values: Record<string, unknown> = {};
  const handler: JsonStreamHandler = {
    modeOf: modes,
    onRecord(path, index, value) {
      const key = path.join(".");
      records[key] ??= [];
      expect(index).toBe(records[key].length);
      records[key].push(value);
    },
    onValue(path, value) {
      values[path.join(".")] = value;
    },
  };
  return { handler, records, values };
}

const snapshotModes = (path: readonly string[]): ValueMode => {
  if (path[0] !== "regions") return "capture";
  if (path.length < 4) return "descend";
  return path[3] === "NextToken" ? "skip" : "records";
};

const document = {
  schemaVersion: "1.0",
  "odd \"key\" \\ é": [1, { a: "}" }],
  regions: {
    "eu-west-1": {
      DescribeInstances: {
        Reservations: [
          { ReservationId: "r-1", Instances: [{ InstanceId: "i-1", Tags: [{ Key: "q\"uote,]}", Value: "\\" }] }] },
          { ReservationId: "r-2", Instances: [] },
          "a string, with [brackets]",
          42,
          null,
          [[], {}],
          { unicode: "snowman ☃ and 𝄞", escaped: "\u0000\n\"" },
        ],
        NextToken: "ignored",
      },
      DescribeAddresses: { Addresses: [] },
    },
  },
  tool: { name: "x", version: "1" },
  count: -12.5e3,
  flag: true,
};

function feed(text: Buffer, chunkSize: number, handler: JsonStreamHandler): void {
  const parser = new JsonStreamParser(handler);
  for (let i = 0; i < text.length; i += chunkSize) parser.write(text.subarray(i, i + chunkSize));
  parser.end();
}

describe("JsonStreamParser", () => {
  const expectedRecords = {
    "regions.eu-west-1.DescribeInstances.Reservations": document.regions["eu-west-1"].DescribeInstances.Reservations,
  };
  const expectedValues = {
    schemaVersion: "1.0",
    'odd "key" \\ é': [1, { a: "}" }],
    tool: { name: "x", version: "1" },
    count: -12500,
    flag: true,
  };

  it.each([
    ["compact", JSON.stringify(document)],
    ["indented", JSON.stringify(document, null, 2)],
    ["tab-indented with CRLF", JSON.stringify(document, null, "\t").replace(/\n/g, "\r\n")],
  ])("gives the same records and values as JSON.parse for a %s document at every chunk size", (_name, text) => {
    const bytes = Buffer.from(text);
    for (const chunkSize of [1, 2, 3, 5, 7, 16, 64, bytes.length]) {
      const { handler, records, values } = collector(snapshotModes);
      feed(bytes, chunkSize, handler);
      expect(records).toEqual(expectedRecords);
      expect(values).toEqual(expectedValues);
    }
  });

  it("stops reading when the handler says stop", () => {
    const keys: string[] = [];
    const parser = new JsonStreamParser({
      modeOf: (path) => {
        keys.push(path.join("."));
        return path[0] === "regions" ? "stop" : "skip";
      },
      onRecord: () => {},
      onValue: () => {},
    });
    parser.write(Buffer.from(JSON.stringify(document).slice(0, 80)));
    expect(parser.stopped).toBe(true);
    expect(keys).toEqual(["schemaVersion", 'odd "key" \\ é', "regions"]);
  });

  it.each([
    ["hello", /not a JSON object: expected '\{', found 'h' at byte 0/],
    ["[1,2]", /not a JSON object: expected '\{', found a JSON array at byte 0/],
    ["", /not JSON: the file is empty/],
    ['{"regions": {"eu-west-1": {"DescribeInstances": {"Reservations": [{"a": 1}, {"b": ', /^truncated JSON: unexpected end of file at byte 82 \(in regions\.eu-west-1\.DescribeInstances\.Reservations\[1\]\)$/],
    ['{"regions": {"r": {"Op": {"L": [{"a": 1},, {"b": 2}]}}}}', /expected a value between commas.*L\[1\]/],
    ['{"regions": {"r": {"Op": {"L": [{"a": 1}, {"b": tru}]}}}}', /invalid JSON.*at byte (4[1-9]|5[0-2]) \(in regions\.r\.Op\.L\[1\]\)/],
    ['{"regions": {"r": {"Op": {"L": [{"a": 1},]}}}}', /invalid JSON.*regions\.r\.Op\.L\[1\]/],
    ['{"schemaVersion" "1.0"}', /expected ':' after key "schemaVersion"/],
    ['{"schemaVersion": "1.0",}', /expected a key in double quotes, found '\}'/],
    ['{"a": 1} x', /unexpected 'x' after the end of the JSON object at byte 9/],
  ])("rejects %j", (text, message) => {
    const { handler } = collector(snapshotModes);
    expect(() => feed(Buffer.from(text), 4, handler)).toThrow(message);
  });
});

describe("readJsonStream", () => {
  const text = JSON.stringify(document);

  it("reads gzip (told by magic bytes, whatever the name) and plain files alike", async () => {
    const plain = join(dir, "plain.json.gz");
    const gzipped = join(dir, "gzipped.json");
    writeFileSync(plain, text);
    writeFileSync(gzipped, gzipSync(text));
    const a = collector(snapshotModes);
    const b = collector(snapshotModes);
    await readJsonStream(plain, a.handler);
    await readJsonStream(gzipped, b.handler, { chunkSize: 7 });
    expect(b.records).toEqual(a.records);
    expect(b.values).toEqual(a.values);
    expect(a.records["regions.eu-west-1.DescribeInstances.Reservations"]).toHaveLength(7);
  });

  it("reassembles a record larger than 64 KiB that is split across stream chunks", async () => {
    const big = { ReservationId: "r-big", Instances: [{ InstanceId: "i-big", UserData: "x\\\"".repeat(40_000) }] };
    const file = join(dir, "big.json.gz");
    const content = JSON.stringify({ regions: { r: { Op: { L: [{ small: 1 }, big, { small: 2 }] } } } });
    expect(content.length).toBeGreaterThan(100 * 1024);
    writeFileSync(file, gzipSync(content));
    for (const chunkSize of [16 * 1024, 64 * 1024, undefined]) {
      const { handler, records } = collector(snapshotModes);
      await readJsonStream(file, handler, { chunkSize });
      expect(records["regions.r.Op.L"]).toEqual([{ small: 1 }, big, { small: 2 }]);
    }
  });

  it("names the file and the compressed offset for a truncated gzip file", async () => {
    const file = join(dir, "truncated.json.gz");
    const zipped = gzipSync(JSON.stringify({ regions: { r: { Op: { L: new Array(2000).fill({ a: "b" }) } } } }));
    writeFileSync(file, zipped.subarray(0, zipped.length - 30));
    const { handler } = collector(snapshotModes);
    const error = await readJsonStream(file, handler).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(new RegExp(`^${escapeRegExp(file)}: truncated gzip \\(.*\\) at compressed byte \\d+$`));
  });

  it("names the file for a corrupt gzip file", async () => {
    const file = join(dir, "corrupt.json");
    const zipped = gzipSync(text);
    zipped.fill(0xff, 12, 40);
    writeFileSync(file, zipped);
    await expect(readJsonStream(file, collector(snapshotModes).handler)).rejects.toThrow(
      new RegExp(`^${escapeRegExp(file)}: corrupt gzip`),
    );
  });

  it("names the file, JSON path and byte offset for a file that is not JSON", async () => {
    const file = join(dir, "notjson.json");
    writeFileSync(file, '{"schemaVersion": "1.0", "regions": {"eu-west-1": xnope}}');
    await expect(readJsonStream(file, collector(snapshotModes).handler)).rejects.toThrow(
      `${file}: field regions.eu-west-1: expected a value, found 'x' at byte 50`,
    );
  });

  it("says a missing file is missing", async () => {
    await expect(readJsonStream(join(dir, "absent.json"), collector(snapshotModes).handler)).rejects.toThrow(
      `${join(dir, "absent.json")}: no such file or folder`,
    );
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
