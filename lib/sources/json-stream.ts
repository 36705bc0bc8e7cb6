import { isAscii } from "node:buffer";
import { InputError } from "../errors";
import { readFileChunks } from "../io/file-chunks";

/**
 * A streaming reader for snapshot files that may be larger than V8's 512 MB string limit.
 *
 * Only the few navigation levels of the document (the top-level object, `regions`, …) are
 * tokenized here. The bodies of the large record arrays are never tokenized in JavaScript, and
 * mostly not even scanned: the bytes that separate two records (say `},\n{`) are learned from the
 * first separator found by an exact scan (string/escape state and bracket depth), then found with
 * a native search, and the run of records up to such a candidate goes to one `JSON.parse` call.
 * A wrong candidate (inside a string or a nested value, or past the array's end) always makes that
 * call fail, since the text then has an open string or bracket, or text after the closing `]`;
 * the exact scan then takes over for that stretch. So JSON.parse still validates every record,
 * and errors are found and reported by the exact scan, as if there were no shortcut.
 * The separator learned includes the next record's first key (`},{"version":`), when it fits:
 * on compact JSON `},{` alone also separates nested objects. After two misses in a row, the
 * rest of that array is left to the exact scan.
 */

/**
 * What to do with the value at a path (the keys from the root down to it):
 * - `descend`: an object whose keys are read one by one (the handler is asked about each);
 * - `records`: an array whose elements go to `onRecord` one at a time;
 * - `capture`: a small value, parsed whole and given to `onValue`;
 * - `skip`: scanned over, never parsed;
 * - `stop`: stop reading the file here (the rest is not read).
 * A `descend` value that is not an object, or a `records` value that is not an array, is captured
 * instead, so the caller can report what it found.
 */
export type ValueMode = "descend" | "records" | "capture" | "skip" | "stop";

export interface JsonStreamHandler {
  modeOf(path: readonly string[]): ValueMode;
  onRecord(path: readonly string[], index: number, value: unknown): void;
  onValue(path: readonly string[], value: unknown): void;
}

export interface JsonStreamOptions {
  /** Bytes per read (and per decompressed chunk); mostly for tests that split records. */
  chunkSize?: number;
}

const DEFAULT_CHUNK_SIZE = 1 << 20;

/**
 * Bytes of records parsed per call when records are cut at learned separators: large enough that
 * the call costs nothing, small enough that a miss (the array ends within it) wastes little.
 */
const RUN_BYTES = 64 << 10;
/** After this many misses in a row in one array, its separators are found by the exact scan only. */
const MAX_MISSES = 2;
/** Separators longer than this (deeply indented layouts) are not learned. */
const MAX_SEPARATOR_BYTES = 64;

/** A syntax problem at an absolute byte offset (of the decompressed JSON) and a JSON path. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly problem: string,
    readonly byteOffset: number,
    readonly path: string,
  ) {
    super(`${problem} at byte ${byteOffset}${path ? ` (in ${path})` : ""}`);
  }
}

/** A value's JSON type, for "expected …, got …" messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

/** Formats a path of keys as `regions.eu-west-1.DescribeInstances.Reservations`. */
export function formatPath(path: readonly string[]): string {
  return path.join(".");
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

enum Expect {
  KeyOrEnd,
  Key,
  Colon,
  Value,
  CommaOrEnd,
}

interface ObjectFrame {
  path: string[];
  expect: Expect;
  key: string;
}

enum State {
  Start,
  Navigate,
  Key,
  Value,
  Array,
  Done,
  Stopped,
}

/**
 * A push parser: feed it chunks with `write`, then call `end`. Handlers are called synchronously
 * from `write`. Throws {@link JsonSyntaxError} on malformed or truncated input. `write` briefly
 * changes two bytes of its chunk around each run of records it decodes, and restores them.
 */
export class JsonStreamParser {
  private state = State.Start;
  private readonly stack: ObjectFrame[] = [];
  /** Absolute offset of the current chunk's first byte. */
  private chunkOffset = 0;
  /** Whether the current chunk is all ASCII, so that any part of it decodes as latin1. */
  private chunkAscii = false;

  // Scanning a key, or a captured/skipped value: raw bytes so far (kept only when needed).
  private parts: Buffer[] = [];
  private partsStart = 0;
  private keptUpTo = 0;
  private inString = false;
  private escaped = false;
  private depth = 0;
  private primitive = false;
  private valuePath: string[] = [];
  private valueCaptured = false;

  // Inside a records array.
  private arrayPath: string[] = [];
  private arrayIndex = 0;
  private arrayCommaSeen = false;
  /** The bytes around a record separator, from the last byte of one record to the first of the next. */
  private separator: Buffer | undefined;
  /** `separator` up to the next record's first byte, when `separator` goes on to its first key. */
  private keylessSeparator: Buffer | undefined;
  /** Where the comma is in `separator`. */
  private separatorComma = 0;
  private misses = 0;

  constructor(private readonly handler: JsonStreamHandler) {}

  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  write(chunk: Buffer): void {
    const n = chunk.length;
    this.chunkAscii = isAscii(chunk);
    let i = 0;
    if (this.chunkOffset === 0 && this.state === State.Start && n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      i = 3; // UTF-8 byte order mark
    }
    while (i < n) {
      switch (this.state) {
        case State.Start:
          i = this.start(chunk, i);
          break;
        case State.Navigate:
          i = this.navigate(chunk, i);
          break;
        case State.Key:
          i = this.scanKey(chunk, i);
          break;
        case State.Value:
          i = this.scanValue(chunk, i);
          break;
        case State.Array:
          i = this.scanArray(chunk, i);
          break;
        case State.Done:
          if (!isWhitespace(chunk[i] as number)) {
            throw this.error(`unexpected ${describeByte(chunk[i] as number)} after the end of the JSON object`, i, "");
          }
          i++;
          break;
        case State.Stopped:
          return;
      }
    }
    this.keepRest(chunk);
    this.chunkOffset += n;
  }

  end(): void {
    if (this.state === State.Done || this.state === State.Stopped) return;
    if (this.state === State.Start) throw new JsonSyntaxError("not JSON: the file is empty", this.chunkOffset, "");
    throw new JsonSyntaxError("truncated JSON: unexpected end of file", this.chunkOffset, this.currentPath());
  }

  private currentPath(): string {
    if (this.state === State.Array) return `${formatPath(this.arrayPath)}[${this.arrayIndex}]`;
    if (this.state === State.Value) return formatPath(this.valuePath);
    const frame = this.stack[this.stack.length - 1];
    if (!frame) return "";
    return formatPath(frame.expect === Expect.Value || frame.expect === Expect.Colon ? [...frame.path, frame.key] : frame.path);
  }

  private error(problem: string, index: number, path: string = this.currentPath()): JsonSyntaxError {
    return new JsonSyntaxError(problem, this.chunkOffset + index, path);
  }

  private start(chunk: Buffer, i: number): number {
    const c = chunk[i] as number;
    if (isWhitespace(c)) return i + 1;
    if (c !== LBRACE) {
      const what = c === LBRACKET ? "a JSON array" : describeByte(c);
      throw this.error(`not a JSON object: expected '{', found ${what}`, i, "");
    }
    this.stack.push({ path: [], expect: Expect.KeyOrEnd, key: "" });
    this.state = State.Navigate;
    return i + 1;
  }

  /** One token of an object on a navigation level. */
  private navigate(chunk: Buffer, i: number): number {
    const c = chunk[i] as number;
    if (isWhitespace(c)) return i + 1;
    const frame = this.stack[this.stack.length - 1] as ObjectFrame;
    switch (frame.expect) {
      case Expect.KeyOrEnd:
      case Expect.Key:
        if (c === QUOTE) {
          this.beginScan(i);
          this.escaped = false;
          this.state = State.Key;
          return i + 1;
        }
        if (c === RBRACE && frame.expect === Expect.KeyOrEnd) return this.closeObject(i);
        throw this.error(`expected a key in double quotes, found ${describeByte(c)}`, i);
      case Expect.Colon:
        if (c !== COLON) throw this.error(`expected ':' after key "${frame.key}", found ${describeByte(c)}`, i);
        frame.expect = Expect.Value;
        return i + 1;
      case Expect.Value:
        return this.beginValue(frame, chunk, i, c);
      case Expect.CommaOrEnd:
        if (c === COMMA) {
          frame.expect = Expect.Key;
          return i + 1;
        }
        if (c === RBRACE) return this.closeObject(i);
        throw this.error(`expected ',' or '}', found ${describeByte(c)}`, i, formatPath(frame.path));
    }
  }

  private closeObject(i: number): number {
    this.stack.pop();
    this.state = this.stack.length === 0 ? State.Done : State.Navigate;
    return i + 1;
  }

  private beginValue(frame: ObjectFrame, chunk: Buffer, i: number, c: number): number {
    const path = [...frame.path, frame.key];
    if (!isValueStart(c)) throw this.error(`expected a value, found ${describeByte(c)}`, i, formatPath(path));
    const mode = this.handler.modeOf(path);
    frame.expect = Expect.CommaOrEnd;
    if (mode === "stop") {
      this.state = State.Stopped;
      return chunk.length;
    }
    if (mode === "descend" && c === LBRACE) {
      this.stack.push({ path, expect: Expect.KeyOrEnd, key: "" });
      return i + 1;
    }
    if (mode === "records" && c === LBRACKET) {
      this.arrayPath = path;
      this.arrayIndex = 0;
      this.arrayCommaSeen = false;
      // Each list learns its own separator: its records start with their own first key.
      this.separator = undefined;
      this.keylessSeparator = undefined;
      this.misses = 0;
      this.inString = false;
      this.escaped = false;
      this.depth = 0;
      this.parts = [];
      this.partsStart = this.chunkOffset + i + 1;
      this.state = State.Array;
      return i + 1;
    }
    this.valuePath = path;
    this.valueCaptured = mode !== "skip";
    this.beginScan(i);
    this.state = State.Value;
    if (c === QUOTE) {
      this.inString = true;
      return i + 1;
    }
    if (c === LBRACE || c === LBRACKET) {
      this.depth = 1;
      return i + 1;
    }
    this.primitive = true;
    return i;
  }

  private beginScan(i: number): void {
    this.parts = [];
    this.partsStart = this.chunkOffset + i;
    this.inString = false;
    this.escaped = false;
    this.depth = 0;
    this.primitive = false;
  }

  /** The bytes from `partsStart` up to `end` of this chunk, as a string. */
  private takeText(chunk: Buffer, end: number): string {
    const startInChunk = Math.max(0, this.partsStart - this.chunkOffset);
    const tail = chunk.subarray(startInChunk, end);
    const text = decode(this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]));
    this.parts = [];
    return text;
  }

  /** At the end of a chunk, keeps the bytes of a key, captured value or record still open. */
  private keepRest(chunk: Buffer): void {
    const keep = this.state === State.Key || this.state === State.Array || (this.state === State.Value && this.valueCaptured);
    if (!keep) return;
    const start = Math.max(this.partsStart, this.keptUpTo) - this.chunkOffset;
    if (start < chunk.length) this.parts.push(chunk.subarray(start));
    this.keptUpTo = this.chunkOffset + chunk.length;
  }

  private scanKey(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let escaped = this.escaped;
    for (; i < n; i++) {
      const c = chunk[i] as number;
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) {
        const frame = this.stack[this.stack.length - 1] as ObjectFrame;
        const raw = this.takeText(chunk, i + 1);
        try {
          frame.key = JSON.parse(raw) as string;
        } catch {
          throw this.error(`invalid key ${raw.slice(0, 40)}`, i, formatPath(frame.path));
        }
        frame.expect = Expect.Colon;
        this.state = State.Navigate;
        return i + 1;
      }
    }
    this.escaped = escaped;
    return n;
  }

  /** A captured or skipped value: find its end, then parse it if it is captured. */
  private scanValue(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let { inString, escaped, depth } = this;
    let end = -1;
    if (this.primitive) {
      for (; i < n; i++) {
        const c = chunk[i] as number;
        if (c === COMMA || c === RBRACE || c === RBRACKET || isWhitespace(c)) {
          end = i;
          break;
        }
      }
    } else {
      for (; i < n; i++) {
        const c = chunk[i] as number;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (depth === 0) {
              end = i + 1;
              break;
            }
          }
        } else if (c === QUOTE) inString = true;
        else if (c === LBRACE || c === LBRACKET) depth++;
        else if (c === RBRACE || c === RBRACKET) {
          if (--depth === 0) {
            end = i + 1;
            break;
          }
        }
      }
    }
    if (end < 0) {
      this.inString = inString;
      this.escaped = escaped;
      this.depth = depth;
      return n;
    }
    this.state = State.Navigate;
    if (this.valueCaptured) {
      const startOffset = this.partsStart;
      const text = this.takeText(chunk, end);
      this.handler.onValue(this.valuePath, parseOrThrow(text, startOffset, formatPath(this.valuePath)));
    }
    return end;
  }

  /**
   * Inside a records array: runs of records up to a learned separator go to JSON.parse directly;
   * where that misses (or nothing is learned yet), the exact scan finds the boundaries.
   */
  private scanArray(chunk: Buffer, i: number): number {
    const n = chunk.length;
    while (i < n && this.state === State.Array) {
      if (this.misses >= MAX_MISSES) return this.scanExactly(chunk, i, n);
      if (!this.separator) {
        i = this.scanExactly(chunk, i, i);
        continue;
      }
      const comma = this.nextSeparator(chunk, i);
      if (comma < 0) return this.scanExactly(chunk, i, n);
      if (this.parseRun(chunk, comma)) {
        this.misses = 0;
        i = comma + 1;
        continue;
      }
      this.misses++;
      i = this.scanExactly(chunk, i, comma);
    }
    return i;
  }

  /**
   * The comma of the last learned separator within RUN_BYTES of `i`, else of the first one after.
   * When two runs' worth of bytes hold no record starting with the learned first key, the records
   * seldom do: the separator without the key serves the rest of the array. (Near a chunk's end,
   * what follows the last separator is the start of a record: the exact scan reads it.)
   */
  private nextSeparator(chunk: Buffer, i: number): number {
    const comma = this.findSeparator(chunk, i);
    if (comma >= 0 || !this.keylessSeparator || chunk.length - i < 2 * RUN_BYTES) return comma;
    this.separator = this.keylessSeparator;
    this.keylessSeparator = undefined;
    return this.findSeparator(chunk, i);
  }

  private findSeparator(chunk: Buffer, i: number): number {
    const separator = this.separator as Buffer;
    let at = chunk.lastIndexOf(separator, i + RUN_BYTES);
    if (at < i) at = chunk.indexOf(separator, i + RUN_BYTES);
    return at < i ? -1 : at + this.separatorComma;
  }

  /**
   * Tries the text from the current element's start up to `comma` as a run of whole records: it
   * parses only if `comma` separates two elements of this array. On a miss nothing is changed.
   */
  private parseRun(chunk: Buffer, comma: number): boolean {
    const startInChunk = this.partsStart - this.chunkOffset;
    let text: string;
    if (this.parts.length === 0 && startInChunk > 0) {
      // The bytes around the run are the boundaries `,` or `[` before and `,` after: make them the
      // run's brackets for the time of decoding, so JSON.parse gets a flat string, not a concatenation.
      const before = chunk[startInChunk - 1] as number;
      chunk[startInChunk - 1] = LBRACKET;
      chunk[comma] = RBRACKET;
      text = this.decodeChunk(chunk, startInChunk - 1, comma + 1);
      chunk[startInChunk - 1] = before;
      chunk[comma] = COMMA;
    } else {
      text = `[${decode(Buffer.concat([...this.parts, chunk.subarray(0, comma)]))}]`;
    }
    let elements: unknown[];
    try {
      elements = JSON.parse(text) as unknown[];
    } catch {
      return false;
    }
    if (elements.length === 0) return false; // `[ ,`: the exact scan reports it
    this.parts = [];
    this.partsStart = this.chunkOffset + comma + 1;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.arrayCommaSeen = true;
    const { handler, arrayPath } = this;
    for (const element of elements) handler.onRecord(arrayPath, this.arrayIndex++, element);
    return true;
  }

  /**
   * The exact scan: track string/escape state and depth, and note the commas (and the closing
   * bracket) at the array's own level; everything between two such boundaries within one chunk is
   * parsed by one JSON.parse call. Stops at the array's end, at the first boundary at or after
   * `stopAt` (returning the position after it, where the state is known again), or at the chunk's end.
   */
  private scanExactly(chunk: Buffer, i: number, stopAt: number): number {
    const n = chunk.length;
    let depth = this.depth;
    let firstBoundary = -1;
    let lastBoundary = -1;
    let closed = false;
    if (this.inString) {
      // Resume a string cut by the previous chunk.
      if (this.escaped) i++;
      for (; i < n; i++) {
        const c = chunk[i] as number;
        if (c === QUOTE) break;
        if (c === BACKSLASH) i++;
      }
      if (i >= n) {
        this.escaped = i > n;
        return n;
      }
      this.inString = false;
      i++;
    }
    for (; i < n; i++) {
      const c = chunk[i] as number;
      if (c === QUOTE) {
        for (i++; i < n; i++) {
          const d = chunk[i] as number;
          if (d === QUOTE) break;
          if (d === BACKSLASH) i++;
        }
        if (i >= n) {
          this.inString = true;
          this.escaped = i > n;
          break;
        }
      } else if (c === LBRACE || c === LBRACKET) depth++;
      else if (c === RBRACE || c === RBRACKET) {
        if (depth === 0) {
          if (c === RBRACE) throw this.error("expected ',' or ']', found '}'", i);
          if (firstBoundary < 0) firstBoundary = i;
          lastBoundary = i;
          closed = true;
          break;
        }
        depth--;
      } else if (c === COMMA && depth === 0) {
        if (firstBoundary < 0) firstBoundary = i;
        lastBoundary = i;
        if (i >= stopAt) break;
      }
    }
    this.depth = depth;
    if (firstBoundary < 0) return n;
    // The element that started before this chunk (or at the array's start) ends at the first boundary.
    const firstStart = this.partsStart;
    this.emitPiece(this.takeText(chunk, firstBoundary), firstStart, !this.arrayCommaSeen, chunk[firstBoundary] === RBRACKET);
    if (chunk[firstBoundary] === COMMA) this.arrayCommaSeen = true;
    if (lastBoundary > firstBoundary) {
      const batch = this.decodeChunk(chunk, firstBoundary + 1, lastBoundary);
      this.emitPiece(batch, this.chunkOffset + firstBoundary + 1, false, closed);
    }
    this.partsStart = this.chunkOffset + lastBoundary + 1;
    if (closed) {
      this.state = State.Navigate;
      return lastBoundary + 1;
    }
    if (i < n) {
      // Stopped at a separator: depth is 0 and no string is open here.
      this.learnSeparator(chunk, lastBoundary);
      return lastBoundary + 1;
    }
    return n;
  }

  private decodeChunk(chunk: Buffer, start: number, end: number): string {
    return this.chunkAscii ? chunk.toString("latin1", start, end) : decode(chunk.subarray(start, end));
  }

  /** Keeps the bytes around the separator at `comma`, if they are all within this chunk. */
  private learnSeparator(chunk: Buffer, comma: number): void {
    let from = comma - 1;
    while (from >= 0 && isWhitespace(chunk[from] as number)) from--;
    let to = comma + 1;
    while (to < chunk.length && isWhitespace(chunk[to] as number)) to++;
    if (from < 0 || to >= chunk.length || to - from >= MAX_SEPARATOR_BYTES) return;
    const keyEnd = firstKeyEnd(chunk, to, from + MAX_SEPARATOR_BYTES);
    this.separator = Buffer.from(chunk.subarray(from, keyEnd + 1));
    this.keylessSeparator = keyEnd > to ? this.separator.subarray(0, to - from + 1) : undefined;
    this.separatorComma = comma - from;
  }

  /** Parses the comma-separated elements between two boundaries and hands them over. */
  private emitPiece(text: string, startOffset: number, opensArray: boolean, closesArray: boolean): void {
    let elements: unknown[];
    try {
      elements = JSON.parse(`[${text}]`) as unknown[];
    } catch (error) {
      const { at, problem } = locateSyntaxError(text, error);
      const index = this.arrayIndex + countTopLevelCommas(text, at);
      throw new JsonSyntaxError(problem, startOffset + Buffer.byteLength(text.slice(0, at)), `${formatPath(this.arrayPath)}[${index}]`);
    }
    if (elements.length === 0 && !(opensArray && closesArray)) {
      throw new JsonSyntaxError(
        "invalid JSON: expected a value between commas",
        startOffset,
        `${formatPath(this.arrayPath)}[${this.arrayIndex}]`,
      );
    }
    const { handler, arrayPath } = this;
    for (const element of elements) handler.onRecord(arrayPath, this.arrayIndex++, element);
  }
}

/**
 * Where a record that starts at `start` with `{` has the colon after its first key, if that is
 * before `limit` and within the chunk (else `start`). In compact JSON `},{` also separates the
 * objects nested in a record; the records of one list mostly start with the same key (AWS writes
 * keys in a fixed order), and `},{"version":` is then found almost only between records.
 */
function firstKeyEnd(chunk: Buffer, start: number, limit: number): number {
  const end = Math.min(limit, chunk.length);
  if (chunk[start] !== LBRACE) return start;
  let i = start + 1;
  while (i < end && isWhitespace(chunk[i] as number)) i++;
  if (chunk[i] !== QUOTE) return start;
  for (i++; i < end; i++) {
    const c = chunk[i] as number;
    if (c === BACKSLASH) return start;
    if (c === QUOTE) break;
  }
  for (i++; i < end && isWhitespace(chunk[i] as number); i++);
  return i < end && chunk[i] === COLON ? i : start;
}

/** UTF-8 decoding; ASCII (most AWS data) takes the much faster one-byte path. */
function decode(bytes: Buffer): string {
  return bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
}

function isValueStart(c: number): boolean {
  return c === QUOTE || c === LBRACE || c === LBRACKET || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
}

function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, "0")}`;
}

function syntaxMessage(error: unknown): string {
  return (error as Error).message
    .replace(/\s*in JSON at position \d+.*$/s, "")
    .replace(/,? (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, "");
}

/** The character position JSON.parse complained about, within `text` (minus `prefix` added chars). */
function positionOf(error: unknown, text: string, prefix: number): number {
  const match = /position (\d+)/.exec((error as Error).message);
  const position = match ? Number(match[1]) - prefix : text.length;
  return Math.min(Math.max(position, 0), text.length);
}

/**
 * Where JSON.parse found a piece of array elements invalid. Its message gives no position for an
 * unexpected token, so then the elements are parsed one by one, and the first that fails is named
 * (at the position its own error gives, else at its first byte), whatever piece it came in.
 */
function locateSyntaxError(text: string, error: unknown): { at: number; problem: string } {
  if (hasPosition(error)) return { at: positionOf(error, text, 1), problem: `invalid JSON: ${syntaxMessage(error)}` };
  let start = 0;
  for (const end of [...topLevelCommas(text), text.length]) {
    const element = text.slice(start, end);
    try {
      JSON.parse(element);
    } catch (elementError) {
      const leading = element.length - element.trimStart().length;
      if (leading === element.length) return { at: start, problem: "invalid JSON: expected a value between commas" };
      const at = start + (hasPosition(elementError) ? positionOf(elementError, element, 0) : leading);
      return { at, problem: `invalid JSON: ${syntaxMessage(elementError)}` };
    }
    start = end + 1;
  }
  return { at: text.length, problem: `invalid JSON: ${syntaxMessage(error)}` };
}

function hasPosition(error: unknown): boolean {
  return /position \d+/.test((error as Error).message);
}

/** The positions of an array piece's commas that separate its elements (outside strings and nesting). */
function topLevelCommas(text: string): number[] {
  const commas: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === LBRACE || c === LBRACKET) depth++;
    else if (c === RBRACE || c === RBRACKET) depth--;
    else if (c === COMMA && depth === 0) commas.push(i);
  }
  return commas;
}

/** How many elements of an array piece precede position `end` (commas outside strings and nesting). */
function countTopLevelCommas(text: string, end: number): number {
  let commas = 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === LBRACE || c === LBRACKET) depth++;
    else if (c === RBRACE || c === RBRACKET) depth--;
    else if (c === COMMA && depth === 0) commas++;
  }
  return commas;
}

function parseOrThrow(text: string, startOffset: number, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const at = positionOf(error, text, 0);
    throw new JsonSyntaxError(`invalid JSON: ${syntaxMessage(error)}`, startOffset + Buffer.byteLength(text.slice(0, at)), path);
  }
}

/**
 * Reads a JSON file (plain or gzip, told apart by its magic bytes) as a stream, calling the
 * handler as values complete. Bad input becomes an {@link InputError} naming the file, the JSON
 * path and the byte offset. Errors thrown by the handler propagate unchanged (located in `file`).
 */
export async function readJsonStream(file: string, handler: JsonStreamHandler, options: JsonStreamOptions = {}): Promise<void> {
  const parser = new JsonStreamParser(handler);
  await locatingErrors(file, async () => {
    await readFileChunks(file, { chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE }, (chunk) => {
      parser.write(chunk);
      return !parser.stopped;
    });
    parser.end();
  });
}

/**
 * {@link readJsonStream} of bytes that are not a file (an S3 object's body); `where` names them in
 * errors. Errors of the source itself propagate unchanged.
 */
export async function readJsonStreamOf(source: AsyncIterable<Uint8Array>, where: string, handler: JsonStreamHandler): Promise<void> {
  const parser = new JsonStreamParser(handler);
  await locatingErrors(where, async () => {
    for await (const chunk of source) {
      parser.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (parser.stopped) break;
    }
    parser.end();
  });
}

async function locatingErrors(where: string, read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new InputError(`${error.problem} at byte ${error.byteOffset}`, { file: where, field: error.path || undefined });
    }
    if (error instanceof InputError) throw error.inFile(where);
    throw error;
  }
}
