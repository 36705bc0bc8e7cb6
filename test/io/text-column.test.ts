import { TextColumn } from "../../lib/io/text-column";

describe("TextColumn", () => {
  it("gives back each text added, by position, across blocks and repeats", () => {
    const texts = [
      "",
      "plain",
      "plain",
      "ünïcödé ✓ 𝄞 (a surrogate pair)",
      "said twice",
      "said twice",
      "x".repeat(3 << 20),
      ...Array.from({ length: 50_000 }, (_, index) => `annotation ${index} on eni-${index.toString(16)}`),
      "",
      "last",
    ];
    const column = new TextColumn();
    for (const text of texts) column.push(text);
    expect(column.length).toBe(texts.length);
    texts.forEach((text, position) => {
      if (column.at(position) !== text) throw new Error(`position ${position}: ${JSON.stringify(column.at(position).slice(0, 40))}`);
    });
  });

  it("is empty when nothing was added", () => {
    expect(new TextColumn().length).toBe(0);
  });
});
