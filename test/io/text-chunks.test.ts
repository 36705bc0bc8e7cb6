import { inBatches, joinChunks, jsonChunks } from "../../lib/io/text-chunks";

const long = Array.from({ length: 100 }, (_, index) => ({
  id: `r-${index}`,
  note: index % 7 === 0 ? 'line one\nline "two"\ttab' : undefined,
  tags: index % 3 === 0 ? [] : [index, { nested: [true, null] }],
}));

describe("jsonChunks writes JSON.stringify(value, null, 2) in pieces", () => {
  test.each([
    ["scalars", [1, "two", null, true]],
    ["empty containers", { a: [], b: {}, c: [{}] }],
    ["a long list at the top", long],
    [
      "long lists deep inside, undefined members and escapes",
      { before: 1, skipped: undefined, deep: [{ list: long, other: { x: 1 } }], empty: [], after: "end" },
    ],
    ["a long list of undefined elements", Array.from({ length: 70 }, () => undefined)],
  ])("%s", (_name, value) => {
    const chunks = [...jsonChunks(value)];
    expect(chunks.join("")).toBe(JSON.stringify(value, null, 2));
  });

  test("a long list is many chunks, a short value one", () => {
    expect([...jsonChunks({ list: long })].length).toBeGreaterThan(long.length);
    expect([...jsonChunks({ list: long.slice(0, 3) })]).toHaveLength(1);
  });

  test("a generator is written as the array of what it yields, [] when it yields nothing", () => {
    function* items() {
      yield* long;
    }
    expect(joinChunks(jsonChunks({ items: items(), none: [][Symbol.iterator]() }))).toBe(
      JSON.stringify({ items: long, none: [] }, null, 2),
    );
  });
});

test("inBatches joins small chunks into large ones without changing the text", () => {
  const chunks = Array.from({ length: 100_000 }, (_, index) => `${index},`);
  const batches = [...inBatches(chunks)];
  expect(batches.join("")).toBe(chunks.join(""));
  expect(batches.length).toBeGreaterThan(1);
  expect(batches.length).toBeLessThan(10);
});
