import { expectSameBytes, seeded, sha256 } from '../__fixtures__/bytes.ts'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseEntries } from '../src/input/entries.ts'
import type { Download } from '../src/engine/download.ts'
import { planFiles } from '../src/plan/downloads.ts'
import { runDownloads, type EngineOptions } from '../src/engine/queue.ts'
import { HttpClient } from '../src/net/http-client.ts'
import type { FileResult } from '../src/engine/results.ts'
import { useTarget } from '../__fixtures__/engine.ts'
import { useServer } from '../__fixtures__/server.ts'
import { startArtifactory, type Fault, type RecordedRequest } from '../server/index.ts'

const server = useServer()
const target = useTarget('artdl-engine-')

function plan(paths: string, flat = true): Download[] {
  return planFiles(parseEntries(paths, server.url), { target: target.dir, flat })
}

const run = (paths: string, extra: Partial<EngineOptions> = {}) =>
  target.download(server.url, paths, extra)

const gets = (file: string) =>
  server.requests.filter((r) => r.method === 'GET' && r.path === `/${file}`)
const one = (results: FileResult[]) => results[0]

describe('downloads', () => {
  it('writes every file byte for byte, never more than `concurrency` requests at once', async () => {
    const files = Array.from({ length: 24 }, (_, i) => `libs/c/f${i}.bin`)
    files.forEach((f, i) => server.setFile(f, seeded(10_000 + i, i)))
    const slow = await startArtifactory({
      latencyMs: 40,
      files: Object.fromEntries(files.map((f) => [f, server.files.get(f) as Buffer])),
    })
    try {
      const results = await runDownloads(
        planFiles(parseEntries(files.join('\n'), slow.url), { target: target.dir, flat: true }),
        target.options({ concurrency: 5 }),
      )
      expect(results.every((r) => r.status === 'downloaded' && r.verified === 'sha256')).toBe(true)
      expect(slow.stats.maxInFlight).toBe(5)
      for (let i = 0; i < files.length; i++) {
        expectSameBytes(fs.readFileSync(path.join(target.dir, `f${i}.bin`)), seeded(10_000 + i, i))
      }
      expect(await target.tree()).toHaveLength(24)
    } finally {
      await slow.close()
    }
  })

  it('retries 503 and 429 with Retry-After, then succeeds', async () => {
    server.setFile('libs/a.bin', seeded(5000))
    server.setFaults('libs/a.bin', [
      { kind: 'status', status: 503 },
      { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
    ])
    // The waits are recorded, not timed: the engine must sleep what Retry-After asked for.
    const waits: number[] = []
    const { results, retries } = await run('libs/a.bin', {
      sleep: async (ms) => void waits.push(ms),
    })
    expect(one(results)).toMatchObject({ status: 'downloaded', attempts: 3 })
    expect(retries.map((r) => [r.retry, r.delayMs])).toEqual([
      [1, 0],
      [2, 1000],
    ])
    expect(retries[0].error).toContain('HTTP 503 Service Unavailable')
    expect(waits).toEqual([0, 1000])
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'a.bin')), seeded(5000))
  })

  it('retries a connection reset', async () => {
    server.setFile('libs/r.bin', seeded(5000))
    server.setFaults('libs/r.bin', [{ kind: 'reset' }])
    const { results, retries } = await run('libs/r.bin')
    expect(one(results)).toMatchObject({ status: 'downloaded', attempts: 2 })
    expect(retries).toHaveLength(1)
  })

  it('aborts a stalled body after `timeout` and retries', async () => {
    server.setFile('libs/s.bin', seeded(100_000))
    server.setFaults('libs/s.bin', [{ kind: 'stall', afterBytes: 1000 }])
    const { results, retries } = await run('libs/s.bin', { timeoutMs: 300 })
    expect(one(results)).toMatchObject({ status: 'downloaded' })
    expect(retries[0].error).toMatch(/timeout/)
    expectSameBytes(fs.readFileSync(path.join(target.dir, 's.bin')), seeded(100_000))
  })

  it('fails a 404 at once, requesting it once, with a hint and no file left', async () => {
    const { results, retries } = await run('libs/missing.bin')
    expect(one(results).status).toBe('failed')
    expect(one(results).error).toBe(
      'HTTP 404 Not Found: Could not find resource (check the repository name and the path)',
    )
    expect(retries).toHaveLength(0)
    expect(gets('libs/missing.bin')).toHaveLength(1)
    expect(await target.tree()).toEqual([])
  })

  it('fails a 401 at once with a hint about credentials', async () => {
    const locked = await startArtifactory({
      auth: { token: 'right' },
      files: { 'libs/x.bin': 'x' },
    })
    // The client the action makes: credentials only for the server's origin.
    const client = (token: string): HttpClient =>
      new HttpClient({
        connections: 4,
        timeoutMs: 5000,
        authOrigins: new Set([locked.origin]),
        authHeaders: { authorization: `Bearer ${token}` },
      })
    const wrong = client('wrong')
    const right = client('right')
    try {
      const d = planFiles(parseEntries('libs/x.bin', locked.url), {
        target: target.dir,
        flat: true,
      })
      const [r] = await runDownloads(d, target.options({ http: wrong }))
      expect(r.status).toBe('failed')
      expect(r.error).toContain('HTTP 401')
      expect(r.error).toContain('check the credentials')
      expect(locked.requests.filter((q) => q.method === 'GET')).toHaveLength(1)
      const [ok] = await runDownloads(d, target.options({ http: right }))
      expect(ok.status).toBe('downloaded')
    } finally {
      await Promise.all([wrong.close(), right.close()])
      await locked.close()
    }
  })

  it('gives up after the last retry and leaves no temporary', async () => {
    server.setFile('libs/bad.bin', seeded(5000))
    server.setFaults(
      'libs/bad.bin',
      Array.from({ length: 5 }, () => ({ kind: 'truncate' as const, afterBytes: 100 })),
    )
    const { results } = await run('libs/bad.bin', { retries: 2 })
    expect(one(results)).toMatchObject({ status: 'failed', attempts: 3 })
    expect(one(results).error).toMatch(/connection closed|ended after/)
    expect(one(results).error).not.toMatch(/attempts/)
    expect(await target.tree()).toEqual([])
  })

  it('keeps going when one file fails', async () => {
    server.setFile('libs/ok1.bin', 'one')
    server.setFile('libs/ok2.bin', 'two')
    const { results } = await run('libs/ok1.bin\nlibs/nope.bin\nlibs/ok2.bin')
    expect(results.map((r) => r.status)).toEqual(['downloaded', 'failed', 'downloaded'])
    expect(await target.tree()).toEqual(['ok1.bin', 'ok2.bin'])
  })
})

describe('files started at once', () => {
  it('starts no more files than the slots and a few spare lanes, however long renames take', async () => {
    const files = Array.from({ length: 30 }, (_, i) => `libs/l/f${i}.bin`)
    files.forEach((f, i) => server.setFile(f, seeded(2000, i)))
    let renaming = 0
    let most = 0
    // A file waiting at its rename holds no slot but stays started: the next one starts beside it.
    const rename = async (from: string, to: string): Promise<void> => {
      most = Math.max(most, ++renaming)
      await new Promise((resolve) => setTimeout(resolve, 30))
      renaming--
      await fsp.rename(from, to)
    }
    const { results } = await run(files.join('\n'), { concurrency: 2, rename })
    expect(results.every((r) => r.status === 'downloaded')).toBe(true)
    expect(await target.tree()).toHaveLength(30)
    // 2 slots + 4 spare lanes; a fixed 4 × concurrency (at least 16) started 16 at once.
    expect(most).toBeGreaterThan(2)
    expect(most).toBeLessThanOrEqual(6)
  })

  it('starts another file for each one sleeping before a retry, so the slots never idle behind them', async () => {
    const failing = Array.from({ length: 20 }, (_, i) => `libs/s/bad${i}.bin`)
    const fine = Array.from({ length: 10 }, (_, i) => `libs/s/ok${i}.bin`)
    for (const [i, f] of [...failing, ...fine].entries()) server.setFile(f, seeded(1000, i))
    for (const f of failing) server.setFaults(f, [{ kind: 'status', status: 503 }])
    let fineDone = 0
    let wokeByTimer = 0
    const sleepers: (() => void)[] = []
    // Every sleeper waits until the fine files (planned after all of them) are done: they can
    // only be if files sleeping before a retry leave their lanes to others.
    const sleep = (): Promise<void> =>
      new Promise((resolve) => {
        if (fineDone === fine.length) return resolve()
        const timer = setTimeout(() => {
          wokeByTimer++
          resolve()
        }, 5000)
        sleepers.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    const fileDone = (r: FileResult): void => {
      if (r.download.source.includes('/ok') && ++fineDone === fine.length)
        sleepers.splice(0).forEach((wake) => wake())
    }
    const results = await runDownloads(
      plan([...failing, ...fine].join('\n')),
      target.options({ concurrency: 2, sleep }),
      { onFileDone: fileDone },
    )
    expect(results.map((r) => r.status)).toEqual(Array(30).fill('downloaded'))
    expect(wokeByTimer).toBe(0)
    expect(results.slice(0, 20).every((r) => r.attempts === 2)).toBe(true)
  })
})

describe('integrity', () => {
  it('retries a body corrupted in flight and keeps the right bytes', async () => {
    server.setFile('libs/c.bin', seeded(50_000))
    server.setFaults('libs/c.bin', [{ kind: 'corrupt' }])
    const { results, retries } = await run('libs/c.bin')
    expect(one(results)).toMatchObject({ status: 'downloaded', attempts: 2, verified: 'sha256' })
    expect(retries[0].error).toMatch(
      /^checksum mismatch: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}$/,
    )
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'c.bin')), seeded(50_000))
  })

  it('fails a body that never matches and keeps nothing', async () => {
    server.setFile('libs/cc.bin', seeded(50_000))
    server.setFaults(
      'libs/cc.bin',
      Array.from({ length: 3 }, () => ({ kind: 'corrupt' as const })),
    )
    const { results } = await run('libs/cc.bin', { retries: 2 })
    expect(one(results).status).toBe('failed')
    expect(one(results).error).toMatch(
      /^checksum mismatch: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}$/,
    )
    expect(await target.tree()).toEqual([])
  })

  it('transfers no body on a second run over an up-to-date target', async () => {
    const files = Array.from({ length: 10 }, (_, i) => `libs/u/u${i}.bin`)
    files.forEach((f, i) => server.setFile(f, seeded(3000, i)))
    const first = await run(files.join('\n'))
    expect(first.results.every((r) => r.status === 'downloaded')).toBe(true)
    server.reset()
    const second = await run(files.join('\n'))
    expect(second.results.every((r) => r.status === 'up-to-date')).toBe(true)
    expect(server.stats.bodyResponses).toBe(0)
    expect(second.results.reduce((n, r) => n + r.bytes, 0)).toBe(0)
    // One conditional request per file, answered 304, over kept-alive connections.
    expect(server.requests.map((r) => [r.method, r.status])).toEqual(files.map(() => ['GET', 304]))
    expect(server.requests.every((r) => r.headers['if-none-match'])).toBe(true)
  })

  it('decides "up to date" on a plain web server only from its checksum, never size or name', async () => {
    const plain = await startArtifactory({
      files: { 'libs/p.bin': seeded(3000) },
      etag: false,
    })
    try {
      const plan = () =>
        planFiles(parseEntries(`${plain.url}/libs/p.bin`, undefined), {
          target: target.dir,
          flat: true,
        })
      await runDownloads(plan(), target.options())
      plain.reset()
      const [same] = await runDownloads(plan(), target.options())
      expect(same.status).toBe('up-to-date')
      expect(same.verified).toBe('sha256')
      // Same size, other bytes: replaced.
      plain.setFile('libs/p.bin', seeded(3000, 9))
      const [changed] = await runDownloads(plan(), target.options())
      expect(changed.status).toBe('downloaded')
      expectSameBytes(fs.readFileSync(path.join(target.dir, 'p.bin')), seeded(3000, 9))
    } finally {
      await plain.close()
    }
  })

  it('replaces a locally modified file', async () => {
    server.setFile('libs/m.bin', seeded(3000))
    await run('libs/m.bin')
    fs.writeFileSync(path.join(target.dir, 'm.bin'), 'tampered')
    server.reset()
    const { results } = await run('libs/m.bin')
    expect(one(results).status).toBe('downloaded')
    // The conditional GET's answer is the download: the body is not requested twice.
    expect(gets('libs/m.bin').map((r) => r.status)).toEqual([200])
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'm.bin')), seeded(3000))
  })

  it('resumes a body cut off halfway with a Range request for the rest only', async () => {
    const data = seeded(200_000)
    server.setFile('libs/big.bin', data)
    server.setFaults('libs/big.bin', [{ kind: 'truncate', afterBytes: 100_000 }])
    const { results } = await run('libs/big.bin')
    expect(one(results)).toMatchObject({ status: 'downloaded', attempts: 2, verified: 'sha256' })
    const [first, second] = gets('libs/big.bin')
    expect(first.range).toBeUndefined()
    expect(second.range).toBe('bytes=100000-')
    expect(second.headers['if-range']).toBeTruthy()
    expect(second.status).toBe(206)
    expect(second.bodyBytes).toBe(100_000)
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'big.bin')), data)
  })

  it('restarts from zero when the file changed between attempts', async () => {
    server.setFile('libs/chg.bin', seeded(200_000, 1))
    server.setFaults('libs/chg.bin', [{ kind: 'truncate', afterBytes: 100_000 }])
    const results = runDownloads(plan('libs/chg.bin'), target.options(), {
      onRetry: () => server.setFile('libs/chg.bin', seeded(150_000, 2)),
    })
    const [r] = await results
    expect(r.status).toBe('downloaded')
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'chg.bin')), seeded(150_000, 2))
  })

  it('works with a server that sends no checksum, and says it was not verified', async () => {
    const plain = await startArtifactory({
      checksums: false,
      files: { 'libs/p.bin': seeded(4000) },
    })
    try {
      const [r] = await runDownloads(
        planFiles(parseEntries('libs/p.bin', plain.url), { target: target.dir, flat: true }),
        target.options(),
      )
      expect(r.status).toBe('downloaded')
      expect(r.verified).toBeUndefined()
      expectSameBytes(fs.readFileSync(path.join(target.dir, 'p.bin')), seeded(4000))
    } finally {
      await plain.close()
    }
  })

  it('uses checksums from the plan (a listing) without asking the server', async () => {
    server.setFile('libs/k.bin', seeded(1000))
    const [d] = plan('libs/k.bin')
    await runDownloads([d], target.options())
    server.reset()
    const [r] = await runDownloads(
      [{ ...d, checksums: { sha256: sha256(seeded(1000)) } }],
      target.options(),
    )
    expect(r).toMatchObject({ status: 'up-to-date', verified: 'sha256', attempts: 0 })
    expect(server.requests).toHaveLength(0)
  })

  it('overwrites a leftover temporary from a killed run', async () => {
    server.setFile('libs/t.bin', seeded(2000))
    fs.writeFileSync(path.join(target.dir, '.t.bin.artdl-part'), 'junk from a killed run')
    const { results } = await run('libs/t.bin')
    expect(one(results).status).toBe('downloaded')
    expect(await target.tree()).toEqual(['t.bin'])
  })

  it('skips verification with verify: false', async () => {
    server.setFile('libs/v.bin', seeded(2000))
    server.setFaults('libs/v.bin', [{ kind: 'corrupt' }])
    const { results } = await run('libs/v.bin', { verify: false })
    expect(one(results)).toMatchObject({ status: 'downloaded', attempts: 1, verified: undefined })
  })
})

/**
 * A large file on a throttled server beside a small one that holds another slot for
 * `smallMs`: the large one starts while no slot is idle, so it streams whole at first.
 */
async function beside(
  name: string,
  data: Buffer,
  o: { rate: number; smallMs: number; concurrency: number; faults?: Fault[] },
): Promise<{ result: FileResult; requests: RecordedRequest[] }> {
  const slow = await startArtifactory({
    files: { [`libs/${name}`]: data, 'libs/small.bin': seeded(1000, 99) },
    throttleBytesPerSec: o.rate,
    faults: {
      [`libs/${name}`]: o.faults ?? [],
      'libs/small.bin': [{ kind: 'delay', ms: o.smallMs }],
    },
  })
  try {
    const [result, small] = await runDownloads(
      planFiles(parseEntries(`libs/${name}\nlibs/small.bin`, slow.url), {
        target: target.dir,
        flat: true,
      }),
      target.options({ concurrency: o.concurrency, split: 4, splitMinSize: 1024 * 1024 }),
    )
    expect(small.status).toBe('downloaded')
    expectSameBytes(fs.readFileSync(path.join(target.dir, name)), data)
    expect(await target.tree()).toEqual([name, 'small.bin'].sort())
    return { result, requests: slow.requests.filter((r) => r.path === `/libs/${name}`) }
  } finally {
    await slow.close()
  }
}

describe('large files', () => {
  it('says what the hashing threads computed only on a run that started one', async () => {
    server.setFile('libs/small.bin', seeded(100_000, 7))
    server.setFile('libs/large.bin', seeded(9 * 1024 * 1024, 8))
    const lines = async (paths: string): Promise<string[]> => {
      const said: string[] = []
      const results = await runDownloads(plan(paths), target.options(), {
        debug: (line) => said.push(line),
      })
      expect(results.every((r) => r.status === 'downloaded' && r.verified === 'sha256')).toBe(true)
      return said.filter((l) => l.startsWith('hashing threads'))
    }
    expect(await lines('libs/small.bin')).toEqual([])
    expect(await lines('libs/large.bin')).toEqual(['hashing threads computed 1 digest(s)'])
  })

  it('splits a large file into concurrent ranges and verifies the whole', async () => {
    const data = seeded(9 * 1024 * 1024 + 7)
    server.setFile('libs/large.bin', data)
    const { results } = await run('libs/large.bin', { split: 4, splitMinSize: 1024 * 1024 })
    expect(one(results)).toMatchObject({ status: 'downloaded', ranges: 4, verified: 'sha256' })
    const ranges = gets('libs/large.bin')
      .map((r) => r.range)
      .filter(Boolean)
    expect(ranges).toHaveLength(3)
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'large.bin')), data)
  })

  it('keeps the bytes of every range through a retry: only what is missing is fetched again', async () => {
    const size = 9 * 1024 * 1024 + 7
    const data = seeded(size, 11)
    server.setFile('libs/split-retry.bin', data)
    // The first request (the file's own stream) is served; the first range after it breaks
    // half-way through its 2.25 MiB.
    server.setFaults('libs/split-retry.bin', [
      { kind: 'delay', ms: 0 },
      { kind: 'reset', afterBytes: 1024 * 1024 },
    ])
    const { results } = await run('libs/split-retry.bin', { split: 4, splitMinSize: 1024 * 1024 })
    expect(one(results)).toMatchObject({ status: 'downloaded', attempts: 2, verified: 'sha256' })
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'split-retry.bin')), data)
    // The first four requests are the attempt that broke (the file's stream and its three
    // ranges); what came after is the retry. Before, it streamed the whole file again, from
    // byte 0; now it asks only for what no range had written, each part with If-Range.
    const retried = gets('libs/split-retry.bin').slice(4)
    expect(retried.length).toBeGreaterThan(0)
    // How much arrived before the ranges stopped depends on the machine, so the bound is the
    // file: the retry never starts again from byte 0, and sends less than the whole.
    for (const r of retried) {
      expect(r.range).toMatch(/^bytes=\d+-\d+$/)
      expect(r.range).not.toMatch(/^bytes=0-/)
      expect(r.headers['if-range']).toBeTruthy()
    }
    const resent = retried.reduce((n, r) => n + r.bodyBytes, 0)
    expect(resent).toBeLessThan(size * 0.75)
  })

  it('verifies large files in a hashing thread: a corrupted body is retried, then right', async () => {
    const data = seeded(9 * 1024 * 1024, 3)
    server.setFile('libs/t.bin', data)
    server.setFaults('libs/t.bin', [{ kind: 'corrupt' }])
    const { results, retries } = await run('libs/t.bin')
    expect(one(results)).toMatchObject({ status: 'downloaded', attempts: 2, verified: 'sha256' })
    expect(retries[0].error).toContain('checksum mismatch')
    expectSameBytes(fs.readFileSync(path.join(target.dir, 't.bin')), data)
    expect(await target.tree()).toEqual(['t.bin'])
  })

  it('splits only into idle slots: as many large files as slots stream whole', async () => {
    const files = [1, 2, 3, 4].map((i) => seeded(2 * 1024 * 1024, i))
    // Throttled alike, the four finish together: no slot is ever idle while one has much left.
    const even = await startArtifactory({
      files: Object.fromEntries(files.map((data, i) => [`libs/busy${i + 1}.bin`, data])),
      throttleBytesPerSec: 8 * 1024 * 1024,
    })
    try {
      const results = await runDownloads(
        planFiles(
          parseEntries('libs/busy1.bin\nlibs/busy2.bin\nlibs/busy3.bin\nlibs/busy4.bin', even.url),
          { target: target.dir, flat: true },
        ),
        target.options({ split: 4, splitMinSize: 1024 * 1024 }),
      )
      expect(results.map((r) => r.ranges)).toEqual([1, 1, 1, 1])
      expect(even.requests.filter((r) => r.range)).toEqual([])
      files.forEach((data, i) =>
        expectSameBytes(fs.readFileSync(path.join(target.dir, `busy${i + 1}.bin`)), data),
      )
    } finally {
      await even.close()
    }
  })

  it('gives the tail of a file streaming alone to slots that free up later', async () => {
    const data = seeded(6 * 1024 * 1024, 7)
    const { result, requests } = await beside('big.bin', data, {
      rate: 2 * 1024 * 1024,
      smallMs: 300,
      concurrency: 2,
    })
    // Both slots were busy when its answer came (no split then); once the small file was
    // done, the idle slot took the second half of what was left.
    expect(result).toMatchObject({ status: 'downloaded', ranges: 2, verified: 'sha256' })
    const ranged = requests.filter((r) => r.range)
    expect(ranged).toHaveLength(1)
    expect(ranged[0].range).toMatch(new RegExp(`^bytes=\\d+-${data.length - 1}$`))
    expect(ranged[0].headers['if-range']).toBeTruthy()
  })

  it('resumes a stream that fails after its tail was taken, and the file is whole', async () => {
    const MiB = 1024 * 1024
    const data = seeded(6 * MiB, 11)
    const { result, requests } = await beside('cut.bin', data, {
      rate: 2 * MiB,
      smallMs: 300,
      concurrency: 2,
      // The whole stream breaks before the point where its tail was taken.
      faults: [
        { kind: 'truncate', afterBytes: Math.floor(2.5 * MiB) },
        { kind: 'delay', ms: 0 },
      ],
    })
    expect(result).toMatchObject({ status: 'downloaded', attempts: 2, verified: 'sha256' })
    // The whole stream, the range taken from its tail, then the resumed rest.
    expect(requests[0].range).toBeUndefined()
    expect(requests[1].range).toMatch(new RegExp(`^bytes=\\d+-${data.length - 1}$`))
    expect(requests[requests.length - 1].range).toMatch(/^bytes=\d+-$/)
  })

  it('lets idle slots take the tail of a range too', async () => {
    const MiB = 1024 * 1024
    const data = seeded(16 * MiB, 9)
    const { result, requests } = await beside('huge.bin', data, {
      rate: 4 * MiB,
      smallMs: 500,
      concurrency: 3,
      // The second range pauses: when the small file is done, it has the most left.
      faults: [
        { kind: 'delay', ms: 0 },
        { kind: 'stall', afterBytes: 100_000, ms: 1500 },
      ],
    })
    expect(result).toMatchObject({ status: 'downloaded', verified: 'sha256' })
    expect(result.ranges).toBeGreaterThanOrEqual(3)
    const ranges = requests
      .filter((r) => r.range)
      .map((r) => (r.range as string).replace('bytes=', '').split('-').map(Number))
    // The planned second half, then a piece of its tail (the paused range had most left).
    expect(ranges[0]).toEqual([8 * MiB, 16 * MiB - 1])
    expect(ranges[1][0]).toBeGreaterThan(8 * MiB + 100_000)
    expect(ranges[1][1]).toBe(16 * MiB - 1)
    expect(requests).toHaveLength(ranges.length + 1)
  })

  it('falls back to one stream when a range fails, and still verifies', async () => {
    const data = seeded(2 * 1024 * 1024)
    server.setFile('libs/large2.bin', data)
    let n = 0
    const flaky = await startArtifactory({
      files: { 'libs/large2.bin': data },
      onRequest: (req) => (req.range && n++ === 0 ? { kind: 'reset' } : undefined),
    })
    try {
      const [r] = await runDownloads(
        planFiles(parseEntries('libs/large2.bin', flaky.url), { target: target.dir, flat: true }),
        target.options({ split: 4, splitMinSize: 1024 * 1024 }),
      )
      expect(r).toMatchObject({ status: 'downloaded', verified: 'sha256' })
      expectSameBytes(fs.readFileSync(path.join(target.dir, 'large2.bin')), data)
    } finally {
      await flaky.close()
    }
  })

  it('refuses a file larger than max-size without filling the disk', async () => {
    server.setFile('libs/huge.bin', seeded(100_000))
    server.setFaults('libs/huge.bin', [{ kind: 'no-length' }])
    const { results } = await run('libs/huge.bin', { maxSize: 10_000 })
    expect(one(results).status).toBe('failed')
    expect(one(results).error).toContain('larger than max-size')
    expect(one(results).bytes).toBeLessThanOrEqual(10_000 + 256 * 1024)
    expect(await target.tree()).toEqual([])
  })
})

describe('the local disk', () => {
  it('fails at once on a read-only target, with a clear message', async () => {
    if (process.getuid?.() === 0 || process.platform === 'win32') {
      // root ignores file modes, and Windows folders have none: use a path under a regular
      // file instead, which no user can create.
      fs.writeFileSync(path.join(target.dir, 'file'), 'x')
      const [r] = await runDownloads(
        planFiles(parseEntries('libs/a.bin => file/a.bin', server.url), {
          target: target.dir,
          flat: true,
        }),
        target.options(),
      )
      expect(r.status).toBe('failed')
      expect(r.attempts).toBeLessThanOrEqual(1)
      expect(r.error).toMatch(/cannot write|ENOTDIR|EEXIST/)
      return
    }
    server.setFile('libs/ro.bin', 'x')
    await fsp.chmod(target.dir, 0o555)
    const { results } = await run('libs/ro.bin')
    expect(one(results).status).toBe('failed')
    expect(one(results).error).toContain('permission denied')
    expect(gets('libs/ro.bin')).toHaveLength(0)
  })
})

describe('cancellation', () => {
  it('reports every file when aborted: finished ones kept, the rest cancelled, no temporaries', async () => {
    const paths = Array.from({ length: 60 }, (_, i) => `libs/c/c${i}.bin`)
    paths.forEach((p, i) => server.setFile(p, seeded(2000, i)))
    paths.forEach((p) => server.setFaults(p, [{ kind: 'delay', ms: 20 }]))
    const controller = new AbortController()
    let done = 0
    const results = await runDownloads(
      plan(paths.join('\n')),
      target.options({ concurrency: 2 }),
      {
        onFileDone: () => {
          if (++done === 3) controller.abort(new Error('stop'))
        },
      },
      controller.signal,
    )
    expect(results).toHaveLength(60)
    const finished = results.filter((r) => r.status === 'downloaded')
    expect(finished.length).toBeGreaterThanOrEqual(3)
    expect(finished.length + results.filter((r) => r.status === 'cancelled').length).toBe(60)
    // Files are started lazily: most of them never sent a request.
    expect(server.requests.length).toBeLessThan(20)
    expect(await target.tree()).toEqual(finished.map((r) => path.basename(r.download.dest)).sort())
  })
})

describe('load', () => {
  it('against a server that admits 3 requests, adaptive concurrency is rejected far less than a fixed pool of 32', async () => {
    const names = Array.from({ length: 80 }, (_, i) => `libs/load/l${i}.bin`)
    const rejectedWith = async (
      adaptive: boolean,
    ): Promise<{ rejected: number; failed: number }> => {
      const picky = await startArtifactory({
        files: Object.fromEntries(names.map((n) => [n, n])),
        maxConcurrent: 3,
        latencyMs: 15,
      })
      try {
        const dir = await fsp.mkdtemp(path.join(target.dir, 'load-'))
        const results = await runDownloads(
          planFiles(parseEntries(names.join('\n'), picky.url), { target: dir, flat: true }),
          // Retry-After: 1 is honoured as given; the sleep is shortened so the test stays fast.
          target.options({
            target: dir,
            concurrency: 32,
            retries: 20,
            adaptive,
            sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
          }),
        )
        return {
          rejected: picky.stats.rejected,
          failed: results.filter((r) => r.status !== 'downloaded').length,
        }
      } finally {
        await picky.close()
      }
    }
    const fixed = await rejectedWith(false)
    const adaptive = await rejectedWith(true)
    expect(adaptive.failed).toBe(0)
    expect(adaptive.rejected).toBeLessThan(fixed.rejected / 2)
  })
})
