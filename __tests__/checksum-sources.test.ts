// Where a file's checksum comes from when the download's headers give none (Artifactory's record,
// a listing), and what happens when no source gives one: through run(), against local servers.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { errors, filesIn, logged, output, useAction } from '../__fixtures__/action-harness.ts'
import { expectSameBytes } from '../__fixtures__/bytes.ts'
import { useServer } from '../__fixtures__/server.ts'
import { checksumsOf, startArtifactory, startStorage } from '../server/index.ts'
import { parseEntries } from '../src/input/entries.ts'
import { planFiles } from '../src/plan/downloads.ts'
import { withListedChecksums } from '../src/plan/listed-checksums.ts'
import { HttpClient } from '../src/net/http-client.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const server = useServer()
const action = useAction('artdl-checksum-sources-', () => ({ url: server.url }))
const okLines = (): string[] => logged().filter((l) => l.startsWith('✓ '))

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
