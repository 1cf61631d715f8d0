import { createHash, type Hash } from 'node:crypto'
import * as fs from 'node:fs'
import { Worker } from 'node:worker_threads'

/** A digest computed while a file is written, in file order, whatever order its bytes came in. */
export interface RunningHash {
  /**
   * Bytes [0, upTo) of the file are on disk. `chunks`, when given, are the bytes just before
   * `upTo`, in order (a streamed body); without them (ranges that arrived out of order) the
   * bytes are read back from the file when needed.
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

// The worker follows each file on disk: it reads back what the main thread reports written
// (from the page cache) and hashes it. Nothing is copied between threads, and the main thread
// is left with receiving and writing. Plain CommonJS, run with `eval`, so the bundle needs no
// second file.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const fs = require('node:fs')
const { createHash } = require('node:crypto')
const jobs = new Map()
const buffer = Buffer.allocUnsafe(1024 * 1024)
function catchUp(job, upTo) {
  if (job.error) return
  if (job.fd === undefined) job.fd = fs.openSync(job.path, 'r')
  while (job.hashed < upTo) {
    const n = fs.readSync(job.fd, buffer, 0, Math.min(buffer.length, upTo - job.hashed), job.hashed)
    if (n === 0) throw new Error('the file ends at byte ' + job.hashed + ', before ' + upTo)
    job.hash.update(buffer.subarray(0, n))
    job.hashed += n
  }
}
function close(id) {
  const job = jobs.get(id)
  jobs.delete(id)
  if (job && job.fd !== undefined) fs.closeSync(job.fd)
}
parentPort.on('message', (m) => {
  const job = jobs.get(m.id)
  if (m.op === 'open') {
    jobs.set(m.id, { path: m.path, hash: createHash(m.algorithm), hashed: 0 })
    return
  }
  if (!job) return
  try {
    if (m.op === 'advance') catchUp(job, m.upTo)
    else if (m.op === 'digest') {
      catchUp(job, m.total)
      if (job.error) throw job.error
      const digest = job.hash.digest('hex')
      close(m.id)
      parentPort.postMessage({ id: m.id, digest })
    } else if (m.op === 'close') close(m.id)
  } catch (error) {
    if (m.op !== 'digest') { job.error = error; return }
    try { close(m.id) } catch {}
    parentPort.postMessage({ id: m.id, error: String(error && error.message || error) })
  }
})
`

type Reply = { id: number; digest?: string; error?: string }

/**
 * Hashing threads for large files. Measured on 4 × 256 MiB at 4 at once: SHA-256 on the main
 * thread took 0.68 s of its 2.2 s (30 %), on the critical path of every chunk; in a thread, the
 * whole run took 1.78 s instead of 2.17 s (median of 3).
 */
export class HashPool {
  private readonly workers: Worker[] = []
  private readonly waiting: Waiting = new Map()
  private readonly size: number
  private nextId = 1
  private failed?: Error

  /** `size` threads at most, started as large files need them. */
  constructor(size: number) {
    this.size = size
  }

  /** A hash of `file` computed by a worker thread; inline when no worker can start. */
  open(file: string, algorithm: string): RunningHash {
    const worker = this.failed ? undefined : this.worker()
    if (!worker) return new InlineHash(file, algorithm)
    const id = this.nextId++
    worker.postMessage({ op: 'open', id, path: file, algorithm })
    return new WorkerHash(worker, id, this.waiting)
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
        const worker = new Worker(WORKER_SOURCE, { eval: true })
        worker.on('message', (reply: Reply) => {
          const w = this.waiting.get(reply.id)
          if (!w) return
          this.waiting.delete(reply.id)
          if (reply.digest) w.resolve(reply.digest)
          else w.reject(new Error(`hashing failed: ${reply.error}`))
        })
        worker.on('error', (error) => this.fail(error))
        this.workers.push(worker)
        return worker
      } catch (error) {
        this.fail(error as Error)
        return undefined
      }
    }
    // Round robin over the threads: a file stays on the thread it started on.
    return this.workers[this.nextId % this.workers.length]
  }

  private fail(error: Error): void {
    this.failed = error
    for (const [, w] of this.waiting) w.reject(new Error(`hashing thread failed: ${error.message}`))
    this.waiting.clear()
  }
}

type Waiting = Map<number, { resolve: (d: string) => void; reject: (e: Error) => void }>

class WorkerHash implements RunningHash {
  private readonly worker: Worker
  private readonly id: number
  private readonly waiting: Waiting
  private posted = 0
  private disposed = false

  constructor(worker: Worker, id: number, waiting: Waiting) {
    this.worker = worker
    this.id = id
    this.waiting = waiting
  }

  advance(upTo: number): void {
    // One message per MiB at most: the worker reads in 1 MiB blocks anyway.
    if (this.disposed || upTo - this.posted < 1024 * 1024) return
    this.posted = upTo
    this.worker.postMessage({ op: 'advance', id: this.id, upTo })
  }

  digest(total: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.waiting.set(this.id, { resolve, reject })
      this.disposed = true
      this.worker.postMessage({ op: 'digest', id: this.id, total })
    })
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.worker.postMessage({ op: 'close', id: this.id })
  }
}
