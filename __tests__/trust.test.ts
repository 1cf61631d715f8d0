// Issue 19: names, validators and listings as real servers send them, through run().
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { errors, filesIn, logged, output, useAction } from '../__fixtures__/action-harness.ts'
import { expectSameBytes } from '../__fixtures__/bytes.ts'
import { useServer } from '../__fixtures__/server.ts'
import { checksumsOf, startArtifactory, startStorage } from '../server/index.ts'
import { tempNameFor } from '../src/engine/temp-name.ts'
import { parseEntries } from '../src/input/entries.ts'
import { planFiles } from '../src/plan/downloads.ts'
import { withListedChecksums } from '../src/plan/listed-checksums.ts'
import { HttpClient } from '../src/net/http-client.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const server = useServer()
const action = useAction('artdl-trust-', () => ({ url: server.url }))
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

describe('checksum sources', () => {
  it("verifies a file redirected to storage without checksums with Artifactory's record", async () => {
    const body = Buffer.from('the bytes in cloud storage')
    const storage = await startStorage({ files: { '/bucket/x.bin': body } })
    try {
      server.setFile('libs/x.bin', body)
      server.setFaults('libs/x.bin', [
        {
          kind: 'redirect',
          location: `${storage.origin}/bucket/x.bin?X-Amz-Signature=s`,
          withoutChecksums: true,
        },
      ])
      action.inputs.paths = 'libs/x.bin'
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(okLines()).toEqual([expect.stringMatching(/sha256 ok/)])
      expect(server.requests.map((r) => r.path)).toContain('/api/storage/libs/x.bin')
      expect(output('unverified')).toBe('0')
      expect(core.warning).not.toHaveBeenCalled()
      expectSameBytes(fs.readFileSync(path.join(action.workspace, 'x.bin')), body)
    } finally {
      await storage.close()
    }
  })

  it('fails an Artifactory file whose checksum no source gives, with the reason', async () => {
    const storage = await startStorage({ files: { '/bucket/y.bin': 'unverifiable' } })
    const noRecord = await startArtifactory({
      files: { 'libs/y.bin': 'unverifiable' },
      onRequest: (r) =>
        r.path.startsWith('/api/storage/')
          ? { kind: 'status', status: 200, body: '{"repo":"libs","path":"/y.bin"}' }
          : {
              kind: 'redirect',
              location: `${storage.origin}/bucket/y.bin`,
              withoutChecksums: true,
            },
    })
    try {
      action.inputs = { ...action.inputs, url: noRecord.url, paths: 'libs/y.bin' }
      await run()
      expect(core.setFailed).toHaveBeenCalled()
      expect(errors().join('\n')).toContain(
        "cannot verify the file: no checksum in the listing, the response headers or Artifactory's record of it",
      )
      expect(filesIn(action.workspace)).toEqual([])
    } finally {
      await noRecord.close()
      await storage.close()
    }
  })

  it('keeps a full URL from another server unverified, with one warning and the count', async () => {
    const storage = await startStorage({ files: { '/b/one.bin': 'one', '/b/two.bin': 'two' } })
    try {
      action.inputs.paths = `${storage.origin}/b/one.bin\n${storage.origin}/b/two.bin`
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(output('unverified')).toBe('2')
      expect(core.warning.mock.calls.map((c) => String(c[0]))).toEqual([
        "2 file(s) downloaded but not verified: the server sent no checksum (see the 'unverified' output)",
      ])
      expect(server.requests).toEqual([])
    } finally {
      await storage.close()
    }
  })

  it('fails a file answered with an HTML landing page', async () => {
    const storage = await startStorage({ landingPage: '<html><body>Suspended</body></html>' })
    try {
      server.setFile('libs/app.rpm', 'rpm bytes')
      server.setFaults('libs/app.rpm', [
        { kind: 'redirect', location: `${storage.origin}/landing`, withoutChecksums: true },
      ])
      action.inputs.paths = 'libs/app.rpm'
      action.inputs.retries = '0'
      await run()
      expect(core.setFailed).toHaveBeenCalled()
      expect(errors().join('\n')).toContain(
        'the server answered with an HTML page (text/html) instead of the file',
      )
      expect(filesIn(action.workspace)).toEqual([])
    } finally {
      await storage.close()
    }
  })
})

describe('listed checksums', () => {
  it('gives new downloads and leaves the plan it was given as it was', async () => {
    const names = ['a', 'b', 'c', 'd'].map((n) => `libs/l/${n}.bin`)
    for (const n of names) server.setFile(n, `listed ${n}`)
    const planned = planFiles(parseEntries(names.join('\n'), server.url), {
      target: action.workspace,
      flat: true,
    })
    for (const d of planned) fs.writeFileSync(d.dest, 'an old copy')
    const before = structuredClone(planned)
    const http = new HttpClient({ connections: 2, timeoutMs: 5000 })
    try {
      const listed = await withListedChecksums(planned, {
        http,
        url: server.url,
        signal: new AbortController().signal,
      })
      expect(listed.known).toBe(4)
      expect(planned).toEqual(before)
      expect(listed.downloads.map((d) => d.checksums.sha256)).toEqual(
        names.map((n) => checksumsOf(server.files.get(n) as Buffer).sha256),
      )
    } finally {
      await http.close()
    }
  })
})

function createSha1(body: Buffer): string {
  return checksumsOf(body).sha1
}
