/** Bytes per block: big enough that blocks are few, small enough that the last one wastes little. */
const BLOCK_BYTES = 1 << 20;

/** `from`'s items copied into `to`, a larger array of the same kind. */
export function grown<T extends Int32Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * A list of strings kept as UTF-8 bytes outside the V8 heap, appended one at a time and read by
 * position. A million annotations held as strings cost a header each, the pieces of the template
 * that made them, and room for garbage the collector has not reached; here they cost their bytes
 * and twelve more each. Blocks are never copied as the list grows.
 */
export class TextColumn {
  private readonly blocks: Buffer[] = [];
  /** Bytes used in the last block. */
  private used = 0;
  /** Per item: its block, and where it starts and ends there. */
  private blockOf = new Uint32Array(1024);
  private startOf = new Uint32Array(1024);
  private endOf = new Uint32Array(1024);
  private count = 0;
  /** The text added last: consecutive items often say the same thing, and then share its bytes. */
  private lastText?: string;

  get length(): number {
    return this.count;
  }

  push(text: string): void {
    const position = this.count++;
    if (position === this.blockOf.length) {
      this.blockOf = grown(this.blockOf, new Uint32Array(position * 2));
      this.startOf = grown(this.startOf, new Uint32Array(position * 2));
      this.endOf = grown(this.endOf, new Uint32Array(position * 2));
    }
    if (position > 0 && text === this.lastText) {
      this.blockOf[position] = this.blockOf[position - 1] as number;
      this.startOf[position] = this.startOf[position - 1] as number;
      this.endOf[position] = this.endOf[position - 1] as number;
      return;
    }
    const bytes = Buffer.byteLength(text, "utf8");
    let block = this.blocks.at(-1);
    if (!block || this.used + bytes > block.length) {
      block = Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, bytes));
      this.blocks.push(block);
      this.used = 0;
    }
    this.blockOf[position] = this.blocks.length - 1;
    this.startOf[position] = this.used;
    this.used += block.write(text, this.used, "utf8");
    this.endOf[position] = this.used;
    this.lastText = text;
  }

  at(position: number): string {
    return (this.blocks[this.blockOf[position] as number] as Buffer).toString("utf8", this.startOf[position], this.endOf[position]);
  }
}
