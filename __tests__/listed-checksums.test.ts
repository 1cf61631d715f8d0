// A skip-existing re-run over a target that holds the files already: one folder listing gives
// their checksums, so no file is requested, and the plan's downloads are never changed.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { useServer } from '../__fixtures__/server.ts'
import { logged, useAction } from '../__fixtures__/action-harness.ts'
import { HttpClient } from '../src/net/http-client.ts'
import { withListedChecksums } from '../src/plan/listed-checksums.ts'
import type { Download } from '../src/engine/download.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const FILES: Record<string, string> = {}
for (let i = 0; i < 6; i++) FILES[`libs/app/f${i}.bin`] = `body of file ${i}`

const server = useServer({ files: FILES, auth: { token: 't0ken' } })

describe('a skip-existing re-run', () => {
  const action = useAction('artdl-listed-', () => ({
    url: server.url,
    'access-token': 't0ken',
    paths: Object.keys(FILES).join('\n'),
    target: 'out',
    flat: 'false',
  }))

  it('learns the checksums of existing files from one listing and requests no file', async () => {
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    server.reset()
    vi.clearAllMocks()
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    const requests = server.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)
    expect(requests).toEqual(['GET /api/storage/libs/app'])
    expect(logged()).toContain('checksums of 6 existing files from folder listings')
    for (const [p, body] of Object.entries(FILES))
      expect(await fsp.readFile(path.join(action.workspace, 'out', p), 'utf8')).toBe(body)
  })

  it('downloads a file whose local copy differs from the listed checksum', async () => {
    await run()
    const changed = path.join(action.workspace, 'out', 'libs/app/f2.bin')
    await fsp.writeFile(changed, 'not the server body')
    server.reset()
    await run()
    expect(server.requests.filter((r) => r.path.startsWith('/libs/'))).toHaveLength(1)
    expect(await fsp.readFile(changed, 'utf8')).toBe(FILES['libs/app/f2.bin'])
  })
})

describe('withListedChecksums', () => {
  it('gives new downloads with the listed checksums and leaves the given ones unchanged', async () => {
    const target = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-listed-unit-'))
    const http = new HttpClient({
      connections: 2,
      timeoutMs: 10_000,
      authOrigins: new Set([new URL(server.url).origin]),
      authHeaders: { authorization: 'Bearer t0ken' },
      tls: {},
    })
    try {
      const given: Download[] = Object.entries(FILES).map(([p], i) => ({
        source: p,
        url: `${server.url}/${p}`,
        dest: path.join(target, p),
        checksums: {},
        line: i + 1,
      }))
      for (const d of given) {
        await fsp.mkdir(path.dirname(d.dest), { recursive: true })
        await fsp.writeFile(d.dest, FILES[d.source])
      }
      const snapshot = structuredClone(given)
      const result = await withListedChecksums(given, {
        http,
        url: server.url,
        signal: new AbortController().signal,
      })
      expect(given).toEqual(snapshot)
      expect(result.known).toBe(6)
      expect(result.downloads.map((d) => d.source)).toEqual(given.map((d) => d.source))
      for (const d of result.downloads) expect(d.checksums.sha256).toMatch(/^[0-9a-f]{64}$/)
    } finally {
      await http.close()
      await fsp.rm(target, { recursive: true, force: true })
    }
  })
})
