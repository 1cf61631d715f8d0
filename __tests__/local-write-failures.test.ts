// Local disks that refuse: names too long for the file system, a target folder that vanishes,
// a full disk and renames refused as Windows scanners refuse them. The file fails with a message
// that names what went wrong (or is placed once the refusal passes), and no temporary is left.
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { seeded } from '../__fixtures__/bytes.ts'
import { useTarget } from '../__fixtures__/engine.ts'
import { useNoEscapes } from '../__fixtures__/escapes.ts'
import { useServers } from '../__fixtures__/server.ts'
import { parseEntries } from '../src/input/entries.ts'
import { planFiles } from '../src/plan/downloads.ts'
import { runDownloads } from '../src/engine/queue.ts'

// Nothing may escape the error handling either: a failure names the test that let it out.
useNoEscapes()
const serve = useServers()
const target = useTarget('artdl-write-failures-')

describe('local write failures', () => {
  it('refuses a name too long for the file system before any request, naming the limit', async () => {
    const name = `${'n'.repeat(300)}.bin`
    const s = await serve({ files: { [`libs/${name}`]: seeded(1000) } })
    expect(() =>
      planFiles(parseEntries(`libs/${name}`, s.url), { target: target.dir, flat: true }),
    ).toThrow(
      /the destination cannot exist on Linux and macOS: 'n+…' is 304 bytes long; Linux and macOS allow at most 255 bytes \(UTF-8\) in a file or folder name/,
    )
    expect(() =>
      planFiles(parseEntries(`libs/${name}`, s.url), {
        target: target.dir,
        flat: true,
        names: 'windows',
      }),
    ).toThrow(
      /'n+…' is 304 characters long; Windows allows at most 255 \(UTF-16 units\) in a file or folder name/,
    )
    expect(s.requests).toEqual([])
  })

  // Windows reports a name over 255 units as ERROR_INVALID_NAME, which Node turns into ENOENT:
  // there the plan's refusal above is what names the limit.
  it.skipIf(process.platform === 'win32')(
    'fails a name too long for the file system at once, without retries (ENAMETOOLONG: not on Windows, which reports ENOENT)',
    async () => {
      const name = `${'n'.repeat(300)}.bin`
      const s = await serve({ files: { [`libs/${name}`]: seeded(1000) } })
      // Past the plan's check, as a name the plan could not know too long would be.
      const [planned] = planFiles(parseEntries('libs/short.bin', s.url), {
        target: target.dir,
        flat: true,
      })
      const long = {
        ...planned,
        url: `${s.url}/libs/${name}`,
        dest: path.join(target.dir, name),
      }
      const retries: unknown[] = []
      const results = await runDownloads([long], target.options(), {
        onRetry: (r) => retries.push(r),
      })
      expect(results[0]).toMatchObject({ status: 'failed', attempts: 1 })
      expect(results[0].error).toMatch(/^the file could not be written: the name is too long/)
      expect(retries).toEqual([])
      expect(await target.tree()).toEqual([])
    },
  )

  it('fails at once when the target folder vanishes during the download', async () => {
    const s = await serve({
      files: { 'libs/slow.bin': seeded(400_000, 10) },
      throttleBytesPerSec: 800 * 1024,
    })
    const folder = path.join(target.dir, 'sub')
    const running = runDownloads(
      planFiles(parseEntries('libs/slow.bin', s.url), { target: folder, flat: true }),
      target.options({ target: folder }),
    )
    while (!s.requests.some((r) => r.bodyBytes > 0 || r.status === 200))
      await new Promise((r) => setTimeout(r, 10))
    await fsp.rm(folder, { recursive: true, force: true })
    const [result] = await running
    expect(result).toMatchObject({ status: 'failed', attempts: 1 })
    expect(result.error).toMatch(
      /^the file could not be written: the target folder no longer exists/,
    )
    expect(await target.tree()).toEqual([])
  })

  it('says how much space is left when the disk is full', async () => {
    const s = await serve({ files: { 'libs/full.bin': seeded(1000) } })
    const { results, retries } = await target.download(s.url, 'libs/full.bin', {
      rename: () =>
        Promise.reject(
          Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }),
        ),
    })
    expect(results[0]).toMatchObject({ status: 'failed', attempts: 1 })
    expect(results[0].error).toMatch(
      new RegExp(
        `^the file could not be written: no space left on the disk .*; [\\d.]+ [KMGT]?i?B free in ${target.dir.replace(/[/\\]/g, '.')}$`,
      ),
    )
    expect(retries).toEqual([])
  })

  it('retries a rename refused as a scanner refuses it on Windows, then places the file', async () => {
    const s = await serve({ files: { 'libs/av.bin': seeded(1000, 11) } })
    const codes = ['EPERM', 'EBUSY', 'EACCES']
    const { results, retries } = await target.download(s.url, 'libs/av.bin', {
      rename: (from, to) => {
        const code = codes.shift()
        return code
          ? Promise.reject(Object.assign(new Error(`${code}: rename`), { code }))
          : fsp.rename(from, to)
      },
    })
    expect(results[0]).toMatchObject({ status: 'downloaded', attempts: 1, verified: 'sha256' })
    expect(retries).toEqual([])
    expect(await target.tree()).toEqual(['av.bin'])
  })

  it('fails the file when the rename stays refused, and leaves no temporary', async () => {
    const s = await serve({ files: { 'libs/av.bin': seeded(1000, 12) } })
    let tries = 0
    const { results } = await target.download(s.url, 'libs/av.bin', {
      rename: () => {
        tries++
        return Promise.reject(Object.assign(new Error('EBUSY: rename'), { code: 'EBUSY' }))
      },
    })
    expect(tries).toBe(6)
    expect(results[0]).toMatchObject({ status: 'failed', attempts: 1 })
    expect(results[0].error).toMatch(/^the file could not be written: the file is in use/)
    expect(await target.tree()).toEqual([])
  })
})
