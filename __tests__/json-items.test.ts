// A listing parsed row by row must say exactly what JSON.parse of the whole text says: the same
// rows, the same other fields, and an error for every text JSON.parse refuses.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { InvalidJson, parseJsonItems } from '../src/artifactory/json-items.ts'
import { seeded } from '../__fixtures__/bytes.ts'

/** A deterministic stream of numbers in [0, 1). */
function randomFrom(seed: number): () => number {
  const bytes = seeded(1 << 16, seed)
  let i = 0
  return () => {
    const v = bytes.readUInt32LE(i % (bytes.length - 4)) / 2 ** 32
    i += 4
    return v
  }
}

// Every character that could fool a scanner: delimiters and quotes inside strings, escapes,
// multi-byte UTF-8, a control character (written escaped by JSON.stringify).
const ALPHABET = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  'é',
  '😀',
  '\n',
  '\u0001',
  '/',
]

function value(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 2 ? 5 : 7))
  switch (pick) {
    case 0:
      return Array.from(
        { length: Math.floor(rand() * 6) },
        () => ALPHABET[Math.floor(rand() * ALPHABET.length)],
      ).join('')
    case 1:
      return Math.floor(rand() * 1e6) - 5e5 + (rand() < 0.3 ? 0.25 : 0)
    case 2:
      return rand() < 0.5
    case 3:
      return null
    case 4:
      return rand() < 0.5 ? 1e21 : -0.5e-7
    case 5:
      return Array.from({ length: Math.floor(rand() * 4) }, () => value(rand, depth + 1))
    default: {
      const o: Record<string, unknown> = {}
      for (let k = Math.floor(rand() * 4); k > 0; k--)
        o[String(value(rand, 3))] = value(rand, depth + 1)
      return o
    }
  }
}

/** A listing-shaped document: fields around a `files` array of rows of any JSON. */
function documentText(rand: () => number): string {
  const rows = Array.from({ length: Math.floor(rand() * 8) }, () => value(rand, 1))
  const doc: Record<string, unknown> = {}
  if (rand() < 0.5) doc.uri = value(rand, 2)
  doc.files = rows
  if (rand() < 0.5) doc.range = value(rand, 1)
  const indent = [0, 1, 2, '\t'][Math.floor(rand() * 4)]
  return JSON.stringify(doc, null, indent)
}

/** What JSON.parse of the whole text says, in parseJsonItems' shape; undefined for an error. */
function expected(text: string) {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return undefined
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return { items: [], count: 0, rest: {} }
  const rest = { ...(doc as Record<string, unknown>) }
  const rows = rest.files
  if (!Array.isArray(rows)) return { items: [], count: 0, rest }
  rest.files = []
  return { items: rows.filter((r) => r !== undefined), count: rows.length, rest }
}

function actual(text: string) {
  try {
    return parseJsonItems(Buffer.from(text), 'files', (row) => row)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidJson)
    return undefined
  }
}

afterEach(() => vi.restoreAllMocks())

describe('a listing parsed row by row', () => {
  it('says what JSON.parse says of 3,000 generated documents', () => {
    const rand = randomFrom(7)
    const parse = vi.spyOn(JSON, 'parse')
    let scanned = 0
    for (let n = 0; n < 3000; n++) {
      const text = documentText(rand)
      parse.mockClear()
      const got = actual(text)
      const wholeParsed = parse.mock.calls.some(([s]) => s === text)
      parse.mockClear()
      expect(got, text).toEqual(expected(text))
      // Found by the scan, not by its fallback: every document here has rows to find.
      if (!text.includes('"files": []') && !text.includes('"files":[]')) {
        expect(wholeParsed, text).toBe(false)
        scanned++
      }
    }
    expect(scanned).toBeGreaterThan(2000)
  })

  it('refuses what JSON.parse refuses, and reads what it reads, after a byte is removed, replaced or added', () => {
    const rand = randomFrom(11)
    const bytes = ['"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'x', '1', '\u00a0', '\ufeff']
    let refused = 0
    for (let n = 0; n < 3000; n++) {
      const text = documentText(rand)
      const at = Math.floor(rand() * text.length)
      const b = bytes[Math.floor(rand() * bytes.length)]
      const op = Math.floor(rand() * 3)
      const broken =
        op === 0
          ? text.slice(0, at) + text.slice(at + 1)
          : op === 1
            ? text.slice(0, at) + b + text.slice(at + 1)
            : text.slice(0, at) + b + text.slice(at)
      const want = expected(broken)
      if (!want) refused++
      expect(actual(broken), broken).toEqual(want)
    }
    // Most of them are broken: the comparison covers refusals, not only valid texts.
    expect(refused).toBeGreaterThan(1500)
  })

  it('parses each row alone, never the whole text at once', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      uri: `/f${i}}]",.bin`,
      size: i,
      sha2: 'a'.repeat(64),
    }))
    const text = JSON.stringify({ uri: 'http://x/api/storage/libs', files: rows, created: 'now' })
    const parse = vi.spyOn(JSON, 'parse')
    const got = parseJsonItems(Buffer.from(text), 'files', (row) => (row as { uri: string }).uri)
    expect(got.items).toEqual(rows.map((r) => r.uri))
    expect(got.rest).toEqual({ uri: 'http://x/api/storage/libs', files: [], created: 'now' })
    const longest = Math.max(...parse.mock.calls.map(([s]) => String(s).length))
    expect(longest).toBeLessThan(200)
  })

  it('keeps only what each row maps to, and counts every row', () => {
    const text = JSON.stringify({
      results: [{ name: 'a' }, null, 3, { name: 'b' }],
      range: { total: 4 },
    })
    const got = parseJsonItems(Buffer.from(text), 'results', (row) =>
      row && typeof row === 'object' && 'name' in row ? String(row.name) : undefined,
    )
    expect(got).toEqual({ items: ['a', 'b'], count: 4, rest: { results: [], range: { total: 4 } } })
  })

  it('takes the last of a key written twice, as JSON.parse does', () => {
    const twice = '{"files":[{"a":1}],"x":0,"files":[{"b":2},{"c":3}]}'
    expect(parseJsonItems(Buffer.from(twice), 'files', (r) => r)).toEqual({
      items: [{ b: 2 }, { c: 3 }],
      count: 2,
      rest: { files: [], x: 0 },
    })
    const thenNot = '{"files":[{"a":1}],"files":"none"}'
    expect(parseJsonItems(Buffer.from(thenNot), 'files', (r) => r)).toEqual({
      items: [],
      count: 0,
      rest: { files: 'none' },
    })
  })

  it('refuses a text that is not JSON, and reads one that is not an object as empty', () => {
    for (const text of [
      '',
      '{',
      '{"files":[1,]}',
      '\ufeff{"files":[]}',
      '{"files":[]} x',
      '{"files":[]}}',
    ])
      expect(() => parseJsonItems(Buffer.from(text), 'files', (r) => r), text).toThrow(InvalidJson)
    for (const text of ['[]', 'null', '"files"', '3'])
      expect(parseJsonItems(Buffer.from(text), 'files', (r) => r)).toEqual({
        items: [],
        count: 0,
        rest: {},
      })
  })
})
