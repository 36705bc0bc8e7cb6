import { StringTable } from "../../lib/model/string-table";

describe("StringTable", () => {
  it("numbers each distinct string once, in the order first added, and keeps the value given first", () => {
    const table = new StringTable();
    expect(table.add("sg-1", 7)).toBe(0);
    expect(table.add("sg-2", 8)).toBe(1);
    expect(table.add("sg-1", 99)).toBe(0);
    expect(table.size).toBe(2);
    expect(table.valueAt(0)).toBe(7);
    expect(table.get("sg-2")).toBe(8);
  });

  it("says -1 for a string it does not hold", () => {
    const table = new StringTable();
    table.add("a", 3);
    expect(table.entryOf("b")).toBe(-1);
    expect(table.get("b")).toBe(-1);
    expect(table.entryOf("")).toBe(-1);
  });

  it("returns the first copy of an equal string, so that equal ids share one string", () => {
    const table = new StringTable();
    const first = ["i-", "0abc"].join("");
    const second = ["i-0", "abc"].join("");
    table.add(first);
    expect(table.keyAt(table.add(second))).toBe(first);
  });

  it("finds every one of many strings after growing, and none that were never added", () => {
    const table = new StringTable();
    const count = 50_000;
    for (let n = 0; n < count; n++) table.add(`eni-${n.toString(16)}`, n * 2);
    expect(table.size).toBe(count);
    const misplaced: number[] = [];
    for (let n = 0; n < count; n++) {
      const entry = table.entryOf(`eni-${n.toString(16)}`);
      if (entry !== n || table.valueAt(entry) !== n * 2) misplaced.push(n);
    }
    expect(misplaced).toEqual([]);
    const found: number[] = [];
    for (let n = count; n < count + 1000; n++) if (table.entryOf(`eni-${n.toString(16)}`) !== -1) found.push(n);
    expect(found).toEqual([]);
  });

  it("tells apart strings whose whole hashes collide", () => {
    // Known FNV-1a (32-bit) collisions, from the word list of https://softwareengineering.stackexchange.com/q/49550.
    const table = new StringTable();
    const keys = ["costarring", "liquid", "declinate", "macallums", "altarage", "zinke"];
    for (const [n, key] of keys.entries()) table.add(key, n);
    expect(keys.map((key) => table.get(key))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(table.size).toBe(keys.length);
  });

  it("tells apart many short strings of few distinct characters", () => {
    const table = new StringTable();
    const keys = Array.from({ length: 2000 }, (_, n) => String.fromCharCode(n % 64, (n >> 6) + 32));
    for (const [n, key] of keys.entries()) table.add(key, n);
    expect(keys.filter((key, n) => table.get(key) !== n)).toEqual([]);
    expect(table.size).toBe(keys.length);
  });

  it("changes a value in place by setValueAt", () => {
    const table = new StringTable();
    table.add("x", 1);
    table.setValueAt(table.entryOf("x"), 2);
    expect(table.get("x")).toBe(2);
    table.setValueAt(table.entryOf("x"), 5);
    expect(table.get("x")).toBe(5);
    expect(table.size).toBe(1);
  });

  it("holds nothing after clear, and numbers from zero again", () => {
    const table = new StringTable();
    for (let n = 0; n < 100; n++) table.add(`k${n}`);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.entryOf("k5")).toBe(-1);
    expect(table.add("k5", 1)).toBe(0);
  });
});
