import { expect } from 'vitest'

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
