// Where a file is written before and when it is placed: temporaries that never collide and fit
// the file system's limits, and destinations refused before any body is requested.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { errors, logged, useAction } from '../__fixtures__/action-harness.ts'
import { expectSameBytes } from '../__fixtures__/bytes.ts'
import { useServer } from '../__fixtures__/server.ts'
import { tempNameFor } from '../src/engine/temp-name.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const server = useServer()
const action = useAction('artdl-temporaries-', () => ({ url: server.url }))
const okLines = (): string[] => logged().filter((l) => l.startsWith('✓ '))

describe('temporary names', () => {
  it('gives two names that share their first 200 characters two temporaries', async () => {
    const stem = 'n'.repeat(200)
    const a = Buffer.from('first body')
    const b = Buffer.from('second, other body')
    server.setFile(`libs/${stem}-a.bin`, a)
    server.setFile(`libs/${stem}-b.bin`, b)
    expect(tempNameFor(`${stem}-a.bin`)).not.toBe(tempNameFor(`${stem}-b.bin`))
    action.inputs.paths = `libs/${stem}-a.bin\nlibs/${stem}-b.bin`
    action.inputs.concurrency = '2'
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expectSameBytes(fs.readFileSync(path.join(action.workspace, `${stem}-a.bin`)), a)
    expectSameBytes(fs.readFileSync(path.join(action.workspace, `${stem}-b.bin`)), b)
    expect(okLines()).toHaveLength(2)
  })

  it('fits a temporary in 255 bytes for 122 Cyrillic letters, the same on every run', async () => {
    const name = 'ж'.repeat(122)
    const temp = tempNameFor(name)
    expect(Buffer.byteLength(temp)).toBeLessThanOrEqual(255)
    expect(temp).toBe(tempNameFor(name))
    expect(temp).not.toBe(tempNameFor(`${'ж'.repeat(121)}я`))
    const body = Buffer.from('cyrillic')
    server.setFile(`libs/${name}`, body)
    action.inputs.paths = `libs/${name}`
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expectSameBytes(fs.readFileSync(path.join(action.workspace, name)), body)
  })

  it('refuses by name a listed file that lies in the temporaries namespace', async () => {
    server.setFile('libs/dir/app.jar', 'the real jar')
    server.setFile('libs/dir/.app.jar.artdl-part', 'a leftover')
    action.inputs.paths = 'libs/dir/*'
    await run()
    expect(core.setFailed).toHaveBeenCalled()
    expect(errors().join('\n')).toContain(
      "the destination '.app.jar.artdl-part' is named like this action's temporaries",
    )
    // Refused before any download: no file written, none reported ok.
    expect(okLines()).toEqual([])
    expect(server.requests.filter((r) => !r.path.startsWith('/api/'))).toEqual([])
  })
})

describe('destinations', () => {
  it('refuses a DEST that exists as a folder before its body is requested', async () => {
    server.setFile('libs/big.bin', Buffer.alloc(256 * 1024, 1))
    fs.mkdirSync(path.join(action.workspace, 'big.bin'))
    action.inputs.paths = 'libs/big.bin'
    await run()
    expect(core.setFailed).toHaveBeenCalled()
    expect(errors().join('\n')).toContain(
      `the destination ${path.join(action.workspace, 'big.bin')} exists as a folder`,
    )
    expect(server.requests.filter((r) => r.path === '/libs/big.bin')).toEqual([])
  })
})
