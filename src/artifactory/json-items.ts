// A listing's rows one at a time. `JSON.parse` of a whole listing keeps every row's object
// alive at once, beside the text it came from: for 300,000 files that is hundreds of MiB at
// the peak, and every row object survives the young generation's collections while the plan
// is built (see README, Benchmark › Why the engine is built this way). Here the bytes are
// scanned for the top-level array's elements and each is parsed alone, so a row is garbage
// as soon as the caller has taken what it needs from it.
//
// The scan only finds boundaries; `JSON.parse` still judges every byte. Each element is
// parsed by it, and so is the document with that array emptied. Anything the scan does not
// expect (a byte-order mark, a top level that is not an object, a broken string) sends the
// whole text to `JSON.parse` instead, so the answer or the error is exactly what it would
// have been.

/** The rows of a listing as the caller mapped them, and the rest of the document. */
export interface JsonItems<U> {
  /** What `each` returned for each element, skipping undefined. */
  items: U[]
  /** Elements in the array (the server's row count, before `each` dropped any). */
  count: number
  /** The document with the array replaced by `[]`; `rest[key]` is not an array when the server sent something else there. */
  rest: Record<string, unknown>
}

/** Raised when the text is not JSON: the caller words the error. */
export class InvalidJson extends Error {}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d

/** The scan met something it does not handle; the whole text goes to JSON.parse. */
class Unexpected extends Error {}

/**
 * Parses the JSON object in `buf`, handing each element of its top-level array `key` to `each`
 * as soon as that element is parsed. `each` must only map: an element may be handed over again
 * when the scan gives way to the whole parse. A key written twice counts as JSON.parse counts
 * it: the last one. Throws `InvalidJson` when `buf` is not JSON.
 */
export function parseJsonItems<U>(
  buf: Buffer,
  key: string,
  each: (item: unknown) => U | undefined,
): JsonItems<U> {
  try {
    return scan(buf, key, each)
  } catch (error) {
    if (!(error instanceof Unexpected)) throw error
  }
  return whole(buf.toString('utf8'), key, each)
}

function scan<U>(buf: Buffer, key: string, each: (item: unknown) => U | undefined): JsonItems<U> {
  let i = skipSpace(buf, 0)
  if (buf[i] !== OPEN_OBJECT) throw new Unexpected()
  let found: { items: U[]; count: number; start: number; end: number } | undefined
  i = skipSpace(buf, i + 1)
  if (buf[i] !== CLOSE_OBJECT) {
    for (;;) {
      if (buf[i] !== QUOTE) throw new Unexpected()
      const keyEnd = skipString(buf, i)
      const name = parseSlice(buf, i, keyEnd)
      i = skipSpace(buf, keyEnd)
      if (buf[i] !== COLON) throw new Unexpected()
      const valueStart = skipSpace(buf, i + 1)
      if (name === key && buf[valueStart] === OPEN_ARRAY) {
        const items: U[] = []
        const { end, count } = elements(buf, valueStart, (item) => {
          const mapped = each(item)
          if (mapped !== undefined) items.push(mapped)
        })
        found = { items, count, start: valueStart, end }
        i = end
      } else {
        // A later non-array under the key wins over an earlier array, as in JSON.parse.
        if (name === key) found = undefined
        i = skipValue(buf, valueStart)
      }
      i = skipSpace(buf, i)
      if (buf[i] === CLOSE_OBJECT) break
      if (buf[i] !== COMMA) throw new Unexpected()
      i = skipSpace(buf, i + 1)
    }
  }
  if (!found) return { items: [], count: 0, rest: parseObject(text(buf, 0, buf.length)) }
  // Everything but the array, judged by JSON.parse too: a broken field elsewhere, or anything
  // after the object, is invalid JSON.
  const skeleton = text(buf, 0, found.start) + '[]' + text(buf, found.end, buf.length)
  return { items: found.items, count: found.count, rest: parseObject(skeleton) }
}

/** Hands each element of the array at `start` to `take`; returns the index after `]`. */
function elements(
  buf: Buffer,
  start: number,
  take: (item: unknown) => void,
): { end: number; count: number } {
  let count = 0
  let i = skipSpace(buf, start + 1)
  if (buf[i] === CLOSE_ARRAY) return { end: i + 1, count }
  for (;;) {
    const end = skipValue(buf, i)
    take(parseSlice(buf, i, end))
    count++
    i = skipSpace(buf, end)
    if (buf[i] === CLOSE_ARRAY) return { end: i + 1, count }
    if (buf[i] !== COMMA) throw new Unexpected()
    i = skipSpace(buf, i + 1)
  }
}

/** The index after the value at `i`. Finds its end only; JSON.parse judges it. */
function skipValue(buf: Buffer, i: number): number {
  const c = buf[i]
  if (c === QUOTE) return skipString(buf, i)
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0
    for (let j = i; j < buf.length; j++) {
      const b = buf[j]
      if (b === QUOTE) j = skipString(buf, j) - 1
      else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++
      else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return j + 1
    }
    throw new Unexpected()
  }
  // A number, true, false or null: up to the next delimiter.
  let j = i
  while (j < buf.length) {
    const b = buf[j]
    if (b === COMMA || b === CLOSE_OBJECT || b === CLOSE_ARRAY || isSpace(b)) break
    j++
  }
  if (j === i) throw new Unexpected()
  return j
}

/** The index after the string that opens at `i`. */
function skipString(buf: Buffer, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const b = buf[j]
    if (b === BACKSLASH) j++
    else if (b === QUOTE) return j + 1
  }
  throw new Unexpected()
}

function skipSpace(buf: Buffer, i: number): number {
  while (i < buf.length && isSpace(buf[i])) i++
  return i
}

/** JSON's four whitespace bytes, and no others (JSON.parse refuses the rest). */
function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09
}

function text(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf8', start, end)
}

/** Slices start and end at ASCII delimiters, so no UTF-8 sequence is cut in two. */
function parseSlice(buf: Buffer, start: number, end: number): unknown {
  try {
    return JSON.parse(text(buf, start, end))
  } catch {
    // Invalid here means invalid as a whole; the whole parse says so, in its own words.
    throw new Unexpected()
  }
}

function parseObject(source: string): Record<string, unknown> {
  let doc: unknown
  try {
    doc = JSON.parse(source)
  } catch {
    throw new Unexpected()
  }
  return doc as Record<string, unknown>
}

/** The slow way, for what the scan does not handle: the same answer, or InvalidJson. */
function whole<U>(
  source: string,
  key: string,
  each: (item: unknown) => U | undefined,
): JsonItems<U> {
  let doc: unknown
  try {
    doc = JSON.parse(source)
  } catch (error) {
    throw new InvalidJson(error instanceof Error ? error.message : String(error))
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    // Not an object: no rows, and nothing else the caller could read either.
    return { items: [], count: 0, rest: {} }
  }
  const rest = doc as Record<string, unknown>
  const rows = rest[key]
  if (!Array.isArray(rows)) return { items: [], count: 0, rest }
  const items: U[] = []
  for (const row of rows) {
    const mapped = each(row)
    if (mapped !== undefined) items.push(mapped)
  }
  rest[key] = []
  return { items, count: rows.length, rest }
}
