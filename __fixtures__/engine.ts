// The download engine as the engine-level tests drive it: options without waits or jitter, a
// plan-and-run shortcut, and the files left in a target.
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { parseEntries } from '../src/input/entries.ts'
import { planFiles } from '../src/plan/downloads.ts'
import { runDownloads, type EngineOptions } from '../src/engine/queue.ts'
import type { FileResult, RetryInfo } from '../src/engine/results.ts'

/** Engine options into `target` that never wait: no retry delay, no jitter, no rename backoff. */
export const engineOptions = (
  target: string,
  extra: Partial<EngineOptions> = {},
): EngineOptions => ({
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
export async function downloadFrom(
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
