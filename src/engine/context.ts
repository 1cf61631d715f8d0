// What a file's transfer is given, in groups by who provides it: the run's settings, the
// queue's slots, what the layers above add to a file, what the transfer tells the run, and
// the temporaries' file operations.
import type { HttpClient } from '../net/http-client.ts'
import type { RetryPolicy, Sleep } from '../net/retry.ts'
import type { Algorithm } from './checksums.ts'
import type { Destinations } from './destinations.ts'
import type { RecordedCopy } from './existing-copy.ts'
import type { HashPool } from './hasher.ts'
import type { RetryInfo } from './results.ts'
import type { TailScheduler } from './tail-taking.ts'
import type { FileOps } from './temp-file.ts'

/** What the run's settings ask of every file. */
export interface TransferSettings {
  verify: boolean
  skipExisting: boolean
  dryRun: boolean
  maxSize?: number
  split: number
  splitMinSize: number
}

/** The shared queue's slots: every request (and its body) runs in one. */
export interface Slots {
  /** Runs `fn` in a slot; higher priority first. */
  schedule: <T>(fn: () => Promise<T>, priority: number) => Promise<T>
  /** Slots that nothing runs in or waits for: what a split file may take. */
  idle: () => number
}

/** What the layers above add to a file's lifecycle. */
export interface FileHooks {
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
}

/** What the transfers tell the run (for the report and adaptive concurrency). */
export interface TransferEvents {
  onRetry: (info: RetryInfo) => void
  /** Body bytes as they arrive, for progress. */
  onBytes: (n: number) => void
  /** The server pushed back (429/503, refused or reset connections), or a request went through. */
  onPushback: (pushedBack: boolean) => void
}

/** What a file's transfer is given; the engine (queue.ts) builds it once per run. */
export interface TransferContext {
  settings: TransferSettings
  http: HttpClient
  policy: RetryPolicy
  /** Waits before a retry (replaced in tests). */
  sleep: Sleep
  /** The local folders: created once, checked against `target`, existing names known. */
  destinations: Destinations
  /** Threads that hash large files off the main thread; inline hashing without. */
  hashPool?: HashPool
  slots: Slots
  /** Idle slots taking the tails of large files' streams. */
  tails: TailScheduler
  /** Renames and removals of temporaries. */
  fileOps: FileOps
  hooks: FileHooks
  events: TransferEvents
  signal: AbortSignal
}
