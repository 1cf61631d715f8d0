import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import { promisify } from 'node:util'
import { classify, errorCode, sleep, type Sleep } from '../net/retry.ts'

// Plain descriptors rather than FileHandle objects: less main-thread time per file (see
// README, Benchmark › Why the engine is built this way).
export const openFd = promisify(fs.open)
export const closeFd = promisify(fs.close)

/** How temporaries are renamed and removed: the engine's sleep, and doubles in tests. */
export interface FileOps {
  sleep?: Sleep
  /** Replaced in tests (a rename refused the way Windows scanners refuse it). */
  rename?: (from: string, to: string) => Promise<void>
  /** Replaced in tests: a removal of a temporary refused as Windows scanners refuse it. */
  remove?: (file: string) => Promise<void>
  /** Waits between tries of a refused rename or removal; RENAME_RETRY_DELAYS_MS by default. */
  renameRetryDelaysMs?: readonly number[]
}

/** Never aborted: a cleanup still waits out a scanner after the run was cancelled. */
const NEVER = new AbortController().signal

/**
 * Removes a file if it is there; never fails. A removal refused as Windows scanners refuse it
 * (see {@link whileBusy}) is tried again, or the temporary of a failed or cancelled download
 * would stay behind beside its destination.
 */
export async function removeQuietly(file: string, ops: FileOps = {}): Promise<void> {
  const remove = ops.remove ?? ((f: string) => fsp.rm(f, { force: true }))
  const wait = (ms: number): Promise<void> => (ops.sleep ?? sleep)(ms, NEVER)
  await whileBusy(() => remove(file), wait, ops.renameRetryDelaysMs).catch(() => undefined)
}

/**
 * Renames the verified temporary onto the destination, again while it is refused for a moment
 * (see {@link whileBusy}); anything else (or a refusal that lasts) fails the file.
 */
export async function renameIntoPlace(
  temp: string,
  dest: string,
  ops: FileOps,
  signal: AbortSignal,
): Promise<void> {
  const rename = ops.rename ?? fsp.rename
  const wait = ops.sleep ?? sleep
  try {
    await whileBusy(
      () => rename(temp, dest),
      (ms) => wait(ms, signal),
      ops.renameRetryDelaysMs,
    )
  } catch (err) {
    throw classify(err)
  }
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
