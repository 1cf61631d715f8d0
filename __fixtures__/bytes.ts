import { createHash } from 'node:crypto'
import { expect } from 'vitest'

/**
 * `n` pseudo-random bytes, the same for the same seed: a misplaced, repeated or cut block shows
 * (a short period or a pattern of zeros would let one pass).
 */
export function seeded(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n)
  let x = seed * 2654435761
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}

/** The SHA-256 of `bytes` in hex, computed apart from the code under test. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/**
 * Asserts two byte sequences are equal, and on a mismatch says where: the lengths, the first
 * differing offset and a hex window around it. `expect(a.equals(b)).toBe(true)` says only
 * "expected false to be true", and `toEqual` on megabytes prints a diff nobody can read.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength)
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)
  if (a.equals(b)) return
  let at = 0
  while (at < a.length && at < b.length && a[at] === b[at]) at++
  const from = Math.max(0, at - 8)
  const window = (x: Buffer) => x.subarray(from, at + 8).toString('hex')
  expect.fail(
    `bytes differ: got ${a.length} bytes, expected ${b.length}; first difference at offset ${at}\n` +
      `  got      @${from}: ${window(a)}\n  expected @${from}: ${window(b)}`,
  )
}
