import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTempDir } from '../__fixtures__/temp-dir.ts'
import { seeded, sha256 } from '../__fixtures__/bytes.ts'
import { HashPool, InlineHash, type RunningHash } from '../src/engine/hasher.ts'

const MiB = 1024 * 1024
const dir = useTempDir('artdl-hasher-', { per: 'suite' })
let pool: HashPool

beforeAll(() => {
  pool = new HashPool(1)
})
afterAll(async () => {
  await pool.close()
})

/** Writes `body` in 300 KiB writes, telling the hash after each one, as the sink does. */
function writeInOrder(file: string, body: Buffer, hash: RunningHash): void {
  const fd = fs.openSync(file, 'w')
  for (let at = 0; at < body.length; at += 300 * 1024) {
    const chunk = body.subarray(at, Math.min(body.length, at + 300 * 1024))
    fs.writeSync(fd, chunk, 0, chunk.length, at)
    hash.advance(at + chunk.length, [chunk])
  }
  fs.closeSync(fd)
}

// The third column: digests a thread answers per digest asked (the main thread's fallback gives
// the same digests, so without it a pool whose thread never started would pass).
describe.each([
  ['a worker thread', (file: string) => pool.open(file, 'sha256'), 1],
  ['the main thread', (file: string) => new InlineHash(file, 'sha256'), 0],
])('hashing in %s', (_name, open, byThread) => {
  it('follows a file written in order', async () => {
    const body = seeded(5 * MiB + 123, 1)
    const file = path.join(dir(), `in-order-${_name}`)
    const before = pool.answeredByThreads
    const hash = open(file)
    writeInOrder(file, body, hash)
    expect(await hash.digest(body.length)).toBe(sha256(body))
    expect(pool.answeredByThreads - before).toBe(byThread)
  })

  it('hashes in file order what arrived out of order (split ranges)', async () => {
    const body = seeded(3 * MiB, 2)
    const file = path.join(dir(), `ranges-${_name}`)
    const hash = open(file)
    const fd = fs.openSync(file, 'w')
    // The last third first, then the middle, then the first: as parallel ranges may land.
    for (const start of [2 * MiB, MiB, 0]) fs.writeSync(fd, body, start, MiB, start)
    fs.closeSync(fd)
    const before = pool.answeredByThreads
    hash.advance(body.length)
    expect(await hash.digest(body.length)).toBe(sha256(body))
    expect(pool.answeredByThreads - before).toBe(byThread)
  })

  it('fails when the file is shorter than announced', async () => {
    const file = path.join(dir(), `short-${_name}`)
    fs.writeFileSync(file, seeded(1000, 3))
    const hash = open(file)
    await expect(hash.digest(5000)).rejects.toThrow()
  })
})

describe('HashPool', () => {
  it('has its digests computed by a thread, not by the main thread in its place', async () => {
    // The fallback gives the same digests: only the pool's count tells who computed them.
    const own = new HashPool(1)
    try {
      const body = seeded(2 * MiB + 1, 12)
      const file = path.join(dir(), 'by-a-thread')
      const h = own.open(file, 'sha256')
      writeInOrder(file, body, h)
      expect(own.answeredByThreads).toBe(0)
      expect(await h.digest(body.length)).toBe(sha256(body))
      expect(own.answeredByThreads).toBe(1)
    } finally {
      await own.close()
    }
  })

  it('keeps files apart on one thread and drops disposed ones', async () => {
    const bodies = [seeded(2 * MiB, 4), seeded(2 * MiB + 5, 5), seeded(MiB, 6)]
    const hashes = bodies.map((_, i) => pool.open(path.join(dir(), `many-${i}`), 'sha256'))
    bodies.forEach((b, i) => writeInOrder(path.join(dir(), `many-${i}`), b, hashes[i]))
    hashes[2].dispose()
    expect(
      await Promise.all([hashes[0].digest(bodies[0].length), hashes[1].digest(bodies[1].length)]),
    ).toEqual([sha256(bodies[0]), sha256(bodies[1])])
  })
})

describe('HashPool without its thread', () => {
  it('computes the digests on the main thread when the thread ends without an error', async () => {
    // A worker file that runs to its end at once: the thread exits with code 0, no 'error'.
    const empty = path.join(dir(), 'ends-at-once.mjs')
    fs.writeFileSync(empty, '// nothing: the thread ends\n')
    const reasons: string[] = []
    const ended = new HashPool(1, empty, (r) => reasons.push(r))
    try {
      const body = seeded(2 * MiB + 3, 11)
      const file = path.join(dir(), 'thread-ended')
      const h = ended.open(file, 'sha256')
      writeInOrder(file, body, h)
      expect(await h.digest(body.length)).toBe(sha256(body))
      expect(reasons).toEqual(['the hashing thread exited (code 0)'])
      expect(ended.answeredByThreads).toBe(0)
    } finally {
      await ended.close()
    }
  })

  it('computes the digests on the main thread when the worker file is missing, and says why once', async () => {
    const reasons: string[] = []
    const broken = new HashPool(1, path.join(dir(), 'no-such-worker.ts'), (r) => reasons.push(r))
    try {
      const body = seeded(3 * MiB + 7, 7)
      const file = path.join(dir(), 'no-thread')
      // Asked for at once (before the thread reports its failure) and after it.
      const early = broken.open(file, 'sha256')
      writeInOrder(file, body, early)
      const first = early.digest(body.length)
      expect(await first).toBe(sha256(body))
      const late = broken.open(file, 'sha256')
      late.advance(body.length)
      expect(await late.digest(body.length)).toBe(sha256(body))
      expect(broken.answeredByThreads).toBe(0)
      expect(reasons).toHaveLength(1)
      expect(reasons[0]).toContain('no-such-worker')
      expect(reasons[0]).not.toMatch(/\n/)
    } finally {
      await broken.close()
    }
  })
})
