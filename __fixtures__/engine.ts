// The download engine as the engine-level tests drive it: options without waits or jitter, a
// plan-and-run shortcut, a fresh target folder for each test, and the files left in it.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { parseEntries } from '../src/input/entries.ts'
import { planFiles } from '../src/plan/downloads.ts'
import { runDownloads, type EngineOptions } from '../src/engine/queue.ts'
import { HttpClient } from '../src/net/http-client.ts'
import type { FileResult, RetryInfo } from '../src/engine/results.ts'

/** Engine options into `target` that never wait: no retry delay, no jitter, no rename backoff. */
const engineOptions = (
  target: string,
  extra: Partial<EngineOptions> = {},
): Omit<EngineOptions, 'http'> & Partial<EngineOptions> => ({
  concurrency: 4,
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

/**
 * Plans `paths` (one entry a line, flat) on the server at `url` into `options.target` and runs
 * them; resolves the results and every retry the engine reported.
 */
async function downloadFrom(
  url: string,
  paths: string,
  options: EngineOptions,
): Promise<{ results: FileResult[]; retries: RetryInfo[] }> {
  const retries: RetryInfo[] = []
  const results = await runDownloads(
    planFiles(parseEntries(paths, url), { target: options.target, flat: true }),
    options,
    { onRetry: (r) => retries.push(r) },
  )
  return { results, retries }
}

/** Every file under `dir`, relative and sorted, so stray temporaries show up. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true })
  return (
    entries
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
      // '/'-separated on every OS, so expected lists read the same on Windows.
      .map((f) => f.split(path.sep).join('/'))
      .sort()
  )
}

/** The current test's target folder and the engine run into it: read inside tests and hooks. */
export interface EngineTarget {
  /** This test's target folder, removed (made writable first) after the test. */
  readonly dir: string
  /** {@link engineOptions} into {@link dir}, with the suite's defaults and then `extra`. */
  options(extra?: Partial<EngineOptions>): EngineOptions
  /** {@link downloadFrom} the server at `url` into {@link dir}. */
  download(
    url: string,
    paths: string,
    extra?: Partial<EngineOptions>,
  ): Promise<{ results: FileResult[]; retries: RetryInfo[] }>
  /** Every file under {@link dir}, relative: stray temporaries show up. */
  tree(): Promise<string[]>
}

/**
 * Registers hooks in the calling suite that give each test a fresh temporary target folder
 * (named `prefix`…) and remove it after the test, and returns the engine run into it, with
 * `defaults` under every test's own options.
 */
export function useTarget(prefix: string, defaults: Partial<EngineOptions> = {}): EngineTarget {
  let dir = ''
  /** The clients this test's options made, closed after it. */
  const clients: HttpClient[] = []
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix))
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
    // A test may have made the folder read-only.
    await fsp.chmod(dir, 0o755).catch(() => undefined)
    await fsp.rm(dir, { recursive: true, force: true })
  })
  const options = (extra: Partial<EngineOptions> = {}): EngineOptions => {
    const merged = engineOptions(dir, { ...defaults, ...extra })
    // Sized as the action sizes its client: one connection per download slot.
    const http =
      merged.http ??
      new HttpClient({ connections: merged.concurrency, timeoutMs: merged.timeoutMs })
    if (!merged.http) clients.push(http)
    return { ...merged, http }
  }
  return {
    get dir() {
      return dir
    },
    options,
    download: (url, paths, extra = {}) => downloadFrom(url, paths, options(extra)),
    tree: () => filesUnder(dir),
  }
}
