import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { InputError } from "../../lib/errors";
import { type JsonStreamHandler, JsonStreamParser, readJsonStream, type ValueMode } from "../../lib/sources/json-stream";

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
  'odd "key" \\ é': [1, { a: "}" }],
  regions: {
    "eu-west-1": {
      DescribeInstances: {
        Reservations: [
          { ReservationId: "r-1", Instances: [{ InstanceId: "i-1", Tags: [{ Key: 'q"uote,]}', Value: "\\" }] }] },
          { ReservationId: "r-2", Instances: [] },
          "a string, with [brackets]",
          42,
          null,
          [[], {}],
          { unicode: "snowman ☃ and 𝄞", escaped: '\u0000\n"' },
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
    [
      '{"regions": {"eu-west-1": {"DescribeInstances": {"Reservations": [{"a": 1}, {"b": ',
      /^truncated JSON: unexpected end of file at byte 82 \(in regions\.eu-west-1\.DescribeInstances\.Reservations\[1\]\)$/,
    ],
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

describe("JsonStreamParser on record arrays parsed in runs cut at learned separators", () => {
  /** Records whose strings hold what a separator search could trip on: separators, brackets, escapes. */
  function tricky(i: number): unknown {
    const backslashes = "\\".repeat(i % 5);
    return {
      Id: `r-${i}`,
      Text: `${backslashes}"},{"x":[${i}]}${backslashes}`,
      Escaped: `${"\\".repeat(i % 4)}"${"},\n{".repeat(i % 3)}`,
      Brackets: "]]]}}},[{,",
      Nested: [
        { Key: "a", Value: `${i}` },
        { Key: "b", Value: "}, {" },
      ],
      // The separator learned goes on to the first key: `},{"Id":` also inside records.
      Inner: i % 7 === 0 ? [{ Id: `in-${i}` }, { Id: '},{"Id":' }] : [],
      Pad: "x".repeat((i * 37) % 300),
    };
  }
  /** Records of one list that do not all start with the same key. */
  const mixed = (from: number, count: number) =>
    Array.from({ length: count }, (_, k) => (k % 9 < 4 ? tricky(from + k) : { Other: from + k, ...(tricky(from + k) as object) }));
  const manyRecords = (from: number, count: number) => Array.from({ length: count }, (_, k) => tricky(from + k));
  const big = {
    regions: {
      r: {
        A: { L: manyRecords(0, 700) },
        B: { L: [7, "s", null, [1], ...manyRecords(700, 5)] },
        C: { L: [] },
        D: { L: manyRecords(705, 300) },
        E: { L: mixed(1005, 400) },
      },
    },
  };
  const expected = {
    "regions.r.A.L": big.regions.r.A.L,
    "regions.r.B.L": big.regions.r.B.L,
    "regions.r.D.L": big.regions.r.D.L,
    "regions.r.E.L": big.regions.r.E.L,
  };
  /** One record per line, as the bench's generator and many tools write arrays of records. */
  const oneRecordPerLine = (value: { regions: { r: Record<string, { L: unknown[] }> } }): string => {
    const operations = Object.entries(value.regions.r).map(
      ([operation, { L }]) => `"${operation}":{"L":[${L.length ? `\n${L.map((record) => JSON.stringify(record)).join(",\n")}\n` : ""}]}`,
    );
    return `{"regions":{"r":{\n${operations.join(",\n")}\n}}}\n`;
  };
  const layouts: [string, string][] = [
    ["one record per line", oneRecordPerLine(big)],
    ["indented", JSON.stringify(big, null, 4)],
    ["compact", JSON.stringify(big)],
  ];

  it("has test documents in the layouts they are named after", () => {
    const [, perLine] = layouts[0] as [string, string];
    // 1005 records of A, B and D start with "Id", and 180 of the 400 mixed ones of E.
    expect(perLine.split("\n").filter((line) => line.startsWith('{"Id":"r-'))).toHaveLength(1005 + 180);
    expect(JSON.parse(perLine)).toEqual(big);
    expect(perLine.length).toBeGreaterThan(3 * 64 * 1024);
  });

  it.each(layouts)("gives the same records as JSON.parse for a %s document at every chunk size", (_name, text) => {
    const bytes = Buffer.from(text);
    for (const chunkSize of [1, 3, 8, 64, 199, 1000, 4096, 70_001, bytes.length]) {
      const { handler, records } = collector(snapshotModes);
      feed(bytes, chunkSize, handler);
      expect(records).toEqual(expected);
    }
  });

  it("reads backslash runs and escaped quotes cut at every position by a chunk boundary", () => {
    const values = ["\\", '\\"', '\\\\"', "\\\\", '"},{"', "]", "[{", "\\},{"];
    const records = Array.from({ length: 40 }, (_, i) => ({ s: values[i % values.length], t: `${values[(i * 3) % values.length]}}` }));
    const text = oneRecordPerLine({ regions: { r: { Op: { L: records } } } });
    const bytes = Buffer.from(text);
    for (let chunkSize = 1; chunkSize <= 48; chunkSize++) {
      for (const shift of [0, 1, 2]) {
        const { handler, records: got } = collector(snapshotModes);
        const parser = new JsonStreamParser(handler);
        parser.write(bytes.subarray(0, shift));
        for (let i = shift; i < bytes.length; i += chunkSize) parser.write(bytes.subarray(i, i + chunkSize));
        parser.end();
        expect(got["regions.r.Op.L"]).toEqual(records);
      }
    }
  });

  it("leaves the bytes it is given unchanged", () => {
    const bytes = Buffer.from((layouts[0] as [string, string])[1]);
    const copy = Buffer.from(bytes);
    feed(bytes, 4096, collector(snapshotModes).handler);
    feed(bytes, bytes.length, collector(snapshotModes).handler);
    expect(bytes.equals(copy)).toBe(true);
  });

  it.each(layouts)("names the same byte and record for a bad record deep in a %s document at every chunk size", (_name, text) => {
    const bad = text.replace(/"Id":\s*"r-900"/, '"Id": r-900');
    const recordStart = Buffer.byteLength(bad.slice(0, bad.search(/\{\s*"Id": r-900/)));
    for (const chunkSize of [5, 4096, 70_001, bad.length]) {
      expect(() => feed(Buffer.from(bad), chunkSize, collector(snapshotModes).handler)).toThrow(
        new Error(`invalid JSON: Unexpected token 'r' at byte ${recordStart} (in regions.r.D.L[195])`),
      );
    }
  });

  it.each(layouts)("rejects an empty element between records deep in a %s document at every chunk size", (_name, text) => {
    const bad = text.replace(/(\{\s*"Id":\s*"r-900")/, "null,,$1");
    for (const chunkSize of [5, 4096, 70_001, bad.length]) {
      expect(() => feed(Buffer.from(bad), chunkSize, collector(snapshotModes).handler)).toThrow(/ \(in regions\.r\.D\.L\[196\]\)$/);
    }
  });

  it("reports a record truncated after many complete ones", () => {
    const text = (layouts[0] as [string, string])[1];
    const cut = text.indexOf('"Id":"r-900"') + 3;
    for (const chunkSize of [7, 4096, cut]) {
      expect(() => feed(Buffer.from(text.slice(0, cut)), chunkSize, collector(snapshotModes).handler)).toThrow(
        `truncated JSON: unexpected end of file at byte ${cut} (in regions.r.D.L[195])`,
      );
    }
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
    const big = { ReservationId: "r-big", Instances: [{ InstanceId: "i-big", UserData: 'x\\"'.repeat(40_000) }] };
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
