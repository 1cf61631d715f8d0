// Loose ends found after the layout by layer: each test here failed before its fix.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { errors, logged, useAction } from '../__fixtures__/action-harness.ts'
import { tempIgnoresCase } from '../__fixtures__/platform.ts'
import { body, downloadFrom, engineOptions, filesUnder } from '../__fixtures__/engine.ts'
import { aqlItem } from '../__fixtures__/aql-item.ts'
import type { EngineOptions } from '../src/engine/queue.ts'
import { extractArchive } from '../src/extract/archive.ts'
import { Header } from 'tar'
import { retryLine } from '../src/report/log-lines.ts'
import { runAql, type AqlItem } from '../server/aql.ts'
import { trimmedAnswer } from '../src/artifactory/aql-query.ts'
import {
  startArtifactory,
  startProxy,
  type ArtifactoryOptions,
  type ArtifactoryServer,
} from '../server/index.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

let server: ArtifactoryServer
let target: string

beforeAll(async () => {
  server = await startArtifactory({})
})
afterAll(async () => {
  await server.close()
})
beforeEach(async () => {
  target = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-followups-'))
  server.reset()
})
afterEach(async () => {
  await fsp.rm(target, { recursive: true, force: true })
})

const options = (extra: Partial<EngineOptions> = {}): EngineOptions =>
  engineOptions(target, { concurrency: 2, ...extra })

const download = (paths: string, extra: Partial<EngineOptions> = {}) =>
  downloadFrom(server.url, paths, options(extra))

/** Every file under target, relative, so stray temporaries show up. */
const tree = (): Promise<string[]> => filesUnder(target)

describe('skip-existing on a case-insensitive target', () => {
  it('recognises README.TXT on disk as the planned readme.txt', async () => {
    server.setFile('libs/readme.txt', body(3000, 5))
    await fsp.writeFile(path.join(target, 'README.TXT'), body(3000, 5))
    const { results } = await download('libs/readme.txt', { caseInsensitive: true })
    expect(results[0]).toMatchObject({ status: 'up-to-date', verified: 'sha1' })
    expect(await tree()).toEqual(['README.TXT'])
  })

  it.skipIf(tempIgnoresCase())(
    'on a case-sensitive target, README.TXT is another file (skipped where the temporary folder ignores case: Windows, macOS)',
    async () => {
      server.setFile('libs/readme.txt', body(3000, 5))
      await fsp.writeFile(path.join(target, 'README.TXT'), body(3000, 5))
      const { results } = await download('libs/readme.txt', { caseInsensitive: false })
      expect(results[0]).toMatchObject({ status: 'downloaded' })
      expect(await tree()).toEqual(['README.TXT', 'readme.txt'])
    },
  )

  it('downloads a changed file again whatever the case of its name on disk', async () => {
    server.setFile('libs/readme.txt', body(3000, 5))
    await fsp.writeFile(path.join(target, 'ReadMe.txt'), body(3000, 6))
    const { results } = await download('libs/readme.txt', { caseInsensitive: true })
    expect(results[0]).toMatchObject({ status: 'downloaded', attempts: 1 })
  })
})

/** A removal refused the way a Windows scanner refuses it, `times` times, then done for real. */
function busyRemove(times: number, code = 'EBUSY') {
  const calls: string[] = []
  const remove = async (file: string): Promise<void> => {
    calls.push(path.basename(file))
    if (calls.length <= times)
      throw Object.assign(new Error(`${code}: resource busy, unlink '${file}'`), { code })
    await fsp.rm(file, { force: true })
  }
  return { calls, remove }
}

describe('cleanups refused for a moment (Windows scanners)', () => {
  it('removes the temporary of a failed file once the scanner lets go', async () => {
    server.setFile('libs/av.bin', body(2000, 7))
    const { calls, remove } = busyRemove(2, 'EPERM')
    const { results } = await download('libs/av.bin', {
      rename: () => Promise.reject(Object.assign(new Error('EBUSY: rename'), { code: 'EBUSY' })),
      remove,
    })
    expect(results[0]).toMatchObject({ status: 'failed', attempts: 1 })
    expect(calls).toEqual(['.av.bin.artdl-part', '.av.bin.artdl-part', '.av.bin.artdl-part'])
    expect(await tree()).toEqual([])
  })

  it('removes an extracted archive once the scanner lets go', async () => {
    const file = path.join(target, 'a.tar')
    const header = Buffer.alloc(512)
    new Header({ path: 'bin/tool', type: 'File', mode: 0o644, size: 4, mtime: new Date(0) }).encode(
      header,
      0,
    )
    const tool = Buffer.alloc(512)
    tool.write('tool')
    await fsp.writeFile(file, Buffer.concat([header, tool, Buffer.alloc(1024)]))
    const { calls, remove } = busyRemove(3)
    const waits: number[] = []
    const files = await extractArchive(file, undefined, {
      remove,
      wait: async (ms) => void waits.push(ms),
    })
    expect(files).toEqual([path.join(target, 'bin/tool')])
    expect(calls).toEqual(['a.tar', 'a.tar', 'a.tar', 'a.tar'])
    expect(waits).toEqual([50, 100, 200])
    expect(await tree()).toEqual(['.a.tar.artdl-extracted.json', 'bin/tool'])
  })
})

describe('the whole restart after a response that did not answer its request', () => {
  it('says it restarts, with no count of retries, even with retries: 0', async () => {
    const data = body(4 * 1024 * 1024, 8)
    const s = await startArtifactory({
      files: { 'libs/big.bin': data },
      onRequest: (r) => (r.method === 'GET' && r.range ? { kind: 'ignore-range' } : undefined),
    })
    try {
      const { results, retries } = await downloadFrom(
        s.url,
        'libs/big.bin',
        options({ retries: 0, split: 4, splitMinSize: 1024 * 1024 }),
      )
      expect(results[0]).toMatchObject({ status: 'downloaded', verified: 'sha256', ranges: 1 })
      expect(retries).toHaveLength(1)
      expect(retries[0]).toMatchObject({ restartWhole: true, delayMs: 0 })
      expect(retryLine(retries[0], (t) => t)).toMatch(
        /^restarting libs\/big\.bin whole, without ranges: the server ignores Range requests: answered 200 to bytes=\d+-\d+$/,
      )
    } finally {
      await s.close()
    }
  })

  it('counts an ordinary retry as before', async () => {
    server.setFile('libs/a.bin', body(1000, 9))
    server.setFaults('libs/a.bin', [{ kind: 'status', status: 503 }])
    const { retries } = await download('libs/a.bin')
    expect(retries[0].restartWhole).toBeUndefined()
    expect(retryLine(retries[0], (t) => t)).toBe(
      'retry 1/3 for libs/a.bin in 0 ms: HTTP 503 Service Unavailable',
    )
  })
})

describe('through the action', () => {
  const action = useAction('artdl-followups-main-')

  /** Runs the action against a server of its own; resolves what it logged and annotated. */
  async function runAgainst(options: ArtifactoryOptions, extra: Record<string, string>) {
    const s = await startArtifactory(options)
    try {
      action.inputs = { ...action.inputs, url: s.url, ...extra }
      await run()
      return {
        logged: logged(),
        errors: errors(),
        requests: s.requests.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`),
      }
    } finally {
      await s.close()
    }
  }

  it('names an AQL search that failed once ("AQL search: HTTP 429 …")', async () => {
    const { errors, logged } = await runAgainst(
      { files: { 'libs/a.bin': 'a' }, listApi: false, aqlFailures: 5 },
      { paths: 'libs/*.bin', retries: '1' },
    )
    expect(logged).toContain(
      'retry 1/1 for AQL search of libs/ in 0.0 s: HTTP 429 Too Many Requests: Too many requests',
    )
    expect(errors[0]).toBe('AQL search: HTTP 429 Too Many Requests: Too many requests (2 attempts)')
  })

  it.each([
    ['http', false],
    ['https', true],
  ] as const)(
    'names an https:// proxy whose certificate is not trusted, not the server (%s target)',
    async (_, tls) => {
      const proxy = await startProxy({ hosts: { 'artifactory.internal': '127.0.0.1' }, tls: true })
      process.env.HTTPS_PROXY = proxy.url
      process.env.HTTP_PROXY = proxy.url
      try {
        const s = await startArtifactory({ files: { 'libs/a.bin': 'a' }, tls: tls || undefined })
        try {
          action.inputs = {
            ...action.inputs,
            url: `${tls ? 'https' : 'http'}://artifactory.internal:${s.port}/artifactory`,
            paths: 'libs/a.bin',
          }
          await run()
        } finally {
          await s.close()
        }
        const proxyHost = new URL(proxy.url).host
        expect(errors()[0]).toMatch(
          new RegExp(
            `^the proxy's certificate for ${proxyHost.replace(/\./g, '\\.')} is not trusted \\([A-Z_]+\\): set input 'ca-certificates' `,
          ),
        )
        expect(errors()[0]).not.toContain('artifactory.internal')
      } finally {
        delete process.env.HTTPS_PROXY
        delete process.env.HTTP_PROXY
        await proxy.close()
      }
    },
  )

  it('names a refused OIDC exchange once', async () => {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = 'https://id-token.invalid/'
    core.getIDToken.mockResolvedValue('another-id-token')
    try {
      await runAgainst(
        {
          files: { 'libs/a.bin': 'a' },
          auth: {},
          oidc: { provider: 'github', idToken: 'the-id-token', accessToken: 'exchanged' },
        },
        { paths: 'libs/a.bin', retries: '0', 'oidc-provider-name': 'github' },
      )
    } finally {
      delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL
    }
    const failed = String(core.setFailed.mock.calls[0]?.[0])
    expect(failed).toMatch(/^OIDC token exchange: provider 'github' refused: HTTP 40[13] /)
  })

  it('names a listing that failed once ("listing: HTTP 500 …")', async () => {
    const { errors } = await runAgainst(
      {
        files: { 'libs/a.bin': 'a' },
        onRequest: (r) =>
          r.path.startsWith('/api/storage/') ? { kind: 'status', status: 500 } : undefined,
      },
      { paths: 'libs/*.bin', retries: '0' },
    )
    expect(errors[0]).toBe('listing: HTTP 500 Internal Server Error (1 attempt)')
  })

  const three = { 'libs/a.bin': 'a', 'libs/b.bin': 'b', 'libs/c.bin': 'c' }
  const spec = (...files: unknown[]): string => JSON.stringify({ files })

  it('fails a spec entry whose AQL answer the server trimmed, rather than download part', async () => {
    const { errors, requests } = await runAgainst(
      { files: three, aqlMaxResults: 2 },
      { spec: spec({ aql: { 'items.find': { repo: 'libs' } }, target: 'out/' }) },
    )
    expect(errors[0]).toBe(
      "spec entry 1: AQL search: the server returned 2 results and trimmed the rest (its limit is 2): narrow the entry's pattern or aql, or add limit (1 attempt)",
    )
    expect(requests.filter((r) => r.startsWith('GET /libs/'))).toEqual([])
  })

  it('takes a trimmed-looking answer when the entry asked for that limit', async () => {
    const { errors, requests } = await runAgainst(
      { files: three, aqlMaxResults: 2 },
      { spec: spec({ aql: { 'items.find': { repo: 'libs' } }, target: 'out/', limit: 2 }) },
    )
    expect(errors).toEqual([])
    expect(requests.filter((r) => r.startsWith('GET /libs/')).sort()).toEqual([
      'GET /libs/a.bin 200',
      'GET /libs/b.bin 200',
    ])
  })

  it('fails a pattern listed by AQL (no File List API) when its answer was trimmed', async () => {
    const { errors, requests } = await runAgainst(
      { files: three, listApi: false, aqlMaxResults: 2 },
      { paths: 'libs/*.bin' },
    )
    expect(errors[0]).toBe(
      'AQL search: the server returned 2 results and trimmed the rest (its limit is 2): narrow the pattern (1 attempt)',
    )
    expect(requests.filter((r) => r.startsWith('GET /libs/'))).toEqual([])
  })
})

describe("the test server's AQL hard limit", () => {
  const item = (name: string): AqlItem => aqlItem(`libs/${name}`)
  const items = ['a', 'b', 'c'].map(item)
  const q = 'items.find({"repo":"libs"}).include("name")'

  it('trims as Artifactory does, and says so in range', () => {
    expect(runAql(q, items, {}, 6000, 2)).toEqual({
      results: [
        { repo: 'libs', path: '.', name: 'a', type: 'file' },
        { repo: 'libs', path: '.', name: 'b', type: 'file' },
      ],
      range: {
        start_pos: 0,
        end_pos: 2,
        total: 2,
        limit: 2,
        notification: 'AQL query reached the search hard limit, results are trimmed.',
      },
    })
  })

  it('leaves an answer within the limit, or a query that asks for less, alone', () => {
    expect(runAql(q, items, {}, 6000, 3)).toMatchObject({ range: { total: 3 } })
    expect(runAql(q, items, {}, 6000, 3)).not.toHaveProperty('range.limit')
    expect(runAql(`${q}.limit(1)`, items, {}, 6000, 2)).toMatchObject({
      range: { total: 1, limit: 1 },
    })
    expect(runAql(`${q}.limit(1)`, items, {}, 6000, 2)).not.toHaveProperty('range.notification')
  })
})

describe('trimmedAnswer', () => {
  it('reads a trimmed answer from its limit, its notification, or its total', () => {
    expect(trimmedAnswer({ limit: 500000 }, 500000, undefined, 'fix')?.message).toBe(
      'the server returned 500000 results and trimmed the rest (its limit is 500000): fix',
    )
    expect(trimmedAnswer({ limit: 500000 }, 500000, 600000, 'fix')?.kind).toBe('size')
    expect(
      trimmedAnswer({ notification: 'results are trimmed.' }, 7, undefined, 'fix')?.message,
    ).toBe('the server returned 7 results and trimmed the rest: fix')
    expect(trimmedAnswer({ total: 9 }, 5, undefined, 'fix')?.message).toBe(
      'the server returned 5 of 9 results (trimmed): fix',
    )
  })

  it('takes whole answers, and the limit the query asked for', () => {
    expect(trimmedAnswer(undefined, 5, undefined, 'fix')).toBeUndefined()
    expect(
      trimmedAnswer({ start_pos: 0, end_pos: 5, total: 5 }, 5, undefined, 'fix'),
    ).toBeUndefined()
    expect(trimmedAnswer({ total: 10, limit: 10 }, 10, 10, 'fix')).toBeUndefined()
    expect(trimmedAnswer({ total: 3, limit: 500000 }, 3, undefined, 'fix')).toBeUndefined()
  })
})
