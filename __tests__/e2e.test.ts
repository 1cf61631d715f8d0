// The bundled action, run as the runner runs it: `node index.js` with INPUT_* variables, from a
// build of src/ as it is on disk (scripts/fresh-bundle.ts).
import { expectSameBytes, seeded } from '../__fixtures__/bytes.ts'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useBundle } from '../__fixtures__/bundle.ts'
import { useServer } from '../__fixtures__/server.ts'
import { runAction } from '../scripts/runner.ts'

const big = seeded(6 * 1024 * 1024, 1)
// At least WORKER_HASH_MIN (8 MiB): hashed by the bundle's own hashing thread.
const large = seeded(9 * 1024 * 1024 + 5, 2)

// The action is run from a build of src/ as it is now (built once per content, shared).
const bundle = useBundle('artdl-e2e-')
const server = useServer({
  files: {
    'libs/com/acme/app-1.0.jar': 'app 1.0',
    'libs/com/acme/app-1.1.jar': 'app 1.1',
    'libs/com/acme/sub/lib.jar': 'lib',
    'libs/big/blob.bin': big,
    'libs/big/large.bin': large,
  },
  auth: { token: 'e2e-secret-token' },
})

describe('node dist/index.js', () => {
  it('downloads, sets outputs and the summary, masks the token, and is cheap to re-run', async () => {
    const inputs = {
      url: server.url,
      paths: 'libs/com/acme/**/*.jar => jars/\nlibs/big/blob.bin',
      target: 'out',
      'access-token': 'e2e-secret-token',
      'split-min-size': '1MiB',
      'progress-interval': '0',
    }
    const first = await runAction({ workspace: bundle.workspace, inputs })
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('::add-mask::e2e-secret-token')
    expect(first.stdout.replace('::add-mask::e2e-secret-token', '')).not.toContain(
      'e2e-secret-token',
    )
    expect(first.stdout).toContain('::group::Plan')
    expect(first.stdout).toContain('::group::Download')
    expect(first.outputs.downloaded).toBe('4')
    expect(first.outputs.failed).toBe('0')
    expect(Number(first.outputs.bytes)).toBe(big.length + 7 + 7 + 3)
    const files = JSON.parse(first.outputs.files) as string[]
    expect(files.sort()).toEqual(
      ['out/blob.bin', 'out/jars/app-1.0.jar', 'out/jars/app-1.1.jar', 'out/jars/lib.jar'].map(
        (f) => path.join(bundle.workspace, f),
      ),
    )
    expectSameBytes(fs.readFileSync(path.join(bundle.workspace, 'out/blob.bin')), big)
    expect(first.summary).toContain('**4/4** files in place')

    server.reset()
    const second = await runAction({ workspace: bundle.workspace, inputs })
    expect(second.code).toBe(0)
    expect(second.outputs.bytes).toBe('0')
    expect(second.stdout).toContain('up to date')
    expect(server.stats.bodyResponses).toBe(0)
  })

  it('hashes a large file in the bundled hashing thread (dist/hash-worker.js), under node_modules too', async () => {
    const run = await runAction({
      workspace: bundle.workspace,
      inputs: {
        url: server.url,
        paths: 'libs/big/large.bin => large/',
        'access-token': 'e2e-secret-token',
      },
      // The step log's debug lines (ACTIONS_STEP_DEBUG) carry the hashing threads' count.
      env: { RUNNER_DEBUG: '1' },
    })
    expect(run.code).toBe(0)
    expect(run.outputs.downloaded).toBe('1')
    expectSameBytes(fs.readFileSync(path.join(bundle.workspace, 'large/large.bin')), large)
    // The digest was checked (the server sends X-Checksum-Sha256), and a thread computed it:
    // the main thread's fallback would give the same digest and say why it took over.
    expect(run.stdout).not.toContain('hashing on the main thread')
    expect(run.stdout).toContain('::debug::hashing threads computed 1 digest(s)')
  })

  it('fails the step with one annotation per failed file', async () => {
    const run = await runAction({
      workspace: bundle.workspace,
      inputs: {
        url: server.url,
        paths: 'libs/nope-1.jar\nlibs/nope-2.jar\nlibs/com/acme/app-1.0.jar => keep.jar',
        'access-token': 'e2e-secret-token',
        retries: '0',
      },
    })
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'))
    expect(errors).toHaveLength(3)
    expect(errors[0]).toContain('title=Download failed%3A libs/nope-1.jar')
    expect(errors[0]).toContain('HTTP 404')
    expect(errors[2]).toBe('::error::2 of 3 downloads failed')
    expect(run.outputs.failed).toBe('2')
    expect(JSON.parse(run.outputs.errors)).toEqual([
      { source: 'libs/nope-1.jar', message: expect.stringContaining('HTTP 404') },
      { source: 'libs/nope-2.jar', message: expect.stringContaining('HTTP 404') },
    ])
  })

  it('with fail-on-error: false, warns and succeeds', async () => {
    const run = await runAction({
      workspace: bundle.workspace,
      inputs: {
        url: server.url,
        paths: 'libs/nope.jar',
        'access-token': 'e2e-secret-token',
        'fail-on-error': 'false',
      },
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/::warning title=Download failed%3A libs\/nope.jar::HTTP 404/)
    expect(run.stdout).not.toContain('::error')
  })

  it('refuses bad input before any request, naming the input', async () => {
    server.reset()
    const run = await runAction({
      workspace: bundle.workspace,
      inputs: { url: server.url, paths: 'libs/a.jar', concurrency: '100' },
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("::error::Input 'concurrency' must be from 1 to 64, got 100")
    expect(server.requests).toHaveLength(0)
  })
})
