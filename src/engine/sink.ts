import * as fs from 'node:fs'
import type { Readable } from 'node:stream'
import { AttemptError } from '../common/errors.ts'
import { formatBytes } from '../common/units.ts'

/**
 * Bytes buffered before the body is paused until the disk catches up; also the largest writev.
 * Measured on 4 × 256 MiB at 4 at once (4 rounds each, same run; CPU-s, peak RSS):
 * 128 KiB 2.20–2.34 s, 122 MiB; 256 KiB 2.04–2.15 s, 122 MiB; 1 MiB 1.86–1.92 s, 125–130 MiB;
 * 2 MiB 1.92–2.04 s, 134–136 MiB; 4 MiB 1.88–2.09 s, 141–154 MiB.
 */
const PAUSE_ABOVE = 1024 * 1024

export interface SinkOptions {
  fd: number
  /** File offset of the first byte. */
  position: number
  /**
   * Stop after this many bytes and drop the rest of the body (one part of a split file). The
   * returned {@link Sink} may lower it while the body streams (its tail went to other ranges).
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
 * Pumps a response body into a file at explicit positions. Chunks that arrive while a write is
 * in flight are gathered and written with one `writev`; the body is paused above 1 MiB
 * buffered (see PAUSE_ABOVE), so memory stays bounded whatever the file size. Once written and
 * hashed, each chunk's memory is freed (see {@link release}).
 *
 * Asynchronous writes rather than `writeSync` per chunk: measured the same (1.91–2.07 against
 * 1.93–1.97 CPU-s on 4 × 256 MiB, hashing in the worker), and a slow disk then holds up only
 * this file, not the event loop every other transfer runs on.
 *
 * Hand-rolled rather than `stream.pipeline` into a Writable: pipeline builds and aborts an
 * AbortController (creating a DOMException with a stack) per call, which showed up at ~4 %
 * of main-thread time on 500 small files; this loop has no per-call allocation beyond the
 * chunk array.
 */
export function pumpToFile(body: Readable, o: SinkOptions): Sink {
  let written = 0
  let limit = o.limit
  const done = new Promise<number>((resolve, reject) => {
    let position = o.position
    let pending: Buffer[] = []
    let pendingBytes = 0
    let writing = false
    let ended = false
    let settled = false

    const finish = (error?: unknown): void => {
      if (settled) return
      settled = true
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('error', onError)
      o.signal.removeEventListener('abort', onAbort)
      // An 'error' the body emits from now on (a socket that breaks after the last byte, or the
      // one destroying emits) concerns nobody any more, and unheard it would end the process.
      body.on('error', () => undefined)
      // Failed, or stopped at `limit`: drop the connection.
      if (error !== undefined || !ended) body.destroy()
      if (error !== undefined) reject(error)
      else resolve(written)
    }

    const flush = (): void => {
      if (settled) return
      if (pending.length === 0) {
        writing = false
        if (ended) finish()
        else if (body.isPaused()) body.resume()
        return
      }
      if (limit !== undefined && written >= limit) {
        // The limit was lowered below what is already written (the tail was taken late):
        // those bytes are the same ones the ranges bring, so stop here.
        finish()
        return
      }
      let buffers = pending
      let n = pendingBytes
      pending = []
      pendingBytes = 0
      let reachesLimit = false
      if (limit !== undefined && written + n >= limit) {
        buffers = cut(buffers, limit - written)
        n = limit - written
        reachesLimit = true
      }
      if (o.maxSize !== undefined && position + n > o.maxSize) {
        finish(
          new AttemptError(
            'size',
            `the file is larger than max-size (${formatBytes(o.maxSize)}); stopped at ${formatBytes(position)}`,
          ),
        )
        return
      }
      writing = true
      fs.writev(o.fd, buffers, position, (error) => {
        if (error) return finish(error)
        position += n
        written += n
        o.onWritten(buffers, n)
        if (reachesLimit) return finish()
        for (const b of buffers) release(b)
        flush()
      })
    }

    const onData = (chunk: Buffer): void => {
      pending.push(chunk)
      pendingBytes += chunk.length
      if (pendingBytes >= PAUSE_ABOVE) body.pause()
      if (!writing) flush()
    }
    const onEnd = (): void => {
      ended = true
      if (!writing) flush()
    }
    const onError = (error: Error): void => finish(error)
    const onAbort = (): void => finish(o.signal.reason)

    // A body that failed while nobody read it (during the open of the file, say) emits nothing
    // more: its error is taken here, or the pump would wait forever.
    if (body.errored) return finish(body.errored)
    if (body.destroyed && !body.readableEnded)
      return finish(new AttemptError('network', 'connection closed before the body was read'))
    if (o.signal.aborted) return finish(o.signal.reason)
    o.signal.addEventListener('abort', onAbort, { once: true })
    body.on('data', onData)
    body.on('end', onEnd)
    body.on('error', onError)
  })
  return {
    done,
    get written() {
      return written
    },
    get limit() {
      return limit
    },
    lowerLimit(n) {
      if (limit === undefined || n < limit) limit = n
    },
  }
}

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
 * only after 64 MiB more external memory. At hundreds of MiB/s that left ~100 MiB of dead
 * buffers and a full mark-compact every ~0.1 s (~13 % of the run's CPU samples in `perf`).
 * Measured on 4 × 256 MiB at 4 at once: peak RSS 177–196 → 125–129 MiB, CPU 2.29–2.44 →
 * 1.93–1.97 s. Node's shared pool of small buffers is not detachable, and a chunk that is not
 * the whole buffer is never freed, so nothing still in use is touched.
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
