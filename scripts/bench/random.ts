/** Deterministic randomness and AWS-style ids for the synthetic account: the same seed gives the same bytes. */

/** Mixes integers into one 32-bit value (a small avalanche hash), used to seed one record's generator. */
export function hash32(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
  }
  return h >>> 0;
}

/** mulberry32: fast, good enough for synthetic data, and reproducible across Node versions. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)] as T;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  hex(digits: number): string {
    let out = "";
    while (out.length < digits) out += (this.int(0x10000) + 0x10000).toString(16).slice(1);
    return out.slice(0, digits);
  }
}

const hexOf = (value: number, digits: number): string => value.toString(16).padStart(digits, "0").slice(-digits);

/**
 * A 17-hex-digit EC2 id (`i-0…`, `eni-0…`) that is unique per (region, VPC, category, index):
 * the leading digits encode them, the tail is hashed so ids look like AWS's.
 */
export function ec2Id(prefix: string, region: number, vpc: number, category: number, index: number): string {
  const tail = hexOf(hash32(region, vpc, category, index), 5);
  return `${prefix}-0${hexOf(region, 1)}${hexOf(vpc, 5)}${hexOf(category, 1)}${hexOf(index, 4)}${tail}`;
}
