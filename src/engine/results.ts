import type { Download } from './download.ts'
import type { Algorithm } from './checksums.ts'

/** How one file ended. */
export type FileStatus = 'downloaded' | 'up-to-date' | 'failed' | 'planned' | 'cancelled'

/** The outcome of one planned download, as the report layer sees it. */
export interface FileResult {
  download: Download
  status: FileStatus
  /** Body bytes received over the network for this file (all attempts, all ranges). */
  bytes: number
  /** Size of the file in place (or planned, in a dry run) when known. */
  size?: number
  attempts: number
  durationMs: number
  /** The algorithm the file was verified with; undefined when the server gave no checksum. */
  verified?: Algorithm
  /** Concurrent ranges the file was fetched in (1 = one stream). */
  ranges: number
  /** The files it left when post-processing replaced it (an extracted archive). */
  files?: string[]
  /** Why it failed; without a count of attempts (`attempts` says it, the report prints it). */
  error?: string
}

/** A retry about to happen, for the log. */
export interface RetryInfo {
  download: Download
  retry: number
  retries: number
  delayMs: number
  error: string
  /**
   * Not one of the `retries`: a response that did not answer its request, and the file starts
   * over whole at once, as it does even with `retries: 0`.
   */
  restartWhole?: boolean
}
