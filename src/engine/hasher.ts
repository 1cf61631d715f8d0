import { createHash, type Hash } from 'node:crypto'
import * as fs from 'node:fs'
import { Worker } from 'node:worker_threads'
import type { HashReply, HashRequest } from './hash-worker.ts'

/** A digest computed while a file is written, in file order, whatever order its bytes came in. */
export interface RunningHash {
  /**
   * Bytes [0, upTo) of the file are on disk. `chunks`, when given, are the bytes just before
   * `upTo`, in order (a streamed body), valid during the call only; without them (ranges that
   * arrived out of order) the bytes are read back from the file when needed.
   */
  advance(upTo: number, chunks?: readonly Buffer[]): void
  /** The hex digest of bytes [0, total) of the file. */
  digest(total: number): Promise<string>
  /** Drops the hash (the attempt restarts from zero, or the file failed). */
  dispose(): void
}

/** Hashes on the main thread, from the chunks as they are written. */
export class InlineHash implements RunningHash {
  private readonly file: string
  private readonly hash: Hash
  private hashed = 0

  constructor(file: string, algorithm: string) {
    this.file = file
    this.hash = createHash(algorithm)
  }

  advance(upTo: number, chunks?: readonly Buffer[]): void {
    if (!chunks) return
    let size = 0
    for (const c of chunks) size += c.length
    // Only contiguous bytes: a gap is read back from the file by digest().
    if (upTo - size !== this.hashed) return
    for (const c of chunks) this.hash.update(c)
    this.hashed = upTo
  }

  async digest(total: number): Promise<string> {
    if (this.hashed < total) {
      for await (const chunk of fs.createReadStream(this.file, {
        start: this.hashed,
        end: total - 1,
        highWaterMark: 1024 * 1024,
      })) {
        this.hash.update(chunk as Buffer)
        this.hashed += (chunk as Buffer).length
      }
      if (this.hashed < total)
        throw new Error(`the file ends at byte ${this.hashed}, before ${total}`)
    }
    return this.hash.digest('hex')
  }

  dispose(): void {}
}

/**
 * The hashing thread's file, beside this module. In dist/ it is JavaScript, bundled on its own
 * by scripts/build.ts: Node refuses to strip types under node_modules, and not every Node 24
 * strips them silently, or at all (`--no-strip-types`). From src/ (tests, scripts) it is the
 * TypeScript file itself, which Node runs by stripping its types.
 */
const WORKER_FILE = new URL(
  import.meta.url.endsWith('.ts') ? './hash-worker.ts' : './hash-worker.js',
  import.meta.url,
)

/**
 * Hashing threads for large files. A thread reads the file back from the page cache, which
 * costs little CPU, and keeps the main thread free to receive. Hashing on the main thread from
 * the chunks as they are written costs about the same CPU but far more memory: a busier main
 * thread lets socket reads pile up, and undici joins them into new buffers, so the reads
 * themselves are left to the GC; and every chunk waits for SHA-256 (see README, Benchmark ›
 * Why the engine is built this way).
 */
export class HashPool {
  private readonly workers: Worker[] = []
  private readonly waiting: Waiting = new Map()
  private readonly size: number
  private readonly file: URL | string
  private nextId = 1
  private failed?: Error
  private readonly onFallback?: (reason: string) => void
  private answers = 0
  private started = 0

  /**
   * `size` threads at most, started as large files need them; `file` is replaced in tests.
   * `onFallback` hears, once, why hashing moved to the main thread: it still gives the right
   * digests, but slower and with more memory, and nobody should have to guess why.
   */
  constructor(
    size: number,
    file: URL | string = WORKER_FILE,
    onFallback?: (reason: string) => void,
  ) {
    this.size = size
    this.file = file
    this.onFallback = onFallback
  }

  /** A hash of `file` computed by a worker thread; inline when no worker can start. */
  open(file: string, algorithm: string): RunningHash {
    const worker = this.failed ? undefined : this.worker()
    if (!worker) return new InlineHash(file, algorithm)
    const id = this.nextId++
    post(worker, { op: 'open', id, path: file, algorithm })
    return new WorkerHash(worker, id, this.waiting, {
      failed: () => this.failed !== undefined,
      // Every byte is on disk by the time a digest is asked for: read it all back.
      inline: (total) => new InlineHash(file, algorithm).digest(total),
    })
  }

  /**
   * Digests the threads computed, as against the main thread's fallback: which gives the same
   * digests, so only this count tells that a thread really answered.
   */
  get answeredByThreads(): number {
    return this.answers
  }

  /** Threads started so far: none on a run without a large file, which hashes inline only. */
  get threadsStarted(): number {
    return this.started
  }

  /** Stops the threads; pending digests fail. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0)
    await Promise.all(workers.map((w) => w.terminate()))
    for (const [, w] of this.waiting) w.reject(new Error('the hashing thread stopped'))
    this.waiting.clear()
  }

  private worker(): Worker | undefined {
    if (this.workers.length < this.size) {
      try {
        // Kept referenced (a pending digest must keep the process alive); the engine closes
        // the pool when the run ends.
        // From src/ (tests, scripts) the worker's file is TypeScript, and Node versions that
        // still call type stripping experimental would print a warning for it; the option is
        // the thread's own, not the process's.
        const worker = new Worker(this.file, {
          execArgv: ['--disable-warning=ExperimentalWarning'],
        })
        worker.on('message', (reply: HashReply) => {
          const w = this.waiting.get(reply.id)
          if (!w) return
          this.waiting.delete(reply.id)
          if ('digest' in reply) {
            this.answers++
            w.resolve(reply.digest)
          } else w.reject(new Error(`hashing failed: ${reply.error}`))
        })
        worker.on('error', (error) => this.fail(error))
        // A thread that ends without an error (exited, or its file ran to the end) would leave
        // its digests waiting forever: they are computed here instead, as for an error.
        worker.on('exit', (code) => {
          if (this.workers.includes(worker))
            this.fail(new Error(`the hashing thread exited (code ${code})`))
        })
        this.workers.push(worker)
        this.started++
        return worker
      } catch (error) {
        this.fail(error as Error)
        return undefined
      }
    }
    // Round robin over the threads: a file stays on the thread it started on.
    return this.workers[this.nextId % this.workers.length]
  }

  /**
   * A thread that cannot start or dies (its file missing from dist/, say): digests pending or
   * asked for later are computed on the main thread instead, so a file never waits forever.
   */
  private fail(error: Error): void {
    // A thread that fails often also exits: the first reason is the one worth telling.
    if (!this.failed) this.onFallback?.(oneLine(error.message))
    this.failed ??= error
    for (const [, w] of this.waiting) w.inline().then(w.resolve, w.reject)
    this.waiting.clear()
  }
}

type Waiting = Map<
  number,
  { resolve: (d: string) => void; reject: (e: Error) => void; inline: () => Promise<string> }
>

interface Fallback {
  failed: () => boolean
  inline: (total: number) => Promise<string>
}

class WorkerHash implements RunningHash {
  private readonly worker: Worker
  private readonly id: number
  private readonly waiting: Waiting
  private readonly fallback: Fallback
  private posted = 0
  private disposed = false

  constructor(worker: Worker, id: number, waiting: Waiting, fallback: Fallback) {
    this.worker = worker
    this.id = id
    this.waiting = waiting
    this.fallback = fallback
  }

  advance(upTo: number): void {
    // One message per MiB at most: the worker reads in 1 MiB blocks anyway.
    if (this.disposed || upTo - this.posted < 1024 * 1024) return
    this.posted = upTo
    post(this.worker, { op: 'advance', id: this.id, upTo })
  }

  digest(total: number): Promise<string> {
    if (this.fallback.failed()) {
      this.disposed = true
      return this.fallback.inline(total)
    }
    return new Promise<string>((resolve, reject) => {
      this.waiting.set(this.id, { resolve, reject, inline: () => this.fallback.inline(total) })
      this.disposed = true
      post(this.worker, { op: 'digest', id: this.id, total })
    })
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    post(this.worker, { op: 'close', id: this.id })
  }
}

/** An error message on one line, so that it stays inside the log line that carries it. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** Posts a request, typed against what the worker handles. */
function post(worker: Worker, request: HashRequest): void {
  worker.postMessage(request)
}
