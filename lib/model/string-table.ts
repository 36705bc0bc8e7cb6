import { grown } from "../io/text-column";

const EMPTY_SLOT = -1;
const FIRST_CAPACITY = 16;
/** FNV-1a's offset basis and prime. */
const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 16777619;

function hashOf(key: string): number {
  let hash = FNV_BASIS;
  for (let at = 0; at < key.length; at++) hash = Math.imul(hash ^ key.charCodeAt(at), FNV_PRIME);
  return hash;
}

/**
 * Strings, each kept once, numbered in the order they were first added, with a number of the
 * caller's beside each. A Map does the same, but at a million ids its growth and entries cost
 * twice the time of these flat arrays (open addressing, linear probing, hashes kept for growth),
 * and the model adds every resource's id to one. Entries are never removed, only all at once.
 */
export class StringTable {
  private keys: string[] = [];
  private hashes = new Int32Array(FIRST_CAPACITY);
  private values = new Int32Array(FIRST_CAPACITY);
  /** Each slot holds an entry's number, or EMPTY_SLOT; at most half are used, so that probes stay short. */
  private slots = new Int32Array(FIRST_CAPACITY * 2).fill(EMPTY_SLOT);

  get size(): number {
    return this.keys.length;
  }

  /** The number of the entry for `key`, or -1. */
  entryOf(key: string): number {
    return this.slots[this.slotOf(key, hashOf(key))] as number;
  }

  /** The number of the entry for `key`, made (with `value`) if there is none. */
  add(key: string, value = 0): number {
    const hash = hashOf(key);
    const slot = this.slotOf(key, hash);
    const found = this.slots[slot] as number;
    if (found !== EMPTY_SLOT) return found;
    const entry = this.keys.length;
    if (entry === this.hashes.length) {
      this.hashes = grown(this.hashes, new Int32Array(entry * 2));
      this.values = grown(this.values, new Int32Array(entry * 2));
    }
    this.keys.push(key);
    this.hashes[entry] = hash;
    this.values[entry] = value;
    this.slots[slot] = entry;
    if (this.keys.length * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return entry;
  }

  /** The string held for an entry: the first one added of all those equal to it. */
  keyAt(entry: number): string {
    return this.keys[entry] as string;
  }

  valueAt(entry: number): number {
    return this.values[entry] as number;
  }

  setValueAt(entry: number, value: number): void {
    this.values[entry] = value;
  }

  /** The value for `key`, or -1 when it has none. */
  get(key: string): number {
    const entry = this.entryOf(key);
    return entry < 0 ? -1 : (this.values[entry] as number);
  }

  clear(): void {
    this.keys = [];
    this.hashes = new Int32Array(FIRST_CAPACITY);
    this.values = new Int32Array(FIRST_CAPACITY);
    this.slots = new Int32Array(FIRST_CAPACITY * 2).fill(EMPTY_SLOT);
  }

  /** The slot holding `key`'s entry, else the empty slot where it would go (EMPTY_SLOT is -1, so entryOf reads it as absent). */
  private slotOf(key: string, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === EMPTY_SLOT || (this.hashes[entry] === hash && this.keys[entry] === key)) return slot;
    }
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size).fill(EMPTY_SLOT);
    const mask = size - 1;
    for (let entry = 0; entry < this.keys.length; entry++) {
      let slot = (this.hashes[entry] as number) & mask;
      while (slots[slot] !== EMPTY_SLOT) slot = (slot + 1) & mask;
      slots[slot] = entry;
    }
    this.slots = slots;
  }
}
