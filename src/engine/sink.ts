import * as fs from 'node:fs'
import type { Readable } from 'node:stream'
import { AttemptError } from '../common/errors.ts'
import { formatBytes } from '../common/units.ts'

export interface SinkOptions {
  fd: number
  /** File offset of the first byte. */
  position: number
  /**
   * Stop after this many bytes and drop the rest of the body (the first part of a split file).
   * May be lowered while the body streams (its tail was given to other connections).
   */
  limit?: number
  /** Fail once the file would grow beyond this offset (max-size). */
  maxSize?: number
  signal: AbortSignal
  /** Set by the sink: bytes written so far (for whoever may take the stream's tail). */
  written?: number
  /**
   * Each chunk once it is in the file (so a hash never covers bytes the file lacks), called
   * right after the write, while the chunk is still in the CPU's cache.
   */
  onWritten: (chunks: Buffer[], n: number) => void
}

/**
 * Pumps a response body into a file at explicit positions: each chunk is written as it arrives,
 * with a synchronous positional write, and handed to `onWritten` (the hash) at once. Resolves
 * with the bytes written.
 *
 * Why synchronous, one chunk at a time. Measured on 4 × 256 MiB at 4 at once on the 2-core VM
 * (CPU-seconds per GiB, medians; see the README's benchmark):
 * - a write into the page cache is a memory copy that the kernel does on the calling thread
 *   either way (libuv completes buffered `writev` inline through io_uring: 0.36 s per GiB of
 *   `writeBuffers` on the main thread in the profile of the asynchronous sink);
 * - hashing a chunk right after its write, while it is still in the cache, costs 0.54 s per GiB
 *   of SHA-256; hashing 1 MiB batches after the asynchronous write completed cost 0.9 s, and
 *   batches of 1 MiB cost ~0.15 s more user and ~0.1 s more system time than single chunks;
 * - nothing is buffered here, so the body needs no pause threshold: the socket is read only as
 *   fast as the chunks are written, and peak memory does not depend on the file size.
 *
 * Hand-rolled rather than `stream.pipeline` into a Writable: pipeline builds and aborts an
 * AbortController (creating a DOMException with a stack) per call, which showed up at ~4 %
 * of main-thread time on 500 small files.
 */
export function pumpToFile(body: Readable, o: SinkOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let written = 0
    let settled = false

    const finish = (error?: unknown, complete = false): void => {
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
      if (error !== undefined || !complete) body.destroy()
      if (error !== undefined) reject(error)
      else resolve(written)
    }

    const onData = (chunk: Buffer): void => {
      if (settled) return
      if (o.limit !== undefined && written >= o.limit) {
        // The limit was lowered to what is already written (the tail was taken late): those
        // bytes are the same ones the ranges bring, so stop here.
        finish()
        return
      }
      let n = chunk.length
      let done = false
      if (o.limit !== undefined && written + n >= o.limit) {
        n = o.limit - written
        chunk = chunk.subarray(0, n)
        done = true
      }
      const position = o.position + written
      if (o.maxSize !== undefined && position + n > o.maxSize) {
        finish(
          new AttemptError(
            'size',
            `the file is larger than max-size (${formatBytes(o.maxSize)}); stopped at ${formatBytes(position)}`,
          ),
        )
        return
      }
      try {
        writeAll(o.fd, chunk, position)
      } catch (error) {
        finish(error)
        return
      }
      written += n
      o.written = written
      o.onWritten([chunk], n)
      if (done) finish()
      else release(chunk)
    }
    const onEnd = (): void => finish(undefined, true)
    const onError = (error: Error): void => finish(error)
    const onAbort = (): void => finish(o.signal.reason)

    if (o.signal.aborted) return finish(o.signal.reason)
    o.signal.addEventListener('abort', onAbort, { once: true })
    body.on('data', onData)
    body.on('end', onEnd)
    body.on('error', onError)
  })
}

/**
 * Frees the memory of a chunk that is in the file and hashed, now rather than at V8's next full
 * GC, when the chunk is the whole of its ArrayBuffer (a socket read of body bytes only; a
 * buffer that also holds headers, framing or the next response is left alone).
 *
 * Why: every socket read is a fresh 64 KiB allocation that only a GC frees, and V8 starts one
 * only after 64 MiB more external memory; at hundreds of MiB/s that is ~100 MiB of dead
 * buffers (peak RSS 160–190 MiB on 4 × 256 MiB) and a full mark-compact every ~0.1 s (~13 %
 * of the CPU samples of the run). Freed at once, the next read reuses the same, still cached
 * memory. Node's shared pool of small buffers is not detachable, and a chunk that is not the
 * whole buffer is never freed, so nothing still in use is touched.
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

/** Writes all of `chunk` at `position` (a positional write may write less than asked). */
function writeAll(fd: number, chunk: Buffer, position: number): void {
  let off = 0
  while (off < chunk.length) {
    off += fs.writeSync(fd, chunk, off, chunk.length - off, position + off)
  }
}
