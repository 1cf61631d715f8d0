// Connections that servers close on us, through run(): a keep-alive connection reset when it is
// reused (sent again once on a new connection, not counted as an attempt), and a server that
// accepts only 8 connections while the action asks for 64 (refused connections lower the
// concurrency). Each also runs with busy loops beside it, as on a shared runner.
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { errors, logged, output, useAction } from '../__fixtures__/action-harness.ts'
import { expectSameBytes, seeded } from '../__fixtures__/bytes.ts'
import { startArtifactory, type ArtifactoryOptions } from '../server/index.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const action = useAction('artdl-connections-')

/** Busy loops in child processes, so the run competes for the CPU. */
let load: ChildProcess[] = []
function loadCpu(n: number): void {
  load = Array.from({ length: n }, () =>
    spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }),
  )
}
afterEach(() => {
  for (const child of load) child.kill('SIGKILL')
  load = []
})

/** `n` stored files of a few KiB each, distinct bytes. */
function stored(n: number): Record<string, Buffer> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`libs/f${i}.bin`, seeded(2048 + i, i + 1)]),
  )
}

/** Runs the action over every stored file; returns the server's counts and the failures. */
async function runOver(files: Record<string, Buffer>, options: ArtifactoryOptions, inputs = {}) {
  const server = await startArtifactory({ files, ...options })
  try {
    action.inputs = {
      ...action.inputs,
      url: server.url,
      paths: Object.keys(files).join('\n'),
      flat: 'true',
      ...inputs,
    }
    await run()
    return {
      connectionStats: { ...server.connectionStats },
      failed: Number(output('failed') ?? NaN),
      downloads: server.requests.filter((r) => r.path.startsWith('/libs/')),
    }
  } finally {
    await server.close()
  }
}

function expectAllInPlace(files: Record<string, Buffer>): void {
  for (const [name, data] of Object.entries(files))
    expectSameBytes(fs.readFileSync(path.join(action.workspace, path.basename(name))), data)
}

describe.each([
  ['idle CPU', 0],
  ['busy CPU', 3],
])('with %s', (_, busy) => {
  it('sends a request again on a new connection when its reused connection is reset, without an attempt', async () => {
    loadCpu(busy)
    const files = stored(12)
    const r = await runOver(files, { connections: { resetOnReuse: true } }, { retries: '0' })
    // The server did reset reused connections: without the second send, those files fail.
    expect(r.connectionStats.resetOnReuse).toBeGreaterThan(0)
    expect(r.failed).toBe(0)
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(errors()).toEqual([])
    expect(logged().filter((l) => l.startsWith('retry '))).toEqual([])
    expect(logged().filter((l) => l.startsWith('✓ '))).toHaveLength(12)
    expectAllInPlace(files)
  })

  it('lowers the concurrency for a server that closes connections beyond 8, and every file arrives', async () => {
    loadCpu(busy)
    const files = stored(500)
    const r = await runOver(
      files,
      { connections: { maxConnections: 8 } },
      { concurrency: '64', 'retry-delay': '100' },
    )
    expect(r.connectionStats.closedOnArrival).toBeGreaterThan(0)
    expect(r.failed).toBe(0)
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(logged()).toContain(
      'concurrency now 32: the server pushed back (429/503, refused or reset connections)',
    )
    expectAllInPlace(files)
  }, 60_000)
})
