// Loose ends found after the layout by layer: each test here failed before its fix.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseEntries } from '../src/plan/entries.ts'
import { planFiles } from '../src/plan/downloads.ts'
import { runDownloads, type EngineOptions } from '../src/engine/queue.ts'
import type { RetryInfo } from '../src/engine/results.ts'
import { startArtifactory, type ArtifactoryServer } from '../server/index.ts'

const body = (n: number, seed = 1): Buffer => {
  const b = Buffer.alloc(n)
  let x = seed * 2654435761
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}

let server: ArtifactoryServer
let target: string

beforeAll(async () => {
  server = await startArtifactory({})
})
afterAll(async () => {
  await server.close()
})
beforeEach(async () => {
  target = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-followups-'))
  server.reset()
})
afterEach(async () => {
  await fsp.rm(target, { recursive: true, force: true })
})

const options = (extra: Partial<EngineOptions> = {}): EngineOptions => ({
  concurrency: 2,
  retries: 3,
  retryDelayMs: 0,
  timeoutMs: 5000,
  verify: true,
  skipExisting: true,
  dryRun: false,
  split: 1,
  splitMinSize: 16 * 1024 * 1024,
  target,
  random: () => 0,
  renameRetryDelaysMs: [0, 0, 0, 0, 0],
  ...extra,
})

async function download(paths: string, extra: Partial<EngineOptions> = {}) {
  const retries: RetryInfo[] = []
  const results = await runDownloads(
    planFiles(parseEntries(paths, server.url), { target, flat: true }),
    options(extra),
    { onRetry: (r) => retries.push(r) },
  )
  return { results, retries }
}

/** Every file under target, relative, so stray temporaries show up. */
async function tree(): Promise<string[]> {
  const entries = await fsp.readdir(target, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(target, path.join(e.parentPath, e.name)))
    .sort()
}

describe('skip-existing on a case-insensitive target', () => {
  it('recognises README.TXT on disk as the planned readme.txt', async () => {
    server.setFile('libs/readme.txt', body(3000, 5))
    await fsp.writeFile(path.join(target, 'README.TXT'), body(3000, 5))
    const { results } = await download('libs/readme.txt', { caseInsensitive: true })
    expect(results[0]).toMatchObject({ status: 'up-to-date', verified: 'sha1' })
    expect(await tree()).toEqual(['README.TXT'])
  })

  it('on a case-sensitive target, README.TXT is another file', async () => {
    server.setFile('libs/readme.txt', body(3000, 5))
    await fsp.writeFile(path.join(target, 'README.TXT'), body(3000, 5))
    const { results } = await download('libs/readme.txt', { caseInsensitive: false })
    expect(results[0]).toMatchObject({ status: 'downloaded' })
    expect(await tree()).toEqual(['README.TXT', 'readme.txt'])
  })

  it('downloads a changed file again whatever the case of its name on disk', async () => {
    server.setFile('libs/readme.txt', body(3000, 5))
    await fsp.writeFile(path.join(target, 'ReadMe.txt'), body(3000, 6))
    const { results } = await download('libs/readme.txt', { caseInsensitive: true })
    expect(results[0]).toMatchObject({ status: 'downloaded', attempts: 1 })
  })
})
