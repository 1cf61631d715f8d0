import type { Download } from './download.ts'
import type { ExpectedDigest } from './checksums.ts'
import type { RunningHash } from './hasher.ts'

/**
 * What survives between the attempts of one file, so that a retry can resume. The plan's
 * `download` is read, never changed.
 *
 * Three byte counts, each with one meaning:
 * - `contiguousBytes`: bytes [0, n) of the file are in the temporary (and in the running
 *   hash): where a resumed request starts;
 * - `expectedSize`: the file's size as the server stated it (Content-Length, Content-Range);
 * - `networkBytes`: body bytes received for this file over all attempts and ranges (for the
 *   report's rate; larger than the file when attempts failed).
 */
export interface FileState {
  readonly download: Readonly<Download>
  /** The temporary beside the destination (see temp-file.ts). */
  readonly temp: string
  contiguousBytes: number
  expectedSize?: number
  networkBytes: number
  /** The digest of bytes [0, contiguousBytes), and later of the whole file. */
  runningHash?: RunningHash
  /** ETag or Last-Modified of the body in the temporary: sent as If-Range to resume or split. */
  validator?: string
  /** What the file must hash to; undefined without a checksum or with `verify: false`. */
  expectedDigest?: ExpectedDigest
  /** A split attempt failed: the file streams whole from here on (it may still resume). */
  singleStream: boolean
  /**
   * A response did not answer its request (see response-check.ts): the file is fetched whole
   * from byte 0 from here on, no ranges, no resume; a second mismatch fails it.
   */
  restartedWhole: boolean
  /** Concurrent ranges this attempt fetches the file in (1 = one stream). */
  rangeCount: number
  /**
   * Ranges fetched beside the attempt's own stream (planned parts, and tails taken by idle
   * slots): all settle before the file is verified.
   */
  extraRanges: Promise<void>[]
  /**
   * Bytes [start, end) that ranges of a split (not the attempt's own stream, which
   * `contiguousBytes` counts) have written into the temporary: what a retry need not fetch.
   */
  partsOnDisk: [number, number][]
  /** A split attempt failed with its bytes kept: the next attempt fetches only what is missing. */
  resumeParts: boolean
}

/** A fresh state for `download`, written to `temp`. */
export function newFileState(download: Readonly<Download>, temp: string): FileState {
  return {
    download,
    temp,
    contiguousBytes: 0,
    networkBytes: 0,
    singleStream: false,
    restartedWhole: false,
    rangeCount: 1,
    extraRanges: [],
    partsOnDisk: [],
    resumeParts: false,
  }
}

/** Forgets the bytes in the temporary: the next write starts at byte 0 with a new hash. */
export function resetState(state: FileState): void {
  state.extraRanges = []
  state.partsOnDisk = []
  state.resumeParts = false
  state.contiguousBytes = 0
  state.runningHash?.dispose()
  state.runningHash = undefined
  state.validator = undefined
  state.expectedSize = undefined
}

/** Forgets the bytes in the temporary, and from here on fetches the file in one stream, no ranges. */
export function resetToSingleStream(state: FileState): void {
  resetState(state)
  state.singleStream = true
  state.rangeCount = 1
}

/**
 * Whether a failed split may keep its bytes for the next attempt: only for a file whose
 * checksum is known and hashed, so that the whole is verified when it is put together, and
 * whose validator makes every range of the retry ask for the same version (If-Range).
 */
export function canKeepParts(state: FileState): boolean {
  return (
    !state.restartedWhole &&
    state.expectedDigest !== undefined &&
    state.runningHash !== undefined &&
    state.validator !== undefined &&
    state.expectedSize !== undefined
  )
}

/** The byte ranges [start, end) of a file of `size` bytes that none of `have` covers, in order. */
export function missingRanges(size: number, have: readonly [number, number][]): [number, number][] {
  const sorted = have.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0])
  const missing: [number, number][] = []
  let at = 0
  for (const [start, end] of sorted) {
    if (start > at) missing.push([at, Math.min(start, size)])
    at = Math.max(at, end)
    if (at >= size) break
  }
  if (at < size) missing.push([at, size])
  return missing.filter(([s, e]) => e > s)
}
