/**
 * Text produced in pieces: reports of a million findings are larger than one V8 string can hold
 * (about 512M characters), so they are rendered as a sequence of chunks and written as produced.
 */

/** Lists longer than this are written element by element; shorter ones are stringified whole. */
const LONG_LIST = 64;

/** Chunks are joined up to about this many characters before a write, so that a write is never a few bytes. */
const BATCH_CHARS = 1 << 18;

const isLazyList = (value: object): value is Iterable<unknown> => !Array.isArray(value) && Symbol.iterator in value;

/** Whether a value holds, at any depth, a long array or a lazily produced list (any iterable that is not an array). */
function holdsLongList(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.length > LONG_LIST || value.some(holdsLongList);
  return isLazyList(value) || Object.values(value).some(holdsLongList);
}

const indented = (text: string, indent: string): string => (indent ? text.replaceAll("\n", `\n${indent}`) : text);

/**
 * `JSON.stringify(value, null, 2)` in chunks: the containers that hold a long list are written
 * member by member, everything else stringified whole. A non-array iterable (a generator) is
 * written as an array, element by element as it yields, so a list need never be built at all.
 * Values are plain data (no toJSON, Map or Set); a member that is undefined is left out, as
 * JSON.stringify does.
 */
export function* jsonChunks(value: unknown, indent = ""): Generator<string> {
  if (!holdsLongList(value)) {
    yield indented(JSON.stringify(value, null, 2) ?? "null", indent);
    return;
  }
  const inner = `${indent}  `;
  let first = true;
  if (Array.isArray(value) || isLazyList(value as object)) {
    for (const element of value as Iterable<unknown>) {
      yield `${first ? "[" : ","}\n${inner}`;
      first = false;
      yield* jsonChunks(element, inner);
    }
    yield first ? "[]" : `\n${indent}]`;
    return;
  }
  for (const [key, member] of Object.entries(value as object)) {
    if (member === undefined) continue;
    yield `${first ? "{" : ","}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* jsonChunks(member, inner);
  }
  yield first ? "{}" : `\n${indent}}`;
}

/** Small chunks joined into batches of about {@link BATCH_CHARS} characters, for writing. */
export function* inBatches(chunks: Iterable<string>): Generator<string> {
  let batch = "";
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length >= BATCH_CHARS) {
      yield batch;
      batch = "";
    }
  }
  if (batch) yield batch;
}

/** The whole text of a chunked rendering, for outputs small enough to be one string. */
export function joinChunks(chunks: Iterable<string>): string {
  let text = "";
  for (const chunk of chunks) text += chunk;
  return text;
}
