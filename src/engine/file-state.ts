import type { ExpectedDigest } from './checksums.ts'
import type { Download } from './download.ts'
import type { RunningHash } from './hasher.ts'

/**
 * How the next attempt of a file is made:
 * - `plain`: from byte 0, or `Range` from where its bytes from 0 stop; a large file may split;
 * - `parts`: a split attempt failed with its bytes kept: the next attempt fetches only the
 *   ranges no stream wrote, each with `If-Range`;
 * - `single`: a split failed and its parts could not be kept: one stream from here on (it may
 *   still resume where it stopped);
 * - `whole`: a response did not answer its request (see response-check.ts): from byte 0, in
 *   one stream, no ranges and no resume, for good; a second mismatch fails the file.
 */
export type FileMode = 'plain' | 'parts' | 'single' | 'whole'

/** A byte range [start, end) of the file. */
export type Span = readonly [start: number, end: number]

/**
 * What survives between the attempts of one file, so that a retry can continue where the last
 * one stopped. Only its methods change it. The plan's `download` is read, never changed.
 *
 * Three byte counts, each with one meaning:
 * - `contiguousBytes`: bytes [0, n) of the file are in the temporary (and in the running
 *   hash): where a resumed request starts;
 * - `size`: the file's size as the server stated it (Content-Length, Content-Range);
 * - `networkBytes`: body bytes received for this file over all attempts and ranges (for the
 *   report's rate; larger than the file when attempts failed).
 */
export class FileState {
  readonly download: Readonly<Download>
  /** The temporary beside the destination (see temp-name.ts). */
  readonly temp: string
  #mode: FileMode = 'plain'
  #size?: number
  #prefix = 0
  #networkBytes = 0
  #hash?: RunningHash
  #validator?: string
  #expected?: ExpectedDigest
  #ranges = 1
  /** Bytes [start, end) that ranges of a split (not the file's own stream) wrote. */
  #onDisk: Span[] = []
  /** Ranges fetched beside the attempt's own stream: all settle before the file is verified. */
  #running: Promise<void>[] = []

  constructor(download: Readonly<Download>, temp: string) {
    this.download = download
    this.temp = temp
  }

  get mode(): FileMode {
    return this.#mode
  }

  /** The file's size as the server stated it. */
  get size(): number | undefined {
    return this.#size
  }

  /** Bytes [0, n) of the file are in the temporary (and in the running hash). */
  get contiguousBytes(): number {
    return this.#prefix
  }

  get networkBytes(): number {
    return this.#networkBytes
  }

  /** The digest of bytes [0, contiguousBytes), and later of the whole file. */
  get hash(): RunningHash | undefined {
    return this.#hash
  }

  /** ETag or Last-Modified of the bytes in the temporary: sent as If-Range to resume or split. */
  get validator(): string | undefined {
    return this.#validator
  }

  /** What the file must hash to; undefined without a checksum or with `verify: false`. */
  get expectedDigest(): ExpectedDigest | undefined {
    return this.#expected
  }

  /** Concurrent ranges the file is fetched in (1 = one stream). */
  get ranges(): number {
    return this.#ranges
  }

  /** The size when the server stated it, else what is written from byte 0. */
  get finalSize(): number {
    return this.#size ?? this.#prefix
  }

  /** Whether ranges stream beside the attempt's own stream. */
  get hasParts(): boolean {
    return this.#running.length > 0
  }

  /**
   * Where a resumed request starts, or undefined when the file starts from byte 0: nothing
   * written yet, nothing that can be continued (no validator, restarted whole), or a hash that
   * was dropped.
   */
  resumeFrom(): number | undefined {
    if (this.#mode === 'whole' || this.#prefix === 0 || this.#validator === undefined)
      return undefined
    if (this.#hash === undefined && this.#expected !== undefined) return undefined
    return this.#prefix
  }

  /** Forgets the bytes in the temporary: the next write starts at byte 0 with a new hash. */
  restart(): void {
    this.#onDisk = []
    if (this.#mode === 'parts') this.#mode = 'plain'
    this.#prefix = 0
    this.#hash?.dispose()
    this.#hash = undefined
    this.#validator = undefined
    this.#size = undefined
  }

  /** Forgets the bytes in the temporary, and from here on fetches the file in one stream. */
  toSingleStream(): void {
    this.restart()
    if (this.#mode !== 'whole') this.#mode = 'single'
    this.#ranges = 1
  }

  /** From here on the file is fetched from byte 0 in one stream, no ranges, no resume. */
  restartWhole(): void {
    this.toSingleStream()
    this.#mode = 'whole'
  }

  /**
   * An answer was accepted: the file's size and the validator that a resume or a range sends
   * back (undefined when the server takes no ranges or gave none, so nothing can be continued).
   */
  answered(size: number | undefined, validator: string | undefined): void {
    this.#size = size
    this.#validator = validator
  }

  /** What the file must hash to, from the plan, the response or the server's record. */
  expect(digest: ExpectedDigest): void {
    this.#expected = digest
  }

  /** The temporary is about to be written from byte 0, hashed by `hash` (none: nothing to compare). */
  startFromZero(hash: RunningHash | undefined): void {
    this.#prefix = 0
    this.#hash?.dispose()
    this.#hash = hash
  }

  /**
   * `n` bytes were written by the file's own stream right after the bytes from 0 (`chunks`,
   * valid during the call only): the running hash takes them as they are.
   */
  appended(chunks: readonly Buffer[], n: number): void {
    this.#prefix += n
    this.#networkBytes += n
    this.#hash?.advance(this.#prefix, chunks)
  }

  /** `n` bytes of a range arrived and are on disk (hashed later, in file order). */
  received(n: number): void {
    this.#networkBytes += n
  }

  /** A range wrote bytes [start, end): a retry of a failed split need not fetch them again. */
  partWritten(start: number, end: number): void {
    if (end > start) this.#onDisk.push([start, end])
  }

  /** The body from byte 0 ended without a stated size: the file is what was written. */
  bodyEnded(): void {
    this.#size ??= this.#prefix
  }

  /** The file is fetched in `n` ranges at once (its own stream and the parts beside it). */
  splitInto(n: number): void {
    this.#ranges = n
  }

  /** Idle slots took `n` more ranges from the tail of one of its streams. */
  tailTaken(n: number): void {
    this.#ranges += n
  }

  /** A range answered with another version of the file: none of its bytes may be kept. */
  changedOnServer(): void {
    this.#validator = undefined
  }

  /**
   * Whether a failed split may keep its bytes for the next attempt: only for a file whose
   * checksum is known and hashed, so that the whole is verified when it is put together, and
   * whose validator makes every range of the retry ask for the same version (If-Range).
   */
  canKeepParts(): boolean {
    return (
      this.#mode !== 'whole' &&
      this.#expected !== undefined &&
      this.#hash !== undefined &&
      this.#validator !== undefined &&
      this.#size !== undefined
    )
  }

  /**
   * The file's own stream failed: the ranges' bytes stay when the split can be put together
   * and verified (the retry fetches what is missing); else the retry resumes this stream alone.
   */
  streamFailed(wasSplit: boolean): void {
    if (wasSplit && this.canKeepParts()) this.#mode = 'parts'
    else this.#ranges = 1
  }

  /**
   * A range failed: its bytes and the others' stay when the whole can be verified when put
   * together; else the file streams whole from here on.
   */
  partsFailed(): void {
    if (this.canKeepParts()) this.#mode = 'parts'
    else this.toSingleStream()
  }

  /**
   * The ranges a retry of a failed split fetches: those no stream wrote, [start, end) in file
   * order. The file is fetched in that many ranges.
   */
  missingParts(): Span[] {
    this.#mode = 'plain'
    const missing = missingRanges(this.#size ?? this.#prefix, [[0, this.#prefix], ...this.#onDisk])
    this.#ranges = Math.max(1, missing.length)
    return missing
  }

  /**
   * Every range is in: the hash reads the bytes it has not seen back from the file (the page
   * cache) when the digest is asked for.
   */
  allPartsIn(): void {
    const size = this.finalSize
    this.#hash?.advance(size)
    this.#prefix = size
  }

  /** A range now streams beside the attempt's own stream; see {@link settleParts}. */
  partStarted(fetched: Promise<void>): void {
    fetched.catch(() => undefined)
    this.#running.push(fetched)
  }

  /**
   * Waits until no range streams any more, including ranges started while waiting (tails taken
   * from the ones running), so nothing writes into the temporary after it; returns their
   * failures, first started first.
   */
  async settleParts(): Promise<unknown[]> {
    const failures: unknown[] = []
    for (;;) {
      const batch = this.#running.splice(0)
      if (batch.length === 0) return failures
      for (const r of await Promise.allSettled(batch))
        if (r.status === 'rejected') failures.push(r.reason)
    }
  }

  /** The file is given up: its hash is dropped. */
  dispose(): void {
    this.#hash?.dispose()
    this.#hash = undefined
  }
}

/** The byte ranges [start, end) of a file of `size` bytes that none of `have` covers, in order. */
export function missingRanges(size: number, have: readonly Span[]): [number, number][] {
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
