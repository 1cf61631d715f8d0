// Re-runs and extraction (the JFrog CLI's TestArtifactoryDownloadAndExplodeFlat): an archive
// already on disk and up to date is still unpacked when its tree is missing; a completed
// extraction (recorded beside where the archive lay) is not redone; a failed one leaves no
// empty DEST folder. The whole action, in-process, against the local server.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { filesIn, logged, useAction } from '../__fixtures__/action-harness.ts'
import { useServer } from '../__fixtures__/server.ts'
import { filesAsMembers, tgzOf } from '../__fixtures__/tar.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const server = useServer()
beforeEach(() => {
  vi.clearAllMocks()
})
const action = useAction('artdl-xrerun-', () => ({ url: server.url }))

/** Requests for the archive's body (not listings, not 304s). */
const bodiesSent = (): number =>
  server.requests.filter((r) => r.path === '/arch/app.tgz' && r.status === 200).length

describe('an archive already on disk', () => {
  beforeEach(() => {
    server.setFile('arch/app.tgz', tgzOf(filesAsMembers({ 'bin/tool': 'tool', 'lib/x.txt': 'x' })))
    action.inputs = { ...action.inputs, paths: 'arch/app.tgz => out/' }
  })

  it('is unpacked when up to date but its tree is missing (extract: false, then true)', async () => {
    await run()
    expect(filesIn(path.join(action.workspace, 'out'))).toEqual(['app.tgz'])
    vi.clearAllMocks()
    server.reset()
    action.inputs = { ...action.inputs, extract: 'true' }
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(logged().some((l) => l.includes('up to date'))).toBe(true)
    expect(bodiesSent()).toBe(0)
    expect(filesIn(path.join(action.workspace, 'out'))).toEqual([
      '.app.tgz.artdl-extracted.json',
      'bin/tool',
      'lib/x.txt',
    ])
    expect(fs.readFileSync(path.join(action.workspace, 'out', 'bin', 'tool'), 'utf8')).toBe('tool')
  })

  it('is not unpacked again once its extraction completed', async () => {
    action.inputs = { ...action.inputs, extract: 'true' }
    await run()
    expect(bodiesSent()).toBe(1)
    const tool = path.join(action.workspace, 'out', 'bin', 'tool')
    // A mark the extraction would overwrite: it stays when nothing is unpacked again.
    await fsp.writeFile(tool, 'kept')
    vi.clearAllMocks()
    server.reset()
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(bodiesSent()).toBe(0)
    expect(logged().some((l) => l.includes('arch/app.tgz') && l.includes('up to date'))).toBe(true)
    expect(fs.readFileSync(tool, 'utf8')).toBe('kept')
  })

  it('is downloaded and unpacked again when a file of its tree is gone', async () => {
    action.inputs = { ...action.inputs, extract: 'true' }
    await run()
    await fsp.rm(path.join(action.workspace, 'out', 'lib', 'x.txt'))
    vi.clearAllMocks()
    server.reset()
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(bodiesSent()).toBe(1)
    expect(fs.readFileSync(path.join(action.workspace, 'out', 'lib', 'x.txt'), 'utf8')).toBe('x')
  })

  it('is downloaded and unpacked again when the server has another archive', async () => {
    action.inputs = { ...action.inputs, extract: 'true' }
    await run()
    server.setFile(
      'arch/app.tgz',
      tgzOf(filesAsMembers({ 'bin/tool': 'tool 2', 'lib/x.txt': 'x' })),
    )
    vi.clearAllMocks()
    server.reset()
    await run()
    expect(bodiesSent()).toBe(1)
    expect(fs.readFileSync(path.join(action.workspace, 'out', 'bin', 'tool'), 'utf8')).toBe(
      'tool 2',
    )
  })
})

describe('a failed extraction', () => {
  it('leaves no empty DEST folder behind', async () => {
    server.setFile(
      'arch/bad.tgz',
      zlib.gzipSync(Buffer.from('not a tar archive at all')).subarray(0, 20),
    )
    action.inputs = { ...action.inputs, paths: 'arch/bad.tgz => out/deep/', extract: 'true' }
    await run()
    expect(core.setFailed).toHaveBeenCalled()
    expect(fs.existsSync(path.join(action.workspace, 'out'))).toBe(false)
    expect(fs.existsSync(action.workspace)).toBe(true)
  })
})
