import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import { promisify } from 'node:util'
import { AttemptError } from '../common/errors.ts'
import { classify, errorCode, sleep } from '../net/retry.ts'
import type { Algorithm } from './checksums.ts'
import type { TransferContext } from './context.ts'
import { resetState, type FileState } from './file-state.ts'
import { InlineHash } from './hasher.ts'

// Plain descriptors rather than FileHandle objects: measured ~0.3 ms less main-thread time per
// file on 500 small files.
export const openFd = promisify(fs.open)
export const closeFd = promisify(fs.close)

/** What a removal of a temporary may be given: the engine's sleep and test doubles. */
export type RemoveOptions = Partial<
  Pick<TransferContext, 'sleep' | 'remove' | 'renameRetryDelaysMs'>
>

/** Never aborted: a cleanup still waits out a scanner after the run was cancelled. */
const NEVER = new AbortController().signal

/**
 * Removes a file if it is there; never fails. A removal refused as Windows scanners refuse it
 * (see {@link whileBusy}) is tried again, or the temporary of a failed or cancelled download
 * would stay behind beside its destination.
 */
export async function removeQuietly(file: string, options: RemoveOptions = {}): Promise<void> {
  const remove = options.remove ?? ((f: string) => fsp.rm(f, { force: true }))
  const wait = (ms: number): Promise<void> => (options.sleep ?? sleep)(ms, NEVER)
  await whileBusy(() => remove(file), wait, options.renameRetryDelaysMs).catch(() => undefined)
}

/** Files at least this large are hashed by a worker thread; below, a message costs more than the hash. */
const WORKER_HASH_MIN = 8 * 1024 * 1024

/** The temporary is about to be written from byte 0: a fresh hash for what it must match. */
export function startFromZero(state: FileState, ctx: TransferContext): void {
  state.contiguousBytes = 0
  state.runningHash?.dispose()
  // Nothing to compare with (no checksum, or verify: false): no hash, which is 0.6 s of CPU
  // per GiB.
  const algorithm = state.expectedDigest?.algorithm
  state.runningHash = !algorithm
    ? undefined
    : ctx.hashPool && (state.expectedSize ?? 0) >= WORKER_HASH_MIN
      ? ctx.hashPool.open(state.temp, algorithm)
      : new InlineHash(state.temp, algorithm)
}

/** Compares the digest with the expected one, then renames the temporary into place. */
export async function verifyAndPlace(
  state: FileState,
  ctx: TransferContext,
): Promise<Algorithm | undefined> {
  let verified: Algorithm | undefined
  const expected = state.expectedDigest
  if (ctx.verify && expected && state.runningHash) {
    const actual = await state.runningHash.digest(state.expectedSize ?? state.contiguousBytes)
    if (actual !== expected.digest) {
      resetState(state)
      await removeQuietly(state.temp, ctx)
      throw new AttemptError(
        'checksum',
        `checksum mismatch: expected ${expected.algorithm} ${expected.digest}, got ${actual}`,
      )
    }
    verified = expected.algorithm
  }
  await renameIntoPlace(state.temp, state.download.dest, ctx)
  return verified
}

/** Codes with which antivirus scanners and indexers (Windows) refuse a file operation for a moment. */
const BUSY_CODES = new Set(['EPERM', 'EACCES', 'EBUSY'])

/** Waits between tries of a refused rename or removal: about 1 s in all. */
export const RENAME_RETRY_DELAYS_MS = [50, 100, 200, 250, 400]

/**
 * Runs a file operation, and again after each of `delaysMs` while it is refused with EPERM,
 * EACCES or EBUSY: on Windows a scanner that opened a fresh file refuses its rename or removal
 * briefly. Anything else, or a refusal that lasts, is thrown as it came.
 */
export async function whileBusy<T>(
  op: () => Promise<T>,
  wait: (ms: number) => Promise<void>,
  delaysMs: readonly number[] = RENAME_RETRY_DELAYS_MS,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await op()
    } catch (err) {
      const code = errorCode(err)
      if (i >= delaysMs.length || !code || !BUSY_CODES.has(code)) throw err
      await wait(delaysMs[i])
    }
  }
}

/**
 * Renames the verified temporary onto the destination, again while it is refused for a moment
 * (see {@link whileBusy}); anything else (or a refusal that lasts) fails the file.
 */
async function renameIntoPlace(temp: string, dest: string, ctx: TransferContext): Promise<void> {
  const rename = ctx.rename ?? fsp.rename
  try {
    await whileBusy(
      () => rename(temp, dest),
      (ms) => ctx.sleep(ms, ctx.signal),
      ctx.renameRetryDelaysMs,
    )
  } catch (err) {
    throw classify(err)
  }
}
