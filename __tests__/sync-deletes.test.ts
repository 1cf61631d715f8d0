// `sync-deletes`, as `jf rt download --sync-deletes`: after a run, the named folder inside
// `target` holds only what the run planned. Never outside that folder, never through a link,
// nothing when anything failed, a list only in a dry run, and a count in the summary.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { useTempDir } from '../__fixtures__/temp-dir.ts'
import * as core from '../__fixtures__/core.ts'
import { useServer } from '../__fixtures__/server.ts'
import { filesIn, logged, useAction } from '../__fixtures__/action-harness.ts'
import { symlinksWork } from '../__fixtures__/platform.ts'
import { deleteUnplanned, unplannedFiles } from '../src/plan/sync-deletes.ts'
import { readSyncDeletes } from '../src/input/cli-inputs.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const write = async (file: string, text = 'x'): Promise<void> => {
  await fsp.mkdir(path.dirname(file), { recursive: true })
  await fsp.writeFile(file, text)
}

describe('finding and deleting what was not planned', () => {
  const dir = useTempDir('artdl-sync-unit-')

  it('lists files and links below the folder that are not kept, never following a link', async () => {
    const sync = path.join(dir(), 'sync')
    const outside = path.join(dir(), 'outside')
    await write(path.join(sync, 'kept.txt'))
    await write(path.join(sync, 'old.txt'))
    await write(path.join(sync, 'deep', 'er', 'stale.bin'))
    await write(path.join(sync, 'Case.TXT'))
    await write(path.join(outside, 'precious.txt'))
    // Where links cannot be made (Wine makes none), the rest is still checked without one.
    const links = symlinksWork()
    if (links) await fsp.symlink(outside, path.join(sync, 'link'), 'dir')
    const link = links ? ['link'] : []
    const keep = [path.join(sync, 'kept.txt'), path.join(sync, 'case.txt')]
    expect(await unplannedFiles(sync, keep)).toEqual(
      ['Case.TXT', 'deep/er/stale.bin', ...link, 'old.txt'].map((f) => path.join(sync, f)),
    )
    // On a case-insensitive target a planned 'case.txt' is the file 'Case.TXT'.
    expect(await unplannedFiles(sync, keep, true)).toEqual(
      ['deep/er/stale.bin', ...link, 'old.txt'].map((f) => path.join(sync, f)),
    )
    expect(await unplannedFiles(path.join(dir(), 'missing'), [])).toEqual([])

    const files = await unplannedFiles(sync, keep, true)
    expect(await deleteUnplanned(sync, files, [])).toBe(2 + link.length)
    // The link went, not what it pointed at; the folders it emptied went too.
    expect(fs.existsSync(path.join(outside, 'precious.txt'))).toBe(true)
    expect(fs.readdirSync(sync).sort()).toEqual(['Case.TXT', 'kept.txt'])
  })

  it('never deletes outside the folder, and keeps the folders includeDirs made', async () => {
    const sync = path.join(dir(), 'sync')
    await write(path.join(dir(), 'elsewhere.txt'))
    await write(path.join(sync, 'made', 'gone.txt'))
    const n = await deleteUnplanned(
      sync,
      [path.join(dir(), 'elsewhere.txt'), sync, path.join(sync, 'made', 'gone.txt')],
      [path.join(sync, 'made')],
    )
    expect(n).toBe(1)
    expect(fs.existsSync(path.join(dir(), 'elsewhere.txt'))).toBe(true)
    expect(fs.statSync(path.join(sync, 'made')).isDirectory()).toBe(true)
  })

  it('takes a folder inside target only, and never one that holds the workspace', () => {
    const ws = path.join(dir(), 'ws')
    expect(readSyncDeletes('', ws, ws)).toBeUndefined()
    expect(readSyncDeletes('out/libs', ws, path.join(ws, 'out'))).toBe(path.join(ws, 'out', 'libs'))
    expect(readSyncDeletes('out', ws, path.join(ws, 'out'))).toBe(path.join(ws, 'out'))
    expect(() => readSyncDeletes('other', ws, path.join(ws, 'out'))).toThrow(
      `Input 'sync-deletes' must be a folder inside 'target' (${path.join(ws, 'out')}), got 'other'`,
    )
    expect(() => readSyncDeletes('.', ws, ws)).toThrow(
      "Input 'sync-deletes' must not hold the workspace",
    )
    expect(() => readSyncDeletes('..', ws, dir())).toThrow(
      "Input 'sync-deletes' must not hold the workspace",
    )
  })
})

const server = useServer({
  files: { 'libs/a/one.txt': 'one', 'libs/a/b/two.txt': 'two' },
})
const action = useAction('artdl-sync-', () => ({ url: server.url }))
const at = (rel: string): string => path.join(action.workspace, rel)
const setUp = async (): Promise<void> => {
  await write(at('out/old.txt'), 'old')
  await write(at('out/gone/stale.bin'), 'stale')
  await write(at('out/a/one.txt'), 'previous one')
  await write(at('notes.txt'), 'outside the folder')
  action.inputs.spec = JSON.stringify({ files: [{ pattern: 'libs/a/', target: 'out/' }] })
  action.inputs['sync-deletes'] = 'out'
}

describe('through the action', () => {
  it('deletes what the run did not plan under the folder, and counts it in the summary', async () => {
    await setUp()
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(filesIn(action.workspace)).toEqual(['notes.txt', 'out/a/b/two.txt', 'out/a/one.txt'])
    expect(fs.readFileSync(at('out/a/one.txt'), 'utf8')).toBe('one')
    expect(fs.existsSync(at('out/gone'))).toBe(false)
    expect(logged()).toContain(`sync-deletes: 2 files deleted under ${at('out')}`)
    expect(core.summary.text).toContain('**2** deleted (sync-deletes)')
  })

  it('lists what it would delete in a dry run, and deletes nothing', async () => {
    await setUp()
    action.inputs['dry-run'] = 'true'
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(fs.existsSync(at('out/old.txt'))).toBe(true)
    expect(logged()).toEqual(
      expect.arrayContaining([
        `would delete ${path.join('out', 'gone', 'stale.bin')} (sync-deletes)`,
        `would delete ${path.join('out', 'old.txt')} (sync-deletes)`,
        `sync-deletes: 2 files would be deleted under ${at('out')}`,
      ]),
    )
    expect(core.summary.text).toContain('**2** to delete (sync-deletes)')
  })

  it('deletes nothing when an entry failed', async () => {
    await setUp()
    action.inputs.spec = JSON.stringify({
      files: [{ pattern: 'libs/a/', target: 'out/' }, { pattern: 'libs/none/*' }],
    })
    await run()
    expect(core.setFailed).toHaveBeenCalled()
    expect(fs.existsSync(at('out/old.txt'))).toBe(true)
    expect(fs.existsSync(at('out/gone/stale.bin'))).toBe(true)
    expect(core.summary.text).toContain('nothing deleted (sync-deletes: 1 entry or file failed)')
  })

  it('deletes nothing when a file failed', async () => {
    await setUp()
    action.inputs.retries = '0'
    server.setFaults('libs/a/b/two.txt', [{ kind: 'status', status: 500 }])
    await run()
    expect(core.setFailed).toHaveBeenCalled()
    expect(fs.existsSync(at('out/old.txt'))).toBe(true)
    expect(logged()).toContain(
      `sync-deletes: nothing deleted under ${at('out')}: 1 entry or file failed`,
    )
  })
})
