/** Bytes per block: big enough that blocks are few, small enough that the last one wastes little. */
const BLOCK_BYTES = 1 << 20;

/**
 * A list of strings kept as UTF-8 bytes outside the V8 heap, appended one at a time and read by
 * position. A million annotations held as strings cost a header each, the pieces of the template
 * that made them, and room for garbage the collector has not reached; here they cost their bytes
 * and twelve more each. Blocks are never copied as the list grows.
 */
export class TextColumn {
  private readonly blocks: Buffer[] = [];
  private block = Buffer.allocUnsafeSlow(0);
  private used = 0;
  /** Per item: its block, and where it starts and ends there. */
  private blockOf = new Uint32Array(1024);
  private startOf = new Uint32Array(1024);
  private endOf = new Uint32Array(1024);
  private count = 0;
  /** The last text added, and its position: consecutive items often say the same thing. */
  private lastText?: string;
  private lastPosition = -1;

  get length(): number {
    return this.count;
  }

  push(text: string): void {
    if (this.count === this.blockOf.length) this.grow();
    const position = this.count++;
    if (text === this.lastText) {
      this.blockOf[position] = this.blockOf[this.lastPosition] as number;
      this.startOf[position] = this.startOf[this.lastPosition] as number;
      this.endOf[position] = this.endOf[this.lastPosition] as number;
      return;
    }
    const bytes = Buffer.byteLength(text, "utf8");
    if (this.used + bytes > this.block.length) {
      this.block = Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, bytes));
      this.blocks.push(this.block);
      this.used = 0;
    }
    this.blockOf[position] = this.blocks.length - 1;
    this.startOf[position] = this.used;
    this.used += this.block.write(text, this.used, "utf8");
    this.endOf[position] = this.used;
    this.lastText = text;
    this.lastPosition = position;
  }

  at(position: number): string {
    const block = this.blocks[this.blockOf[position] as number];
    // No block: empty texts added before any other have none.
    return block ? block.toString("utf8", this.startOf[position], this.endOf[position]) : "";
  }

  private grow(): void {
    const size = this.blockOf.length * 2;
    const grown = (from: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const to = new Uint32Array(size);
      to.set(from);
      return to;
    };
    this.blockOf = grown(this.blockOf);
    this.startOf = grown(this.startOf);
    this.endOf = grown(this.endOf);
  }
}
