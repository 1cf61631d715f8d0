// Through the bundle, as the runner runs it: validators sent back as the server sent them, a
// checksum from Artifactory's record for a redirected file, plain names taken literally, and an
// HTML page refused.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectSameBytes } from '../__fixtures__/bytes.ts'
import { useBundle } from '../__fixtures__/bundle.ts'
import { useServer } from '../__fixtures__/server.ts'
import { startStorage, type StorageServer } from '../server/index.ts'
import { runAction } from '../scripts/runner.ts'

let storage: StorageServer
let landing: StorageServer
const stored = Buffer.from('bytes kept in cloud storage')

const bundle = useBundle('artdl-checksum-sources-e2e-')
beforeAll(async () => {
  storage = await startStorage({ files: { '/bucket/s.bin': stored } })
  landing = await startStorage({ landingPage: '<html><body>Instance suspended</body></html>' })
})
afterAll(async () => {
  await storage.close()
  await landing.close()
})
// Its redirects name the storage servers, started above.
const server = useServer(() => ({
  files: {
    'libs/v/a.bin': 'aaa',
    'libs/v/b.bin': 'bbb',
    'libs/v/c.bin': 'ccc',
    'libs/v/lib[1].jar': 'bracketed',
    'libs/v/lib1.jar': 'the wrong file',
    'libs/v/100%.bin': 'percent',
    'libs/s.bin': stored,
    'libs/app.rpm': 'rpm',
  },
  onRequest: (r) =>
    r.path === '/libs/s.bin'
      ? {
          kind: 'redirect',
          location: `${storage.origin}/bucket/s.bin?X-Amz-Signature=x`,
          withoutChecksums: true,
        }
      : r.path === '/libs/app.rpm'
        ? { kind: 'redirect', location: `${landing.origin}/`, withoutChecksums: true }
        : undefined,
}))

describe('node dist/index.js', () => {
  it('re-runs 3 explicit up-to-date paths with 3 requests and 0 body bytes', async () => {
    const inputs = {
      url: server.url,
      paths: 'libs/v/a.bin\nlibs/v/b.bin\nlibs/v/c.bin',
      target: 'v',
      'progress-interval': '0',
    }
    const first = await runAction({ workspace: bundle.workspace, inputs })
    expect(first.code).toBe(0)
    server.reset()
    const second = await runAction({ workspace: bundle.workspace, inputs })
    expect(second.code).toBe(0)
    const bodyBytes = server.requests.reduce((sum, r) => sum + r.bodyBytes, 0)
    expect([server.requests.length, bodyBytes]).toEqual([3, 0])
    expect(second.outputs.bytes).toBe('0')
  })

  it('verifies a redirected file by its record, takes names literally, and fails an HTML page', async () => {
    server.reset()
    const run = await runAction({
      workspace: bundle.workspace,
      inputs: {
        url: server.url,
        paths: `libs/s.bin\nlibs/v/lib[1].jar\n${server.url}/libs/v/100%.bin\nlibs/app.rpm`,
        target: 'mixed',
        retries: '0',
        'progress-interval': '0',
      },
    })
    expect(run.code).toBe(1)
    expect(run.outputs.downloaded).toBe('3')
    expect(run.outputs.unverified).toBe('0')
    expect(run.stdout).toMatch(/✓ libs\/s\.bin .*sha256 ok/)
    expect(run.stdout).toContain(
      '::error title=Download failed%3A libs/app.rpm::the server answered with an HTML page (text/html) instead of the file',
    )
    expectSameBytes(fs.readFileSync(path.join(bundle.workspace, 'mixed/s.bin')), stored)
    expect(fs.readFileSync(path.join(bundle.workspace, 'mixed/lib[1].jar'), 'utf8')).toBe(
      'bracketed',
    )
    expect(fs.readFileSync(path.join(bundle.workspace, 'mixed/100%.bin'), 'utf8')).toBe('percent')
    expect(fs.existsSync(path.join(bundle.workspace, 'mixed/app.rpm'))).toBe(false)
  })
})
