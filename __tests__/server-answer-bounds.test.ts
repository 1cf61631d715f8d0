// Bounds on what a server controls: a listing or AQL answer that never ends, headers without end.
import { afterEach, describe, expect, it } from 'vitest'
import { startArtifactory, type ArtifactoryServer } from '../server/index.ts'
import * as nodeHttp from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolveQuietly } from '../__fixtures__/plan.ts'
import { HttpClient, readText } from '../src/net/http-client.ts'
import { parseEntries } from '../src/input/entries.ts'
import { retryPolicy } from '../src/net/retry.ts'
import type { BodyLimits } from '../src/artifactory/json-body.ts'

let server: ArtifactoryServer | undefined
let http: HttpClient | undefined
afterEach(async () => {
  await http?.close()
  await server?.close()
  server = http = undefined
})

async function plan(
  paths: string,
  limits: BodyLimits,
  options: Parameters<typeof startArtifactory>[0],
  timeoutMs = 30_000,
) {
  server = await startArtifactory({
    files: { 'libs/a.bin': 'a' },
    endlessListing: true,
    ...options,
  })
  http = new HttpClient({ connections: 4, timeoutMs })
  const retries: string[] = []
  const result = await resolveQuietly(
    {
      url: server.url,
      entries: parseEntries(paths, server.url),
      exclude: [],
      target: '/t',
      flat: true,
    },
    http,
    {
      policy: retryPolicy(3, 0),
      onRetry: (line) => retries.push(line),
      concurrency: 4,
      listingLimits: limits,
    },
  )
  return { ...result, retries, requests: server.requests.length }
}

describe('a listing that never ends', () => {
  it('fails its entry once it exceeds the byte bound, not retried, and the others go on', async () => {
    const r = await plan(
      'libs/a.bin\nlibs/x/**/*.bin',
      { maxBytes: 1024 * 1024, maxMs: 60_000 },
      {},
    )
    expect(r.downloads.map((d) => d.source)).toEqual(['libs/a.bin'])
    expect(r.failures).toHaveLength(1)
    expect(r.failures[0].message).toBe('listing: the listing of libs/x exceeded 1.0 MiB; refused')
    expect(r.retries).toEqual([])
    expect(r.requests).toBe(1)
  })

  it('fails its entry once it takes longer than the time bound, while bytes keep arriving', async () => {
    // A chunk every ~50 ms keeps the 2 s idle timeout from ever firing.
    const r = await plan(
      'libs/x/*.bin',
      { maxBytes: 256 * 1024 * 1024, maxMs: 300 },
      { throttleBytesPerSec: 1024 * 1024 },
      2000,
    )
    expect(r.failures.map((f) => f.message)).toEqual([
      'listing: the listing of libs/x took longer than 0.3 s; refused',
    ])
    expect(r.retries).toEqual([])
  })

  it('bounds the AQL answer the same way when the list API is refused', async () => {
    const r = await plan(
      'libs/x/*.bin',
      { maxBytes: 512 * 1024, maxMs: 60_000 },
      { listApi: false },
    )
    expect(r.failures.map((f) => f.message)).toEqual([
      'AQL search: the AQL answer for libs/x exceeded 512 KiB; refused',
    ])
  })

  it('refuses a listing whose Content-Length is beyond the bound before reading it', async () => {
    const files: Record<string, string> = {}
    for (let i = 0; i < 2000; i++) files[`libs/x/f${i}.bin`] = 'x'
    const r = await plan(
      'libs/x/*.bin',
      { maxBytes: 64 * 1024, maxMs: 60_000 },
      {
        files,
        endlessListing: false,
      },
    )
    expect(r.failures.map((f) => f.message)).toEqual([
      'listing: the listing of libs/x exceeded 64.0 KiB; refused',
    ])
  })
})

describe('response headers', () => {
  it('beyond 16 KiB are refused with a message, not a crash', async () => {
    server = await startArtifactory({
      onRequest: () => ({
        kind: 'status',
        status: 200,
        headers: { 'x-padding': 'p'.repeat(20 * 1024) },
        body: 'x',
      }),
    })
    http = new HttpClient({ connections: 1, timeoutMs: 5000 })
    await expect(http.request(`${server.url}/libs/a.bin`)).rejects.toThrow(
      'the server sent more than 16 KiB of response headers; refused',
    )
  })
})

describe('an AQL listing with malformed rows', () => {
  it('drops a row that names no file and a digest that is no SHA-256; the file is planned', async () => {
    const r = await plan(
      'libs/**/*.bin',
      { maxBytes: 1024 * 1024, maxMs: 60_000 },
      {
        endlessListing: false,
        listApi: false,
        onRequest: (req) =>
          req.path === '/api/search/aql'
            ? {
                kind: 'status',
                status: 200,
                body: JSON.stringify({
                  results: [
                    null,
                    { repo: 'libs', path: 'x', type: 'file' },
                    { repo: 'libs', path: '.', name: 'a.bin', size: 1, sha256: 5 },
                  ],
                }),
              }
            : undefined,
      },
    )
    expect(r.failures).toEqual([])
    expect(r.downloads.map((d) => [d.source, d.checksums])).toEqual([['libs/a.bin', {}]])
  })
})

describe('an error body that drips', () => {
  it('is read within its own deadline, not held open byte by byte', async () => {
    // A 503 whose body sends one byte every 50 ms and never ends: each byte resets the idle
    // timeout, so only a deadline for the whole body ends the read.
    const dripping = nodeHttp.createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' })
      const timer = setInterval(() => res.write('x'), 50)
      res.on('close', () => clearInterval(timer))
    })
    await new Promise<void>((r) => dripping.listen(0, '127.0.0.1', r))
    http = new HttpClient({ connections: 1, timeoutMs: 60_000 })
    try {
      const { port } = dripping.address() as AddressInfo
      const res = await http.request(`http://127.0.0.1:${port}/x`)
      expect(res.status).toBe(503)
      const text = await readText(res.body, 16 * 1024, 300)
      expect(text).toMatch(/^x+$/)
      expect(text.length).toBeLessThan(100)
    } finally {
      dripping.closeAllConnections()
      await new Promise((r) => dripping.close(r))
    }
  })
})
