// A file's lifecycle at its edges: an existing copy on a case-insensitive target, cleanups a
// Windows scanner refuses for a moment, and the whole restart after a response that did not
// answer its request.
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempIgnoresCase } from '../__fixtures__/platform.ts'
import { seeded } from '../__fixtures__/bytes.ts'
import { useTarget } from '../__fixtures__/engine.ts'
import type { EngineOptions } from '../src/engine/queue.ts'
import { extractArchive } from '../src/extract/archive.ts'
import { tarOf } from '../__fixtures__/tar.ts'
import { retryLine } from '../src/report/log-lines.ts'
import { useServer } from '../__fixtures__/server.ts'
import { startArtifactory } from '../server/index.ts'

const server = useServer()
const target = useTarget('artdl-lifecycle-edges-', { concurrency: 2 })

const download = (paths: string, extra: Partial<EngineOptions> = {}) =>
  target.download(server.url, paths, extra)

describe('skip-existing on a case-insensitive target', () => {
  it('recognises README.TXT on disk as the planned readme.txt', async () => {
    server.setFile('libs/readme.txt', seeded(3000, 5))
    await fsp.writeFile(path.join(target.dir, 'README.TXT'), seeded(3000, 5))
    const { results } = await download('libs/readme.txt', { caseInsensitive: true })
    expect(results[0]).toMatchObject({ status: 'up-to-date', verified: 'sha1' })
    expect(await target.tree()).toEqual(['README.TXT'])
  })

  it.skipIf(tempIgnoresCase())(
    'on a case-sensitive target, README.TXT is another file (skipped where the temporary folder ignores case: Windows, macOS)',
    async () => {
      server.setFile('libs/readme.txt', seeded(3000, 5))
      await fsp.writeFile(path.join(target.dir, 'README.TXT'), seeded(3000, 5))
      const { results } = await download('libs/readme.txt', { caseInsensitive: false })
      expect(results[0]).toMatchObject({ status: 'downloaded' })
      expect(await target.tree()).toEqual(['README.TXT', 'readme.txt'])
    },
  )

  it('downloads a changed file again whatever the case of its name on disk', async () => {
    server.setFile('libs/readme.txt', seeded(3000, 5))
    await fsp.writeFile(path.join(target.dir, 'ReadMe.txt'), seeded(3000, 6))
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
    server.setFile('libs/av.bin', seeded(2000, 7))
    const { calls, remove } = busyRemove(2, 'EPERM')
    const { results } = await download('libs/av.bin', {
      rename: () => Promise.reject(Object.assign(new Error('EBUSY: rename'), { code: 'EBUSY' })),
      remove,
    })
    expect(results[0]).toMatchObject({ status: 'failed', attempts: 1 })
    expect(calls).toEqual(['.av.bin.artdl-part', '.av.bin.artdl-part', '.av.bin.artdl-part'])
    expect(await target.tree()).toEqual([])
  })

  it('removes an extracted archive once the scanner lets go', async () => {
    const file = path.join(target.dir, 'a.tar')
    await fsp.writeFile(file, tarOf([{ path: 'bin/tool', body: 'tool' }]))
    const { calls, remove } = busyRemove(3)
    const waits: number[] = []
    const files = await extractArchive(file, undefined, {
      remove,
      wait: async (ms) => void waits.push(ms),
    })
    expect(files).toEqual([path.join(target.dir, 'bin/tool')])
    expect(calls).toEqual(['a.tar', 'a.tar', 'a.tar', 'a.tar'])
    expect(waits).toEqual([50, 100, 200])
    expect(await target.tree()).toEqual(['.a.tar.artdl-extracted.json', 'bin/tool'])
  })
})

describe('the whole restart after a response that did not answer its request', () => {
  it('says it restarts, with no count of retries, even with retries: 0', async () => {
    const data = seeded(4 * 1024 * 1024, 8)
    const s = await startArtifactory({
      files: { 'libs/big.bin': data },
      onRequest: (r) => (r.method === 'GET' && r.range ? { kind: 'ignore-range' } : undefined),
    })
    try {
      const { results, retries } = await target.download(s.url, 'libs/big.bin', {
        retries: 0,
        split: 4,
        splitMinSize: 1024 * 1024,
      })
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
    server.setFile('libs/a.bin', seeded(1000, 9))
    server.setFaults('libs/a.bin', [{ kind: 'status', status: 503 }])
    const { retries } = await download('libs/a.bin')
    expect(retries[0].restartWhole).toBeUndefined()
    expect(retryLine(retries[0], (t) => t)).toBe(
      'retry 1/3 for libs/a.bin in 0 ms: HTTP 503 Service Unavailable',
    )
  })
})
