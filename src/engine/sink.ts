import * as fs from 'node:fs'
import type { Readable } from 'node:stream'
import { AttemptError } from '../common/errors.ts'
import { formatBytes } from '../common/units.ts'

/**
 * Bytes buffered before the body is paused until the disk catches up; also the largest writev.
 * Below it a run costs more CPU, above it more memory for no gain (see README, Benchmark › Why
 * the engine is built this way).
 */
const PAUSE_ABOVE = 1024 * 1024

/**
 * Bytes gathered before a write starts, unless the body ended or the limit is reached: a small
 * file's body arrives in a few socket reads, and writing the first as soon as it comes costs a
 * second write, a round trip to libuv's threads, for each file.
 */
const WRITE_AT_LEAST = 64 * 1024

export interface SinkOptions {
  fd: number
  /** File offset of the first byte. */
  position: number
  /**
   * Stop after this many bytes and drop the rest of the body (one part of a split file). The
   * returned {@link Sink}'s limit may be lowered while the body streams (its tail went to other
   * ranges); these options are never changed.
   */
  limit?: number
  /** Fail once the file would grow beyond this offset (max-size). */
  maxSize?: number
  signal: AbortSignal
  /**
   * Each batch of bytes, once it is on disk (so a hash never covers bytes the file lacks). The
   * chunks are valid during the call only: the sink frees their memory afterwards.
   */
  onWritten: (chunks: Buffer[], n: number) => void
}

/** A body being pumped into a file: the handle its owner (and whoever takes its tail) reads. */
export interface Sink {
  /** Resolves with the bytes written once the body ended or the limit was reached. */
  readonly done: Promise<number>
  /** Bytes written so far. */
  readonly written: number
  /** Where it stops, in bytes from its first byte; undefined: at the body's end. */
  readonly limit: number | undefined
  /** Stops after `n` bytes instead (its tail goes to other ranges); never raises the limit. */
  lowerLimit(n: number): void
}

/**
 * Pumps a response body into a file at explicit positions. Chunks are gathered until there are
 * {@link WRITE_AT_LEAST} bytes (or the body or the limit ends), and those that arrive while a
 * write is in flight are written with the next `writev`; the body is paused above 1 MiB
 * buffered (see PAUSE_ABOVE), so memory stays bounded whatever the file size. Once written and
 * hashed, each chunk's memory is freed (see {@link release}).
 *
 * Asynchronous writes rather than `writeSync` per chunk: they cost the same CPU, and a slow
 * disk then holds up only this file, not the event loop every other transfer runs on.
 *
 * Hand-rolled rather than `stream.pipeline` into a Writable: pipeline builds and aborts an
 * AbortController (creating a DOMException with a stack) per call, which showed in the
 * main thread's profile on many small files; this pump allocates, per file, one object and
 * its bound listeners, and per write only the chunk array. (Measurements: see README,
 * Benchmark › Why the engine is built this way.)
 */
export function pumpToFile(body: Readable, o: SinkOptions): Sink {
  return new FilePump(body, o)
}

/**
 * The state of one body's pump. Its listeners and the write's callback are bound once, as
 * fields, so that no chunk and no write makes a closure of its own.
 */
class FilePump implements Sink {
  readonly done: Promise<number>
  readonly #body: Readable
  readonly #o: SinkOptions
  #written = 0
  #limit: number | undefined
  #position: number
  /** Chunks received and not yet written. */
  #pending: Buffer[] = []
  #pendingBytes = 0
  /** The batch being written (read by the write's callback), and whether it ends at the limit. */
  #batch: Buffer[] = []
  #batchBytes = 0
  #batchReachesLimit = false
  #writing = false
  #ended = false
  /** The body's error: what is pending is still written (a resume keeps it), then it fails. */
  #broken: Error | undefined
  #settled = false
  #resolve!: (written: number) => void
  #reject!: (error: unknown) => void

  constructor(body: Readable, o: SinkOptions) {
    this.#body = body
    this.#o = o
    this.#limit = o.limit
    this.#position = o.position
    this.done = new Promise<number>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
    })
    this.#start()
  }

  get written(): number {
    return this.#written
  }

  get limit(): number | undefined {
    return this.#limit
  }

  lowerLimit(n: number): void {
    if (this.#limit === undefined || n < this.#limit) this.#limit = n
  }

  /** Listens to the body, unless it already failed, broke or was aborted. */
  #start(): void {
    const body = this.#body
    const signal = this.#o.signal
    // A body that failed while nobody read it (during the open of the file, say) emits nothing
    // more: its error is taken here, or the pump would wait forever.
    if (body.errored) return this.#finish(body.errored)
    if (body.destroyed && !body.readableEnded)
      return this.#finish(new AttemptError('network', 'connection closed before the body was read'))
    if (signal.aborted) return this.#finish(signal.reason)
    signal.addEventListener('abort', this.#onAbort, { once: true })
    body.on('data', this.#onData)
    body.on('end', this.#onEnd)
    body.on('error', this.#onError)
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#pending.push(chunk)
    this.#pendingBytes += chunk.length
    if (this.#pendingBytes >= PAUSE_ABOVE) this.#body.pause()
    if (!this.#writing && this.#batchDue()) this.#flush()
  }

  /** Whether the pending bytes make a write: enough of them, or all up to the limit. */
  #batchDue(): boolean {
    const limit = this.#limit
    return (
      this.#pendingBytes >= WRITE_AT_LEAST ||
      (limit !== undefined && this.#written + this.#pendingBytes >= limit)
    )
  }

  readonly #onEnd = (): void => {
    this.#ended = true
    if (!this.#writing) this.#flush()
  }

  readonly #onError = (error: Error): void => {
    this.#broken = error
    this.#ended = true
    if (!this.#writing) this.#flush()
  }

  readonly #onAbort = (): void => this.#finish(this.#o.signal.reason)

  /** Writes what is pending; with nothing pending, resumes the body or, at its end, finishes. */
  #flush(): void {
    if (this.#settled) return
    if (this.#pending.length === 0 || (!this.#ended && !this.#batchDue())) {
      this.#writing = false
      if (this.#ended) this.#finish(this.#broken)
      else if (this.#body.isPaused()) this.#body.resume()
      return
    }
    if (this.#limit !== undefined && this.#written >= this.#limit) {
      // The limit was lowered below what is already written (the tail was taken late):
      // those bytes are the same ones the ranges bring, so stop here.
      this.#finish()
      return
    }
    this.#takeBatch()
    const maxSize = this.#o.maxSize
    if (maxSize !== undefined && this.#position + this.#batchBytes > maxSize) {
      this.#finish(tooLarge(maxSize, this.#position))
      return
    }
    this.#writing = true
    fs.writev(this.#o.fd, this.#batch, this.#position, this.#afterWrite)
  }

  /** Moves the pending chunks into the batch to write, cut where the limit is. */
  #takeBatch(): void {
    let buffers = this.#pending
    let n = this.#pendingBytes
    this.#pending = []
    this.#pendingBytes = 0
    this.#batchReachesLimit = false
    const limit = this.#limit
    if (limit !== undefined && this.#written + n >= limit) {
      buffers = cut(buffers, limit - this.#written)
      n = limit - this.#written
      this.#batchReachesLimit = true
    }
    this.#batch = buffers
    this.#batchBytes = n
  }

  readonly #afterWrite = (error: NodeJS.ErrnoException | null): void => {
    if (error) return this.#finish(error)
    const buffers = this.#batch
    const n = this.#batchBytes
    this.#position += n
    this.#written += n
    this.#o.onWritten(buffers, n)
    if (this.#batchReachesLimit) return this.#finish()
    for (const b of buffers) release(b)
    this.#flush()
  }

  /** Settles `done` once: stops listening and, unless the body ended, drops the connection. */
  #finish(error?: unknown): void {
    if (this.#settled) return
    this.#settled = true
    const body = this.#body
    body.off('data', this.#onData)
    body.off('end', this.#onEnd)
    body.off('error', this.#onError)
    this.#o.signal.removeEventListener('abort', this.#onAbort)
    // An 'error' the body emits from now on (a socket that breaks after the last byte, or the
    // one destroying emits) concerns nobody any more, and unheard it would end the process.
    body.on('error', ignore)
    // Failed, or stopped at `limit`: drop the connection.
    if (error !== undefined || !this.#ended) body.destroy()
    if (error !== undefined) this.#reject(error)
    else this.#resolve(this.#written)
  }
}

/** The error of a file that would grow beyond max-size. */
function tooLarge(maxSize: number, position: number): AttemptError {
  return new AttemptError(
    'size',
    `the file is larger than max-size (${formatBytes(maxSize)}); stopped at ${formatBytes(position)}`,
  )
}

/** Listens to an error that concerns nobody any more (see FilePump's finish). */
function ignore(): void {}

/** The first `n` bytes of a list of buffers. */
function cut(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = []
  let left = n
  for (const b of buffers) {
    if (left <= 0) break
    out.push(b.length <= left ? b : b.subarray(0, left))
    left -= b.length
  }
  return out
}

/**
 * Frees the memory of a chunk that is in the file and hashed, now rather than at V8's next full
 * GC, when the chunk is the whole of its ArrayBuffer (a socket read of body bytes only; a
 * buffer that also holds headers, framing or the next response is left alone), by detaching
 * it with `ArrayBuffer.prototype.transfer(0)`.
 *
 * Why: every socket read is a fresh 64 KiB allocation that only a GC frees, and V8 starts one
 * only after 64 MiB more external memory. At hundreds of MiB/s that left a heap of dead
 * buffers and frequent full mark-compacts; freeing them at once lowers both the peak memory and
 * the CPU of a run (see README, Benchmark › Why the engine is built this way). Node's shared
 * pool of small buffers is not detachable, and a chunk that is not the whole buffer is never
 * freed, so nothing still in use is touched.
 */
function release(chunk: Buffer): void {
  const buffer = chunk.buffer
  if (chunk.byteOffset !== 0 || chunk.byteLength !== buffer.byteLength) return
  if (!(buffer instanceof ArrayBuffer)) return
  try {
    // ES2024 (Node ≥ 21); the project's TypeScript lib is ES2023.
    ;(buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0)
  } catch {
    // Not detachable (Node's pool): left to the GC.
  }
}
