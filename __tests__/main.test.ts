// The runner layer in-process, with @actions/core replaced by typed fixtures, against the
// local Artifactory-compatible server.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { everyChannel, filesIn, logged, output, useAction } from '../__fixtures__/action-harness.ts'
import { symlinksWork } from '../__fixtures__/platform.ts'
import { useServer } from '../__fixtures__/server.ts'
import { startArtifactory, startRecorder } from '../server/index.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const server = useServer()
const action = useAction('artdl-main-', () => ({ url: server.url }))

const files = (dir = action.workspace): string[] => filesIn(dir)

describe('the step log', () => {
  it('has plan, download and report groups, one line per file, and retry lines', async () => {
    server.setFile('libs/a.bin', 'aaa')
    server.setFile('libs/b.bin', 'bbb')
    server.setFaults('libs/b.bin', [{ kind: 'status', status: 503 }])
    action.inputs.paths = 'libs/a.bin\nlibs/b.bin'
    await run()
    expect(core.startGroup.mock.calls.map((c) => c[0])).toEqual(['Plan', 'Download', 'Report'])
    expect(core.endGroup).toHaveBeenCalledTimes(3)
    const log = logged()
    expect(log).toContain('retry 1/3 for libs/b.bin in 0 ms: HTTP 503 Service Unavailable')
    expect(log.filter((l) => l.startsWith('✓ '))).toHaveLength(2)
    expect(log.some((l) => /^2 entries requested → 2 files/.test(l))).toBe(true)
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(core.warning).not.toHaveBeenCalled()
  })

  it('prints progress lines during a slow download', async () => {
    const slow = await startArtifactory({
      files: { 'libs/slow.bin': Buffer.alloc(600 * 1024, 1) },
      throttleBytesPerSec: 250 * 1024,
    })
    try {
      action.inputs = {
        ...action.inputs,
        url: slow.url,
        paths: 'libs/slow.bin',
        'progress-interval': '1',
      }
      await run()
      const lines = logged().filter((l) => l.startsWith('progress: '))
      expect(lines.length).toBeGreaterThanOrEqual(1)
      expect(lines[0]).toMatch(/^progress: 0\/1 files, [\d.]+ (KiB|B), [\d.]+ (KiB|B)\/s, elapsed/)
    } finally {
      await slow.close()
    }
  })

  it('parses Artifactory error bodies and never shows the token they echo', async () => {
    const echo = await startArtifactory({
      files: {},
      onRequest: () => ({
        kind: 'status',
        status: 403,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          errors: [{ status: 403, message: 'token s3cr3t-t0ken-value may not read libs' }],
        }),
      }),
    })
    try {
      action.inputs = {
        ...action.inputs,
        url: echo.url,
        paths: 'libs/x.bin',
        'access-token': 's3cr3t-t0ken-value',
      }
      await run()
      expect(core.setSecret).toHaveBeenCalledWith('s3cr3t-t0ken-value')
      const everything = everyChannel()
      expect(everything).not.toContain('s3cr3t-t0ken-value')
      expect(core.error.mock.calls[0][0]).toBe(
        'HTTP 403 Forbidden: token *** may not read libs (the access token was sent: check that the user or token may read this repository) (1 attempt)',
      )
    } finally {
      await echo.close()
    }
  })
})

describe('annotations', () => {
  it('annotates 9 failed files and lets the failure message count the rest', async () => {
    action.inputs.paths = Array.from({ length: 12 }, (_, i) => `libs/missing-${i}.bin`).join('\n')
    await run()
    expect(core.error).toHaveBeenCalledTimes(9)
    expect(core.error.mock.calls[0][1]).toEqual({ title: 'Download failed: libs/missing-0.bin' })
    expect(core.setFailed).toHaveBeenCalledWith(
      '12 of 12 downloads failed; 3 more failed files are not annotated: see the job summary for all of them',
    )
    expect(core.summary.text).toContain('### Failures (12)')
    expect(core.summary.text).toContain('libs/missing-11.bin')
  })
})

describe('input errors', () => {
  it('names the input and sends no request', async () => {
    action.inputs = { ...action.inputs, paths: 'libs/a.bin', retries: 'many' }
    await run()
    expect(core.setFailed).toHaveBeenCalledWith(
      "Input 'retries' must be a whole number from 0 to 20, got 'many'",
    )
    expect(server.requests).toHaveLength(0)
  })

  it('refuses two entries writing one file, naming both, before any request', async () => {
    action.inputs.paths = 'libs/x/app.jar\nlibs/y/app.jar'
    await run()
    expect(core.setFailed.mock.calls[0][0]).toContain(
      "'libs/x/app.jar' (line 1) and 'libs/y/app.jar' (line 2)",
    )
    expect(server.requests).toHaveLength(0)
  })

  it('refuses a DEST outside target', async () => {
    action.inputs.paths = 'libs/a.bin => ../../etc/a.bin'
    await run()
    expect(core.setFailed.mock.calls[0][0]).toContain('resolves outside')
    expect(server.requests).toHaveLength(0)
  })
})

describe('re-runs', () => {
  const names = Array.from({ length: 6 }, (_, i) => `libs/rr/f${i}.bin`)

  it('check existing copies with one folder listing instead of a request per file', async () => {
    names.forEach((n, i) => server.setFile(n, `content ${i}`))
    action.inputs = { ...action.inputs, paths: names.join('\n') }
    await run()
    // A local change the listing must catch.
    fs.writeFileSync(path.join(action.workspace, 'f2.bin'), 'changed locally')
    server.reset()
    vi.clearAllMocks()
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /api/storage/libs/rr 200',
      'GET /libs/rr/f2.bin 200',
    ])
    expect(server.requests[0].url).toContain('deep=0')
    expect(fs.readFileSync(path.join(action.workspace, 'f2.bin'), 'utf8')).toBe('content 2')
    expect(output('downloaded')).toBe('6')
  })

  it('a listing with malformed checksums neither fails the run nor decides a file', async () => {
    // A number, a non-hex string, an SHA-1 of the wrong length: a server's fault, ignored
    // (each file is then checked by its own request), never a TypeError that ends the run.
    const odd = await startArtifactory({
      onRequest: (r) =>
        r.path === '/api/storage/libs/rr'
          ? {
              kind: 'status',
              status: 200,
              body: JSON.stringify({
                files: names.map((n, i) => ({
                  uri: `/${path.posix.basename(n)}`,
                  size: 9,
                  ...(i % 3 === 0 ? { sha2: 5 } : i % 3 === 1 ? { sha2: 'zz' } : { sha1: 'abc' }),
                })),
              }),
            }
          : undefined,
    })
    try {
      names.forEach((n, i) => odd.setFile(n, `content ${i}`))
      action.inputs = { ...action.inputs, url: odd.url, paths: names.join('\n') }
      await run()
      fs.writeFileSync(path.join(action.workspace, 'f2.bin'), 'changed locally')
      odd.reset()
      vi.clearAllMocks()
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(output('failed')).toBe('0')
      expect(fs.readFileSync(path.join(action.workspace, 'f2.bin'), 'utf8')).toBe('content 2')
    } finally {
      await odd.close()
    }
  })

  it('falls back to one conditional request per file where the File List API is refused', async () => {
    const noList = await startArtifactory({ listApi: false })
    try {
      names.forEach((n, i) => noList.setFile(n, `content ${i}`))
      action.inputs = { ...action.inputs, url: noList.url, paths: names.join('\n') }
      await run()
      noList.reset()
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      const statuses = noList.requests.map((r) => `${r.method} ${r.status}`)
      expect(statuses[0]).toBe('GET 403')
      expect(statuses.slice(1)).toEqual(names.map(() => 'GET 304'))
      expect(noList.stats.bodyResponses).toBe(0)
    } finally {
      await noList.close()
    }
  })
})

describe('dry run', () => {
  it('plans and checks but requests no body and writes nothing', async () => {
    for (let i = 0; i < 5; i++) server.setFile(`libs/dry/d${i}.bin`, `content ${i}`)
    action.inputs = { ...action.inputs, paths: 'libs/dry/*.bin => out/', 'dry-run': 'true' }
    await run()
    expect(server.stats.bodyResponses).toBe(0)
    expect(server.requests.every((r) => r.method !== 'GET' || r.path.startsWith('/api/'))).toBe(
      true,
    )
    expect(files()).toEqual([])
    expect(JSON.parse(output('files') as string)).toEqual(
      Array.from({ length: 5 }, (_, i) => path.join(action.workspace, 'out', `d${i}.bin`)),
    )
    expect(core.startGroup.mock.calls.map((c) => c[0])).toEqual([
      'Plan',
      'Check (dry run)',
      'Report',
    ])
    expect(core.summary.text).toContain('(dry run)')
    expect(core.summary.text).toContain('**5** to download')
  })
})

describe('patterns', () => {
  beforeEach(() => {
    server.setFile('libs/com/acme/app/1.4.0/app-1.4.0.jar', 'a140')
    server.setFile('libs/com/acme/app/1.4.0/app-1.4.0.pom', 'p140')
    server.setFile('libs/com/acme/app/1.4.1/sub/app-tests.jar', 't141')
    server.setFile('libs/com/acme/app/1.5.0/app-1.5.0.jar', 'a150')
    server.setFile('libs/com/acme/app/1.4.1/app-1.4.1.jar', 'a141')
  })

  it('expands **, * and ? with the File List API, honours exclude, keeps folders with flat: false', async () => {
    action.inputs = {
      ...action.inputs,
      paths: 'libs/com/acme/app/1.4.?/**/*.jar => jars',
      exclude: 'libs/**/*-tests.jar',
      flat: 'false',
    }
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(files()).toEqual(['jars/1.4.0/app-1.4.0.jar', 'jars/1.4.1/app-1.4.1.jar'])
    expect(server.requests.filter((r) => r.path.startsWith('/api/storage/'))).toHaveLength(1)
    // Listed checksums verify the files: no HEAD needed, sha256 from the listing.
    expect(logged().filter((l) => l.includes('sha256 ok'))).toHaveLength(2)
  })

  it('falls back to AQL when the File List API is refused', async () => {
    const noList = await startArtifactory({
      listApi: false,
      files: Object.fromEntries(server.files),
    })
    try {
      action.inputs = { ...action.inputs, url: noList.url, paths: 'libs/com/acme/**/*.pom' }
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(files()).toEqual(['app-1.4.0.pom'])
      expect(noList.requests.some((r) => r.method === 'POST' && r.path === '/api/search/aql')).toBe(
        true,
      )
    } finally {
      await noList.close()
    }
  })

  it('reports a pattern that matches nothing as a failure, and the other entries go on', async () => {
    action.inputs.paths = 'libs/com/acme/**/*.war\nlibs/com/acme/app/1.5.0/app-1.5.0.jar'
    await run()
    expect(files()).toEqual(['app-1.5.0.jar'])
    expect(core.error.mock.calls[0][0]).toContain("'libs/com/acme/**/*.war' matched no file")
    expect(core.setFailed).toHaveBeenCalledWith('1 of 2 downloads failed')
  })

  it('refuses a whole entry whose listing holds a hostile name', async () => {
    const hostile = await startArtifactory({
      files: { 'libs/h/ok.bin': 'ok' },
      hostileListing: { 'libs/h': ['/../../escape.bin'] },
    })
    try {
      action.inputs = { ...action.inputs, url: hostile.url, paths: 'libs/h/**', flat: 'false' }
      await run()
      expect(files()).toEqual([])
      expect(core.error.mock.calls[0][0]).toContain("the server listed 'libs/h/../../escape.bin'")
      expect(hostile.stats.bodyResponses).toBe(0)
    } finally {
      await hostile.close()
    }
  })

  it('splits the plan across shards: disjoint, complete, each with its own outputs', async () => {
    for (let i = 0; i < 10; i++)
      server.setFile(`libs/shard/s${i}.bin`, Buffer.alloc(1000 * (i + 1), i))
    const seen: string[][] = []
    for (let shard = 1; shard <= 3; shard++) {
      core.setOutput.mockClear()
      action.inputs = { ...action.inputs, paths: 'libs/shard/*.bin', shard: `${shard}/3` }
      await run()
      seen.push(JSON.parse(output('files') as string))
    }
    const all = seen.flat()
    expect(new Set(all).size).toBe(10)
    expect(all).toHaveLength(10)
    const bytes = seen.map((s) => s.reduce((n, f) => n + fs.statSync(f).size, 0))
    expect(Math.max(...bytes) - Math.min(...bytes)).toBeLessThanOrEqual(10_000)
  })
})

describe('hostile conditions', () => {
  it('follows a redirect to another origin without sending credentials', async () => {
    const storage = await startRecorder({
      files: new Map([['signed/blob.bin', Buffer.from('from storage')]]),
    })
    try {
      server.setFile('libs/r.bin', 'from storage')
      server.setFaults('libs/r.bin', [
        { kind: 'redirect', location: `${storage.url}/signed/blob.bin?sig=abc123secret` },
      ])
      action.inputs = {
        ...action.inputs,
        paths: 'libs/r.bin',
        'access-token': 'artifactory-only-token',
      }
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(fs.readFileSync(path.join(action.workspace, 'r.bin'), 'utf8')).toBe('from storage')
      // Verified with the checksum Artifactory gave on the redirect, not just kept.
      expect(logged().some((l) => l.startsWith('✓ libs/r.bin') && l.endsWith('sha256 ok'))).toBe(
        true,
      )
      expect(storage.requests).toHaveLength(1)
      expect(storage.requests[0].headers.authorization).toBeUndefined()
      expect(storage.requests[0].headers.cookie).toBeUndefined()
      expect(server.requests.find((r) => r.path === '/libs/r.bin')?.headers.authorization).toBe(
        'Bearer artifactory-only-token',
      )
    } finally {
      await storage.close()
    }
  })

  it('refuses a body whose redirect target does not match the checksum Artifactory gave', async () => {
    const storage = await startRecorder({
      files: new Map([['signed/evil.bin', Buffer.from('tampered')]]),
    })
    try {
      server.setFile('libs/e.bin', 'genuine')
      server.setFaults(
        'libs/e.bin',
        Array.from({ length: 4 }, () => ({
          kind: 'redirect' as const,
          location: `${storage.url}/signed/evil.bin`,
        })),
      )
      action.inputs = { ...action.inputs, paths: 'libs/e.bin' }
      await run()
      expect(core.error.mock.calls[0][0]).toContain('checksum mismatch')
      expect(files()).toEqual([])
    } finally {
      await storage.close()
    }
  })

  it('keeps URL credentials out of every channel', async () => {
    server.setFile('libs/u.bin', 'u')
    const origin = new URL(server.url)
    action.inputs = {
      ...action.inputs,
      url: '',
      paths: `http://someone:hunter2-pass@${origin.host}/artifactory/libs/nope.bin?token=qs-secret-value`,
    }
    await run()
    const everything = everyChannel()
    expect(core.setSecret).toHaveBeenCalledWith('hunter2-pass')
    expect(core.setSecret).toHaveBeenCalledWith('qs-secret-value')
    expect(everything).not.toContain('hunter2-pass')
    expect(everything).not.toContain('qs-secret-value')
    expect(everything).toContain('HTTP 404')
  })

  it.skipIf(!symlinksWork())(
    'refuses a destination that leads outside target through an existing symlink (skipped where no symbolic link can be made: Wine)',
    async () => {
      const outside = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-outside-'))
      try {
        fs.symlinkSync(outside, path.join(action.workspace, 'link'))
        server.setFile('libs/s.bin', 'sneaky')
        action.inputs.paths = 'libs/s.bin => link/s.bin'
        await run()
        expect(fs.readdirSync(outside)).toEqual([])
        expect(core.error.mock.calls[0][0]).toContain('through a symbolic link')
      } finally {
        await fsp.rm(outside, { recursive: true, force: true })
      }
    },
  )

  it('lowers concurrency when the server pushes back, and still gets every file', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `libs/load/l${i}.bin`)
    const picky = await startArtifactory({
      files: Object.fromEntries(names.map((n) => [n, n])),
      maxConcurrent: 3,
      latencyMs: 20,
    })
    try {
      action.inputs = {
        ...action.inputs,
        url: picky.url,
        paths: names.join('\n'),
        concurrency: '32',
        retries: '10',
      }
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(files()).toHaveLength(60)
      expect(logged().some((l) => l.startsWith('concurrency now'))).toBe(true)
      expect(core.summary.text).toMatch(/Concurrency: lowered to \d+ \(of 32\)/)
    } finally {
      await picky.close()
    }
  })
})
