import { availableParallelism } from 'node:os'
import PQueue from 'p-queue'
import { Destinations } from './destinations.ts'
import { HashPool } from './hasher.ts'
import type { HttpClient } from '../net/http-client.ts'
import type { Download } from './download.ts'
import { retryPolicy, sleep, type Sleep } from '../net/retry.ts'
import type { FileHooks, Slots, TransferContext, TransferEvents } from './context.ts'
import { transferFile } from './file-transfer.ts'
import { Lanes } from './lanes.ts'
import { TailScheduler } from './tail-taking.ts'
import type { FileResult, RetryInfo } from './results.ts'

/** What the engine needs: the transfer-related part of the settings, plus credentials. */
export interface EngineOptions {
  concurrency: number
  retries: number
  retryDelayMs: number
  timeoutMs: number
  verify: boolean
  skipExisting: boolean
  dryRun: boolean
  split: number
  splitMinSize: number
  maxSize?: number
  target: string
  /** Names that differ only in case are one file in `target` (the plan probes it). */
  caseInsensitive?: boolean
  /** The run's client (with its credentials, TLS settings and proxies); the caller closes it. */
  http: HttpClient
  /** Runs on each file once it is in place (archive extraction); returns the files it leaves. */
  postProcess?: (file: string) => Promise<string[]>
  /** What post-processing recorded for a file it replaced (see FileHooks). */
  recordedCopy?: FileHooks['recordedCopy']
  /** Artifactory's record of a file's checksums (see FileHooks). */
  recordedChecksums?: FileHooks['recordedChecksums']
  /** false: a fixed pool (for comparison in tests and benchmarks). */
  adaptive?: boolean
  /** Replaced in tests to run retries with no delay. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  random?: () => number
  /** Replaced in tests: a rename refused as Windows scanners refuse it. */
  rename?: (from: string, to: string) => Promise<void>
  /** Replaced in tests: a removal of a temporary refused as Windows scanners refuse it. */
  remove?: (file: string) => Promise<void>
  /** Waits between tries of a refused rename or removal (tests pass zeros). */
  renameRetryDelaysMs?: readonly number[]
}

/** Events from the engine to whoever reports; the engine itself never logs. */
export interface EngineEvents {
  onFileDone?: (result: FileResult) => void
  onRetry?: (info: RetryInfo) => void
  onConcurrency?: (value: number, reason: string) => void
  debug?: (line: string) => void
  /** Hashing moved to the main thread (the hashing thread could not start or died), once. */
  onHashFallback?: (reason: string) => void
}

/** Counters readable at any time, for progress lines. */
export interface Progress {
  filesDone: number
  filesTotal: number
  bytes: number
  /** Current number of requests allowed at once. */
  concurrency: number
  /** Lowest concurrency reached (adaptive), for the summary. */
  minConcurrency: number
  retries: number
}

/**
 * Adaptive limit (AIMD): halves when the server pushes back (429/503, refused or reset
 * connections) on a good share of the recent responses, grows by one after as many clean responses as the current limit, never
 * above the configured maximum. A fixed pool keeps hammering a server that admits only a few
 * requests; this one settles just under it. Sparse faults (one 503 in ten) do not count as
 * push-back: that is what retries are for.
 */
export class AdaptiveLimit {
  value: number
  min: number
  private readonly max: number
  private successes = 0
  private recent: boolean[] = []
  /** Answers still due to requests sent at the limit before the last halving. */
  private stale = 0

  constructor(max: number) {
    this.max = max
    this.value = max
    this.min = max
  }

  /** Records one response; returns true when the limit changed. */
  record(pushedBack: boolean): boolean {
    // The requests in flight when the limit halved were sent at the old limit: their push-back
    // says nothing about the new one, and counting it would halve again and again.
    if (this.stale > 0) {
      this.stale--
      if (pushedBack) return false
    }
    this.recent.push(pushedBack)
    const window = Math.max(8, this.value)
    if (this.recent.length > window) this.recent.splice(0, this.recent.length - window)
    if (pushedBack) {
      this.successes = 0
      const count = this.recent.filter(Boolean).length
      if (this.value === 1 || count < Math.max(3, Math.ceil(window / 4))) return false
      // Fresh evidence is needed for the next halving: the responses in flight were sent
      // at the old limit.
      this.recent = []
      this.stale = this.value
      this.value = Math.max(1, Math.floor(this.value / 2))
      this.min = Math.min(this.min, this.value)
      return true
    }
    if (this.value >= this.max) return false
    if (++this.successes >= this.value) {
      this.successes = 0
      this.value++
      return true
    }
    return false
  }
}

/**
 * Runs every planned download through one p-queue: each request (and its body) takes a slot,
 * so the server never sees more than `concurrency` requests from us; a file waiting to be
 * retried holds no slot. Results come back in plan order.
 */
export async function runDownloads(
  downloads: readonly Readonly<Download>[],
  options: EngineOptions,
  events: EngineEvents = {},
  signal: AbortSignal = new AbortController().signal,
  progress: Progress = newProgress(downloads.length, options.concurrency),
): Promise<FileResult[]> {
  const queue = new PQueue({ concurrency: options.concurrency })
  const hashPool = new HashPool(hashThreads(), undefined, events.onHashFallback)
  const cursor: Cursor = { next: 0 }
  const slots = queueSlots(queue, signal)
  // Once no file is left to start, a slot that a file or a range leaves may take the tail of
  // a large file still streaming.
  const tails = new TailScheduler(slots.idle, () => cursor.next >= downloads.length)
  const lanes = new Lanes(
    options.concurrency,
    () => cursor.next < downloads.length && !signal.aborted,
  )
  const ctx = transferContext(
    options,
    { http: options.http, hashPool, slots, tails, lanes },
    transferEvents(options, events, progress, queue),
    signal,
  )
  const fileDone = (result: FileResult): void => {
    progress.filesDone++
    events.onFileDone?.(result)
  }
  try {
    const results = await runLanes(downloads, ctx, cursor, lanes, fileDone)
    cancelNotStarted(downloads, results, fileDone)
    return results
  } finally {
    queue.clear()
    // Said only when a thread was started: a run of small files hashes them all inline.
    if (hashPool.threadsStarted > 0)
      events.debug?.(`hashing threads computed ${hashPool.answeredByThreads} digest(s)`)
    await hashPool.close()
  }
}

/** Index of the next file to start, shared by the lanes and the tail scheduler. */
interface Cursor {
  next: number
}

/**
 * Hashing threads: one per spare core, at most 2. A second thread competes with the main
 * thread for a core on a small runner, and lost to one (see README, Benchmark › Why the engine
 * is built this way).
 */
function hashThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1))
}

/** The queue's slots as a file's transfer sees them. */
function queueSlots(queue: PQueue, signal: AbortSignal): Slots {
  return {
    schedule: (fn, priority) => {
      if (signal.aborted) return Promise.reject(signal.reason)
      // Not p-queue's own `signal`: for each task it adds an abort listener, a promise and a
      // race. The run's signal aborts the running tasks' requests, whose slots then start the
      // waiting ones, which end here at once.
      const task = (): ReturnType<typeof fn> =>
        signal.aborted ? Promise.reject(signal.reason) : fn()
      return queue.add(task, { priority }) as ReturnType<typeof fn>
    },
    // p-queue: `pending` counts running tasks, `size` those waiting for a slot.
    idle: () => Math.max(0, queue.concurrency - queue.pending - queue.size),
  }
}

/** What the run builds once and every file's transfer shares. */
interface RunServices {
  http: HttpClient
  hashPool: HashPool
  slots: Slots
  tails: TailScheduler
  lanes: Lanes
}

/** The one context every file's transfer is given: the options sorted by who uses them. */
function transferContext(
  options: EngineOptions,
  services: RunServices,
  events: TransferEvents,
  signal: AbortSignal,
): TransferContext {
  const { lanes, ...shared } = services
  const { postProcess } = options
  const wait = options.sleep ?? sleep
  // No wait holds a slot (before a retry, before a rename or removal is tried again, while
  // unpacking): meanwhile another file may start.
  const waitAside: Sleep = (ms, signal) => lanes.aside(() => wait(ms, signal))
  return {
    settings: {
      verify: options.verify,
      skipExisting: options.skipExisting,
      dryRun: options.dryRun,
      split: options.split,
      splitMinSize: options.splitMinSize,
      maxSize: options.maxSize,
    },
    ...shared,
    policy: retryPolicy(options.retries, options.retryDelayMs, options.random),
    sleep: waitAside,
    destinations: new Destinations(options.target, options.dryRun, {
      caseInsensitive: options.caseInsensitive,
    }),
    fileOps: {
      sleep: waitAside,
      rename: options.rename,
      remove: options.remove,
      renameRetryDelaysMs: options.renameRetryDelaysMs,
    },
    hooks: {
      postProcess: postProcess && ((file) => lanes.aside(() => postProcess(file))),
      recordedCopy: options.recordedCopy,
      recordedChecksums: options.recordedChecksums,
    },
    events,
    signal,
  }
}

/**
 * What the transfers tell the run: counted into `progress`, passed on to `events`, and each
 * response fed to the adaptive limit, which resizes the queue.
 */
function transferEvents(
  options: EngineOptions,
  events: EngineEvents,
  progress: Progress,
  queue: PQueue,
): TransferEvents {
  const limit = new AdaptiveLimit(options.concurrency)
  return {
    onRetry: (info) => {
      progress.retries++
      events.onRetry?.(info)
    },
    onBytes: (n) => {
      progress.bytes += n
    },
    onPushback: (pushedBack) => {
      if (options.adaptive === false || !limit.record(pushedBack)) return
      queue.concurrency = limit.value
      progress.concurrency = limit.value
      progress.minConcurrency = limit.min
      events.onConcurrency?.(
        limit.value,
        pushedBack
          ? 'the server pushed back (429/503, refused or reset connections)'
          : 'requests succeed again',
      )
    },
  }
}

/**
 * Transfers the files in plan order on `lanes` (see lanes.ts) rather than all at once; the
 * queue still bounds the requests in flight. Once the run is cancelled, the files not started
 * yet get no result here.
 */
async function runLanes(
  downloads: readonly Readonly<Download>[],
  ctx: TransferContext,
  cursor: Cursor,
  lanes: Lanes,
  fileDone: (result: FileResult) => void,
): Promise<FileResult[]> {
  const results: FileResult[] = new Array(downloads.length)
  await lanes.run(async () => {
    const i = cursor.next++
    const result = await transferFile(downloads[i], ctx)
    results[i] = result
    fileDone(result)
    ctx.tails.slotFreed()
  })
  return results
}

/** Gives each file the cancelled run did not start its result, in plan order. */
function cancelNotStarted(
  downloads: readonly Readonly<Download>[],
  results: FileResult[],
  fileDone: (result: FileResult) => void,
): void {
  for (let i = 0; i < downloads.length; i++) {
    if (results[i]) continue
    results[i] = {
      download: downloads[i],
      status: 'cancelled',
      bytes: 0,
      attempts: 0,
      durationMs: 0,
      ranges: 1,
      error: 'cancelled before it started',
    }
    fileDone(results[i])
  }
}

/** Fresh counters for a run of `total` files. */
export function newProgress(total: number, concurrency: number): Progress {
  return {
    filesDone: 0,
    filesTotal: total,
    bytes: 0,
    concurrency,
    minConcurrency: concurrency,
    retries: 0,
  }
}
