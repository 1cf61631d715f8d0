// One file's lifecycle on the one retry helper of net/retry.ts (which errors are worth another
// attempt, and how long to wait), adding what only a file needs: a retry resumes where the last
// attempt stopped, every attempt is verified again, and a response that did not answer its
// request restarts the file whole, once.
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { AttemptError } from '../common/errors.ts'
import { formatBytes } from '../common/units.ts'
import { classify, errorCode, isPushback, withRetries } from '../net/retry.ts'
import type { Download } from './download.ts'
import { attempt } from './attempt.ts'
import type { TransferContext } from './context.ts'
import { checkExisting } from './existing-copy.ts'
import { newFileState, resetToSingleStream } from './file-state.ts'
import { finishSplit } from './ranges.ts'
import { ResponseMismatch } from './response-check.ts'
import type { FileResult, FileStatus } from './results.ts'
import { removeQuietly, verifyAndPlace } from './temp-file.ts'
import { tempPathFor } from './temp-name.ts'

/**
 * Downloads one file with retries: checks an existing copy, streams the body to a temporary
 * file while hashing it, verifies it, and renames it into place. Never throws: failures
 * come back as a `failed` result.
 */
export async function transferFile(
  d: Readonly<Download>,
  ctx: TransferContext,
): Promise<FileResult> {
  const started = Date.now()
  const state = newFileState(d, tempPathFor(d.dest))
  let attempts = 0
  const result = (status: FileStatus, extra: Partial<FileResult> = {}): FileResult => ({
    download: d,
    status,
    bytes: state.networkBytes,
    attempts,
    durationMs: Date.now() - started,
    ranges: state.rangeCount,
    ...extra,
  })
  try {
    // The first slot also prepares the folder and checks an existing copy (inside a slot:
    // 20,000 files must not mean 20,000 concurrent file-system calls), then goes straight on
    // to the first request: one trip through the queue per file, not two.
    let first = true
    return await withRetries(
      async (n) => {
        attempts = n
        const done = await ctx.schedule(async () => {
          if (first) {
            first = false
            const existing = await ctx.destinations.prepare(d.dest)
            // Before any request: found at the rename, the whole body would be fetched for nothing.
            if (existing !== undefined) await refuseFolder(existing)
            // An archive unpacked by an earlier run is gone; its record stands for it.
            const recorded =
              existing === undefined && ctx.skipExisting
                ? await ctx.recordedCopy?.(d.dest)
                : undefined
            const check =
              ctx.skipExisting && (existing !== undefined || recorded)
                ? await checkExisting(d, ctx, existing ?? d.dest, recorded)
                : {}
            if (check.current) return { current: check.current, recorded }
            if (ctx.dryRun) return { planned: true }
            return attempt(d, state, ctx, check.response)
          }
          return attempt(d, state, ctx)
        }, n - 1)
        if ('current' in done && done.current) {
          attempts = done.current.requested ? 1 : 0
          // A current archive still there may lack its tree (a run stopped while unpacking, or
          // one with extract: false before): post-processing runs on it as on a fresh one.
          const files =
            'recorded' in done && done.recorded
              ? done.recorded.files
              : ctx.postProcess && !ctx.dryRun
                ? await ctx.postProcess(d.dest)
                : undefined
          return result('up-to-date', {
            size: done.current.size,
            verified: done.current.algorithm,
            files,
          })
        }
        if ('planned' in done) {
          attempts = 0
          return result('planned', { size: d.size })
        }
        if ('split' in done && done.split) await finishSplit(state)
        const verified = await verifyAndPlace(state, ctx)
        const files = ctx.postProcess ? await ctx.postProcess(d.dest) : undefined
        return result('downloaded', {
          size: state.expectedSize ?? state.contiguousBytes,
          verified,
          files,
        })
      },
      {
        policy: ctx.policy,
        signal: ctx.signal,
        sleep: ctx.sleep,
        onError: (error) => {
          if (isPushback(error)) ctx.onPushback(true)
        },
        // A response that did not answer its request: once, the file starts over whole (no
        // ranges, no resume) at once; a server that does it again fails the file, by name.
        override: (error) => {
          if (!(error instanceof ResponseMismatch)) return undefined
          if (state.restartedWhole) return 'fail'
          resetToSingleStream(state)
          state.restartedWhole = true
          return 'now'
        },
        onRetry: (r) =>
          ctx.onRetry({
            download: d,
            retry: r.retry,
            retries: r.retries,
            delayMs: r.delayMs,
            error: r.error.message,
            ...(r.immediate && { restartWhole: true }),
          }),
      },
    )
  } catch (err) {
    state.runningHash?.dispose()
    await removeQuietly(state.temp, ctx)
    if (ctx.signal.aborted) return result('cancelled', { error: 'cancelled before it finished' })
    const error = classify(err)
    // The count of attempts is the report's to say (the result carries it), once.
    return result('failed', { error: await withDiskSpace(error.message, err, d.dest) })
  }
}

/** For a full disk, how much space is left where the file was to go. */
async function withDiskSpace(message: string, err: unknown, dest: string): Promise<string> {
  const code = errorCode(err)
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return message
  try {
    const s = await fsp.statfs(path.dirname(dest))
    return `${message}; ${formatBytes(s.bavail * s.bsize)} free in ${path.dirname(dest)}`
  } catch {
    return message
  }
}

/** Refuses a destination that exists as a folder: a file cannot be renamed over it. */
async function refuseFolder(existing: string): Promise<void> {
  const stat = await fsp.lstat(existing).catch(() => undefined)
  if (stat?.isDirectory()) {
    throw new AttemptError(
      'disk',
      `the destination ${existing} exists as a folder; refusing to replace it with the file`,
    )
  }
}
