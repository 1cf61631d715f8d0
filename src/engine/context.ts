import type { HttpClient } from '../net/http-client.ts'
import type { RetryPolicy } from '../net/retry.ts'
import type { Algorithm } from './checksums.ts'
import type { Destinations } from './destinations.ts'
import type { HashPool } from './hasher.ts'
import type { TailStream } from './ranges.ts'
import type { RetryInfo } from './results.ts'

/** A file that post-processing replaced, as it recorded it (lowercase hex digests). */
export interface RecordedCopy {
  size: number
  sha256: string
  sha1: string
  /** The files it left, absolute. */
  files: string[]
}

/** Everything a transfer needs; the engine (queue.ts) builds it once per run. */
export interface TransferContext {
  http: HttpClient
  policy: RetryPolicy
  verify: boolean
  skipExisting: boolean
  dryRun: boolean
  maxSize?: number
  split: number
  splitMinSize: number
  /** The local folders: created once, checked against `target`, existing names known. */
  destinations: Destinations
  /** Runs once the file is in place (archive extraction); returns the files it leaves. */
  postProcess?: (file: string) => Promise<string[]>
  /**
   * What post-processing recorded for a file it replaced (an extracted archive's size and
   * digests, and the files it left): it stands for the file when the file itself is gone.
   */
  recordedCopy?: (file: string) => Promise<RecordedCopy | undefined>
  /**
   * The last source of a checksum, asked only for a file that has none from its listing or its
   * response headers: Artifactory's record of it. Undefined for a file not from Artifactory.
   */
  recordedChecksums?: (
    url: string,
    signal: AbortSignal,
  ) => Promise<Partial<Record<Algorithm, string>> | undefined>
  signal: AbortSignal
  /** Runs one request (and its body) in a slot of the shared queue; higher priority first. */
  schedule: <T>(fn: () => Promise<T>, priority: number) => Promise<T>
  /** Threads that hash large files off the main thread; inline hashing without. */
  hashPool?: HashPool
  /** Slots of the queue that nothing runs in or waits for: what a split file may take. */
  idleSlots: () => number
  /**
   * Streams of large files running now (whole files or ranges) whose tail idle slots may take
   * over (see {@link takeTails} in ranges.ts).
   */
  streamsOpenToTailTaking: Set<TailStream>
  /** A range finished and freed its slot. */
  onRangeDone?: () => void
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  /** Replaced in tests (a rename refused the way Windows scanners refuse it). */
  rename?: (from: string, to: string) => Promise<void>
  /** Replaced in tests: a removal of a temporary refused as Windows scanners refuse it. */
  remove?: (file: string) => Promise<void>
  /**
   * Waits between tries of a refused rename or removal; RENAME_RETRY_DELAYS_MS (temp-file.ts)
   * by default.
   */
  renameRetryDelaysMs?: readonly number[]
  onRetry: (info: RetryInfo) => void
  /** Body bytes as they arrive, for progress. */
  onBytes: (n: number) => void
  /** The server pushed back (429/503, refused or reset connections), or a request went through: feeds adaptive concurrency. */
  onPushback: (pushedBack: boolean) => void
}
