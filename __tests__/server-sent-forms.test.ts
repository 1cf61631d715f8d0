// ETags, listing fields and names in the forms real servers send them: validators sent back byte
// for byte, File List fields written as strings, and plain paths taken literally. Through run().
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { filesIn, useAction } from '../__fixtures__/action-harness.ts'
import { expectSameBytes } from '../__fixtures__/bytes.ts'
import { useServer } from '../__fixtures__/server.ts'
import { checksumsOf, startArtifactory } from '../server/index.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const server = useServer()
const action = useAction('artdl-server-forms-', () => ({ url: server.url }))

describe('validators', () => {
  it('sends the ETag as the server sent it: 3 up-to-date explicit paths cost 3 requests and 0 body bytes', async () => {
    const names = ['a', 'b', 'c'].map((n) => `libs/v/${n}.bin`)
    for (const n of names) server.setFile(n, `body of ${n}`)
    action.inputs.paths = names.join('\n')
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    server.reset()
    core.info.mockClear()
    await run()
    const requests = server.requests
    const bodyBytes = requests.reduce((sum, r) => sum + r.bodyBytes, 0)
    expect([requests.length, bodyBytes]).toEqual([3, 0])
    expect(requests.map((r) => r.status)).toEqual([304, 304, 304])
    // Bare, as the server sent it.
    expect(requests.every((r) => /^[0-9a-f]{40}$/.test(String(r.headers['if-none-match'])))).toBe(
      true,
    )
  })

  it('echoes a quoted ETag quoted in If-Range', async () => {
    const quoted = await startArtifactory({ quotedEtag: true })
    try {
      const body = Buffer.alloc(64 * 1024, 7)
      quoted.setFile('libs/q.bin', body)
      quoted.setFaults('libs/q.bin', [{ kind: 'reset', afterBytes: 20 * 1024 }])
      action.inputs = { ...action.inputs, url: quoted.url, paths: 'libs/q.bin' }
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      const ifRange = quoted.requests.map((r) => r.headers['if-range']).filter(Boolean)
      expect(ifRange).toEqual([`"${createSha1(body)}"`])
      expectSameBytes(fs.readFileSync(path.join(action.workspace, 'q.bin')), body)
    } finally {
      await quoted.close()
    }
  })
})

describe('listings', () => {
  it('reads File List fields written as strings', async () => {
    const strings = await startArtifactory({
      listFieldsAsString: true,
      files: { 'libs/s/a.bin': 'aaa', 'libs/s/b.bin': 'bbbb' },
    })
    try {
      action.inputs = { ...action.inputs, url: strings.url, paths: 'libs/s/*.bin' }
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(filesIn(action.workspace)).toEqual(['a.bin', 'b.bin'])
    } finally {
      await strings.close()
    }
  })
})

describe('plain paths', () => {
  it('takes brackets and braces literally', async () => {
    server.setFile('libs/dir/lib[1].jar', 'bracketed')
    server.setFile('libs/dir/lib1.jar', 'the wrong file')
    server.setFile('libs/dir/{a,b}.txt', 'braced')
    server.setFile('libs/dir/a.txt', 'wrong a')
    server.setFile('libs/dir/keep[2].jar', 'kept')
    server.setFile('libs/dir/keep2.jar', 'wrong keep')
    action.inputs.paths = 'libs/dir/lib[1].jar\nlibs/dir/{a,b}.txt\nlibs/dir/keep*.jar'
    action.inputs.exclude = 'libs/dir/keep[2].jar'
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(filesIn(action.workspace)).toEqual(['keep2.jar', 'lib[1].jar', '{a,b}.txt'])
    expect(fs.readFileSync(path.join(action.workspace, 'lib[1].jar'), 'utf8')).toBe('bracketed')
    expect(fs.readFileSync(path.join(action.workspace, '{a,b}.txt'), 'utf8')).toBe('braced')
  })

  it('downloads a full URL with a stray %', async () => {
    server.setFile('libs/100%.bin', 'percent')
    action.inputs.paths = `${server.url}/libs/100%.bin`
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(fs.readFileSync(path.join(action.workspace, '100%.bin'), 'utf8')).toBe('percent')
  })
})

function createSha1(body: Buffer): string {
  return checksumsOf(body).sha1
}
