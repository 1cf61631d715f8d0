// Servers that misbehave as real proxies, CDNs and misconfigured front-ends do: answers that do
// not match their request, unusable checksum headers, cut bodies and broken connections. No
// crash, no unverified file under its final name, no temporary left, and a message that names
// what went wrong.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { useAction } from '../__fixtures__/action-harness.ts'
import { expectSameBytes, seeded } from '../__fixtures__/bytes.ts'
import { filesUnder, useTarget } from '../__fixtures__/engine.ts'
import { useNoEscapes } from '../__fixtures__/escapes.ts'
import { useServers } from '../__fixtures__/server.ts'
import { checkResponse, parseContentRange } from '../src/engine/response-check.ts'
import { expectedDigest, headerChecksums } from '../src/engine/checksums.ts'
import { HttpClient, readText } from '../src/net/http-client.ts'
import type { Fault, RecordedRequest } from '../server/index.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const MiB = 1024 * 1024

// Whatever a server does, nothing may escape the retry logic: vitest reports these too, but
// naming them here makes a failure say which test caused it.
const escaped = useNoEscapes()
const serve = useServers()
const target = useTarget('artdl-faults-')

const ranged = (f: Fault) => (r: RecordedRequest) => (r.method === 'GET' && r.range ? f : undefined)

describe('checkResponse', () => {
  const h = (headers: Record<string, string>) => headers
  it('takes the answers that match their request', () => {
    expect(
      checkResponse({ asked: undefined, wholeAcceptable: true, status: 200, headers: {} }),
    ).toMatchObject({ ok: true, start: 0 })
    expect(
      checkResponse({
        asked: { start: 10, end: 19 },
        wholeAcceptable: false,
        status: 206,
        headers: h({ 'content-range': 'bytes 10-19/100', 'content-length': '10' }),
      }),
    ).toEqual({ ok: true, start: 10, length: 10, fileSize: 100 })
    expect(
      checkResponse({
        asked: { start: 90 },
        wholeAcceptable: true,
        status: 206,
        headers: h({ 'content-range': 'bytes 90-99/100' }),
      }),
    ).toEqual({ ok: true, start: 90, length: 10, fileSize: 100 })
    // A resumed request answered whole: the caller starts over at 0.
    expect(
      checkResponse({ asked: { start: 90 }, wholeAcceptable: true, status: 200, headers: {} }),
    ).toMatchObject({ ok: true, start: 0 })
  })

  it('names every mismatch by what the server did', () => {
    const reason = (input: Parameters<typeof checkResponse>[0]): string => {
      const r = checkResponse(input)
      if (r.ok) throw new Error('expected a mismatch')
      return r.reason
    }
    expect(
      reason({ asked: { start: 0, end: 9 }, wholeAcceptable: false, status: 200, headers: {} }),
    ).toBe('the server ignores Range requests: answered 200 to bytes=0-9')
    expect(
      reason({
        asked: undefined,
        wholeAcceptable: true,
        status: 206,
        headers: h({ 'content-range': 'bytes 0-999999/4194304' }),
      }),
    ).toBe('the server answered a request without Range with 206 (bytes 0-999999/4194304)')
    expect(
      reason({
        asked: { start: 500 },
        wholeAcceptable: true,
        status: 206,
        headers: h({ 'content-range': 'bytes 0-499/1000' }),
      }),
    ).toBe('the server answered bytes=500- with another range (bytes 0-499/1000)')
    expect(
      reason({
        asked: { start: 10, end: 19 },
        wholeAcceptable: false,
        status: 206,
        headers: h({ 'content-range': 'bytes 10-19/100', 'content-length': '5' }),
      }),
    ).toMatch(/Content-Length 5 for a range of 10 bytes/)
    expect(
      reason({ asked: { start: 10, end: 19 }, wholeAcceptable: false, status: 206, headers: {} }),
    ).toBe('the server answered bytes=10-19 with 206 and no Content-Range')
    // A resumed request must learn the file's size.
    expect(
      reason({
        asked: { start: 10 },
        wholeAcceptable: true,
        status: 206,
        headers: h({ 'content-range': 'bytes 10-19/*' }),
      }),
    ).toMatch(/another range/)
  })

  it('refuses impossible Content-Range values', () => {
    expect(parseContentRange('bytes 10-5/100')).toBeUndefined()
    expect(parseContentRange('bytes 0-100/100')).toBeUndefined()
    expect(parseContentRange('bytes 0-99/100')).toEqual({ start: 0, end: 99, total: 100 })
  })
})

describe('checksum headers', () => {
  const sha = 'ab'.repeat(32)
  it('accepts identical duplicates and names unusable values', () => {
    expect(headerChecksums({ 'x-checksum-sha256': `${sha}, ${sha.toUpperCase()}` })).toEqual({
      checksums: { sha256: sha },
      unusable: [],
    })
    expect(headerChecksums({ 'x-checksum-sha256': sha.slice(0, 32) }).unusable).toEqual([
      {
        algorithm: 'sha256',
        problem: 'X-Checksum-Sha256 is unusable: not 64 hex digits (32 characters)',
      },
    ])
    expect(
      headerChecksums({ 'x-checksum-sha256': `${sha}, ${'cd'.repeat(32)}` }).unusable[0].problem,
    ).toBe('X-Checksum-Sha256 is unusable: 2 different values')
  })

  it('never lowers verification below an unusable stronger header', () => {
    expect(() =>
      expectedDigest({}, { 'x-checksum-sha256': 'zz', 'x-checksum-sha1': 'a'.repeat(40) }),
    ).toThrow(/X-Checksum-Sha256 is unusable/)
    // A weaker broken header below a usable stronger one changes nothing.
    expect(expectedDigest({}, { 'x-checksum-sha256': sha, 'x-checksum-md5': 'zz' })).toEqual({
      algorithm: 'sha256',
      digest: sha,
    })
    // The plan's checksum (from a listing) comes first.
    expect(expectedDigest({ sha1: 'A'.repeat(40) }, { 'x-checksum-sha256': 'zz' })).toEqual({
      algorithm: 'sha1',
      digest: 'a'.repeat(40),
    })
  })
})

describe('servers that ignore or bend Range', () => {
  it('recovers when the ranged requests of a split file are answered 200 with the whole body', async () => {
    const data = seeded(6 * MiB + 5, 2)
    const s = await serve({
      files: { 'libs/big.bin': data },
      onRequest: ranged({ kind: 'ignore-range' }),
    })
    const { results, retries } = await target.download(s.url, 'libs/big.bin', {
      split: 4,
      splitMinSize: MiB,
    })
    expect(results[0]).toMatchObject({ status: 'downloaded', verified: 'sha256', ranges: 1 })
    expect(retries.map((r) => r.error)).toContain(
      `the server ignores Range requests: answered 200 to bytes=${Math.ceil(data.length / 4)}-${2 * Math.ceil(data.length / 4) - 1}`,
    )
    // The restart is whole: no Range after the mismatch.
    const last = s.requests.filter((r) => r.method === 'GET').at(-1)
    expect(last?.range).toBeUndefined()
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'big.bin')), data)
    expect(await target.tree()).toEqual(['big.bin'])
  })

  it('recovers when the parts of a split file are answered 206 with another range', async () => {
    const data = seeded(6 * MiB, 3)
    const s = await serve({
      files: { 'libs/big.bin': data },
      onRequest: ranged({ kind: 'range-from-zero' }),
    })
    const { results, retries } = await target.download(s.url, 'libs/big.bin', {
      split: 3,
      splitMinSize: MiB,
    })
    expect(results[0]).toMatchObject({ status: 'downloaded', verified: 'sha256' })
    expect(retries[0].error).toMatch(
      /^the server answered bytes=\d+-\d+ with another range \(bytes 0-/,
    )
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'big.bin')), data)
    expect(await target.tree()).toEqual(['big.bin'])
  })

  it('recovers when a resumed request is answered 206 from byte 0, with split 1', async () => {
    const data = seeded(300_000, 4)
    let n = 0
    const s = await serve({
      files: { 'libs/r.bin': data },
      onRequest: (r) => {
        if (r.method !== 'GET') return undefined
        if (n++ === 0) return { kind: 'truncate', afterBytes: 100_000 }
        return r.range ? { kind: 'range-from-zero' } : undefined
      },
    })
    const { results, retries } = await target.download(s.url, 'libs/r.bin')
    expect(results[0]).toMatchObject({ status: 'downloaded', attempts: 3, verified: 'sha256' })
    expect(retries[1].error).toMatch(
      /^the server answered bytes=\d+- with another range \(bytes 0-\d+\/300000\)$/,
    )
    expect(s.requests.map((r) => r.range)).toEqual([
      undefined,
      expect.stringMatching(/^bytes=\d+-$/),
      undefined,
    ])
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'r.bin')), data)
    expect(await target.tree()).toEqual(['r.bin'])
  })

  it('never keeps a 206 to a request without Range as the whole file', async () => {
    const s = await serve({
      files: { 'libs/part.bin': seeded(4 * MiB, 5) },
      checksums: false,
      onRequest: (r) =>
        r.method === 'GET' ? { kind: 'unasked-206', bytes: 1_000_000 } : undefined,
    })
    const { results, retries } = await target.download(s.url, 'libs/part.bin')
    // Once restarted whole, then failed by name: retrying would get the same answer.
    expect(results[0]).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: 'the server answered a request without Range with 206 (bytes 0-999999/4194304)',
    })
    expect(retries).toHaveLength(1)
    expect(await target.tree()).toEqual([])
  })
})

describe('checksum headers from the server', () => {
  const cases: ['truncate' | 'non-hex' | 'conflict', RegExp][] = [
    ['truncate', /X-Checksum-Sha256 is unusable: not 64 hex digits \(32 characters\)/],
    ['non-hex', /X-Checksum-Sha256 is unusable: not 64 hex digits/],
    ['conflict', /X-Checksum-Sha256 is unusable: 2 different values/],
  ]
  for (const [mangle, message] of cases) {
    it(`fails a file whose X-Checksum-Sha256 is unusable (${mangle}) rather than keep it unverified`, async () => {
      const s = await serve({
        files: { 'libs/c.bin': seeded(50_000, 6) },
        faults: { 'libs/c.bin': [{ kind: 'checksum-header', mangle, corrupt: true }] },
      })
      const { results } = await target.download(s.url, 'libs/c.bin')
      expect(results[0]).toMatchObject({ status: 'failed', attempts: 1 })
      expect(results[0].error).toMatch(message)
      expect(results[0].error).toMatch(/^cannot verify the file: the server's /)
      expect(await target.tree()).toEqual([])
    })
  }

  it('accepts the same value sent twice, and still catches a corrupt body with it', async () => {
    const data = seeded(50_000, 7)
    const s = await serve({
      files: { 'libs/d.bin': data },
      faults: {
        'libs/d.bin': [
          { kind: 'checksum-header', mangle: 'duplicate', corrupt: true },
          { kind: 'checksum-header', mangle: 'duplicate' },
        ],
      },
    })
    const { results, retries } = await target.download(s.url, 'libs/d.bin')
    expect(results[0]).toMatchObject({ status: 'downloaded', attempts: 2, verified: 'sha256' })
    expect(retries[0].error).toMatch(/^checksum mismatch: expected sha256/)
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'd.bin')), data)
  })
})

describe('cut bodies', () => {
  it('retries a body cut short without Content-Length, caught by its checksum', async () => {
    const data = seeded(200_000, 8)
    const s = await serve({
      files: { 'libs/cut.bin': data },
      faults: { 'libs/cut.bin': [{ kind: 'cut', afterBytes: 70_000 }] },
    })
    const { results } = await target.download(s.url, 'libs/cut.bin')
    expect(results[0]).toMatchObject({ status: 'downloaded', attempts: 2, verified: 'sha256' })
    expectSameBytes(fs.readFileSync(path.join(target.dir, 'cut.bin')), data)
  })

  it('fails a body always cut short and leaves nothing', async () => {
    const s = await serve({
      files: { 'libs/cut.bin': seeded(200_000, 9) },
      onRequest: (r) => (r.method === 'GET' ? { kind: 'cut', afterBytes: 70_000 } : undefined),
    })
    const { results } = await target.download(s.url, 'libs/cut.bin', { retries: 2 })
    expect(results[0]).toMatchObject({ status: 'failed', attempts: 3 })
    expect(results[0].error).toMatch(/^checksum mismatch/)
    expect(await target.tree()).toEqual([])
  })
})

describe('through the action', () => {
  const action = useAction('artdl-faults-main-')
  const start = (url: string, extra: Record<string, string>) => {
    action.inputs = { ...action.inputs, url, ...extra }
  }

  it('fails a 206 to a plain request with an annotation naming it once, a summary, and no file', async () => {
    const s = await serve({
      files: { 'libs/part.bin': seeded(4 * MiB, 13) },
      checksums: false,
      onRequest: (r) =>
        r.method === 'GET' ? { kind: 'unasked-206', bytes: 1_000_000 } : undefined,
    })
    start(s.url, { paths: 'libs/part.bin', target: 'out' })
    await run()
    expect(core.error).toHaveBeenCalledWith(
      'the server answered a request without Range with 206 (bytes 0-999999/4194304) (2 attempts)',
      { title: 'Download failed: libs/part.bin' },
    )
    expect(core.setFailed).toHaveBeenCalledWith('1 of 1 downloads failed')
    expect(core.summary.text).toContain('answered a request without Range with 206')
    expect(fs.existsSync(path.join(action.workspace, 'out', 'part.bin'))).toBe(false)
    expect((await filesUnder(action.workspace)).filter((f) => f !== 'summary.md')).toEqual([])
  })

  it('downloads a split file from a server that ignores Range, whole, and exits clean', async () => {
    const data = seeded(3 * MiB, 14)
    const s = await serve({
      files: { 'libs/big.bin': data },
      onRequest: ranged({ kind: 'ignore-range' }),
    })
    start(s.url, { paths: 'libs/big.bin', target: 'out', split: '4', 'split-min-size': '1 MiB' })
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expectSameBytes(fs.readFileSync(path.join(action.workspace, 'out', 'big.bin')), data)
    expect((await filesUnder(action.workspace)).filter((f) => f !== 'summary.md')).toEqual([
      'out/big.bin',
    ])
  })
})

describe('bodies nobody reads yet', () => {
  it('keep a connection that breaks before anyone reads them from crashing the process', async () => {
    const s = await serve({
      files: { 'libs/b.bin': seeded(500_000, 15) },
      faults: { 'libs/b.bin': [{ kind: 'reset', afterBytes: 1000 }] },
    })
    const http = new HttpClient({ connections: 1, timeoutMs: 5000 })
    try {
      const res = await http.request(`${s.url}/libs/b.bin`)
      // The connection breaks while the body lies unread (as during the open of a temporary).
      await new Promise((r) => setTimeout(r, 200))
      expect(escaped).toEqual([])
      // Whoever reads it later still learns of the error.
      await expect(readText(res.body)).rejects.toThrow()
    } finally {
      await http.close()
    }
  })
})

describe('soak', () => {
  it('recovers from repeated truncations and resets under CPU load, run after run', async () => {
    const { soak } = await import('../scripts/soak.ts')
    const r = await soak({ runs: 3, seed: 100 })
    expect(r.problems).toEqual([])
    expect(r.failures).toBe(0)
  }, 60_000)
})
