// Ranges of a large file: how many a file splits into when its answer comes, fetching them
// in slots of the queue, taking the tail of a running stream for idle slots, and the pump
// that streams any body (whole or range) into its place in the temporary.
import type { Readable } from 'node:stream'
import { AttemptError } from '../common/errors.ts'
import { formatBytes } from '../common/units.ts'
import { statusError } from '../net/http-client.ts'
import { discard } from './bodies.ts'
import type { TransferContext } from './context.ts'
import { canKeepParts, missingRanges, resetToSingleStream, type FileState } from './file-state.ts'
import { checkResponse, rangeHeader, ResponseMismatch } from './response-check.ts'
import { pumpToFile, type SinkOptions } from './sink.ts'
import { closeFd, openFd } from './temp-file.ts'

/** Smallest range worth its own request. */
const MIN_PART = 1024 * 1024

/**
 * Smallest range taken from a running stream's tail: smaller than a planned part, since at the
 * end of a run on a slow link every connection counts (a 6 MiB file at 2 MiB/s per connection
 * kept 2 ranges and took 2.3 s with 1 MiB; see the demo).
 */
const TAIL_MIN_PART = 256 * 1024

/**
 * How many concurrent ranges a file of `size` bytes is fetched in. Only idle slots are taken:
 * while other files wait, splitting gains nothing (every connection is busy already) and costs
 * a second, out-of-order hashing pass (measured: 4 × 256 MiB at 4 at once took 5.1 s split
 * four ways, 3.0 s whole). Where slots are idle, as for one large file behind a per-connection
 * cap, each range adds a connection's worth of rate.
 */
export function splitWays(size: number, split: number, minSize: number, idle: number): number {
  if (split <= 1 || size < minSize) return 1
  return Math.max(1, Math.min(split, 1 + idle, Math.floor(size / MIN_PART)))
}

/** A stream of a large file (whole, or one of its ranges) whose tail idle slots may take over. */
export interface TailStream {
  state: FileState
  /** File offset of the stream's first byte. */
  start: number
  /** The running sink: lowering its `limit` ends the stream early. */
  sink: SinkOptions
  /** For the ranges taken from it: they stop with it. */
  signal: AbortSignal
  /** When it started receiving, for its rate. */
  startedAt: number
}

/**
 * A stream's tail is taken only if it would otherwise still run this long: between streams
 * that share one fast link a new range gains nothing and costs a request and a read-back
 * (4 × 256 MiB on loopback: 3.1 s with tails taken as the first files finished, 2.3 s with
 * this rule).
 */
const TAIL_MIN_MS = 1000

/**
 * Hands the tail of the stream that would finish last (a whole file, or one of its ranges) to
 * the slots nobody needs any more.
 *
 * Why: a file splits when its first answer arrives, into the slots idle then. One that starts
 * while every slot is busy streams alone, and at the end of a run it is often the last one
 * left, at one connection's rate while the other slots sit idle (the demo's 6 MiB archive
 * took 3.0 s at 2 MiB/s on its own). Its remaining bytes are cut into ranges: the running
 * stream keeps the first, the idle slots fetch the others, and the hash reads them back in
 * file order, as for any split file.
 */
export function takeTails(ctx: TransferContext): void {
  const idle = ctx.idleSlots()
  if (idle <= 0) return
  // The stream that would finish last at its own rate.
  const now = Date.now()
  let best: TailStream | undefined
  let bestLeft = 0
  let bestMs = TAIL_MIN_MS
  for (const t of ctx.streamsOpenToTailTaking) {
    if (t.state.rangeCount >= ctx.split) continue
    const left = streamEnd(t) - written(t)
    const rate = (t.sink.written ?? 0) / Math.max(1, now - t.startedAt)
    const ms = rate > 0 ? left / rate : Infinity
    if (ms >= bestMs) {
      best = t
      bestLeft = left
      bestMs = ms
    }
  }
  // A margin past what is written, for the bytes in the stream's buffers and write (at most
  // ~1 MiB, see the sink); should it still overshoot, it writes the same bytes the range brings.
  const margin = 1024 * 1024
  if (!best || bestLeft < margin + 2 * TAIL_MIN_PART) return
  const end = streamEnd(best)
  const from = written(best) + margin
  const ways = Math.min(
    ctx.split - best.state.rangeCount + 1,
    1 + idle,
    Math.floor((end - from) / TAIL_MIN_PART),
  )
  if (ways < 2) return
  const partSize = Math.ceil((end - from) / ways)
  const keep = from + partSize
  const parts: [number, number][] = []
  for (let start = keep; start < end; start += partSize)
    parts.push([start, Math.min(end, start + partSize) - 1])
  best.sink.limit = keep - best.start
  addExtraRange(best.state, fetchParts(best.state, parts, ctx, best.signal))
  best.state.rangeCount += parts.length
}

/** Where a stream stops: its limit (a range, or where its tail was taken), or the file's end. */
function streamEnd(t: TailStream): number {
  return t.sink.limit !== undefined ? t.start + t.sink.limit : (t.state.expectedSize as number)
}

/** The file offset up to which a stream has written. */
function written(t: TailStream): number {
  return t.start + (t.sink.written ?? 0)
}

/** Ranges fetched beside the attempt's own stream: settled before the file is verified. */
export function addExtraRange(state: FileState, ranges: Promise<void>): void {
  ranges.catch(() => undefined)
  state.extraRanges.push(ranges)
}

/** Waits for every range taken from the attempt's streams, including ranges taken from those. */
async function waitForExtraRanges(state: FileState): Promise<void> {
  for (;;) {
    const batch = state.extraRanges.splice(0)
    if (batch.length === 0) return
    try {
      await Promise.all(batch)
    } catch (err) {
      // Stop waiting only once nothing writes into the temporary any more.
      await Promise.allSettled([...batch, ...state.extraRanges.splice(0)])
      throw err
    }
  }
}

/** Fetches the parts of a split file after the first, each in a slot of the queue. */
export async function fetchParts(
  state: FileState,
  parts: [number, number][],
  ctx: TransferContext,
  signal: AbortSignal,
): Promise<void> {
  const validator = state.validator as string
  // One failed range fails them all: the others stop, and they have stopped writing into the
  // temporary before the next attempt rewrites it whole.
  const stop = new AbortController()
  signal = AbortSignal.any([signal, stop.signal])
  const fetched = parts.map(([start, end]) =>
    ctx
      .schedule(async () => {
        const asked = { start, end }
        const res = await ctx.http.request(state.download.url, {
          headers: { range: rangeHeader(asked), 'if-range': validator },
          signal,
        })
        if (res.status !== 200 && res.status !== 206) throw await statusError(res, '')
        const placed = checkResponse({
          asked,
          wholeAcceptable: false,
          status: res.status,
          headers: res.headers,
        })
        if (!placed.ok) {
          discard(res.body)
          // A 200 with another validator: If-Range did its job, the file changed.
          const now = res.headers['etag'] || res.headers['last-modified']
          if (res.status === 200 && now !== validator) {
            // The bytes already written belong to the old version: none of them is kept.
            state.validator = undefined
            throw new AttemptError('network', 'the file changed on the server during the download')
          }
          throw new ResponseMismatch(placed.reason)
        }
        await streamPart(res.body, state, ctx, signal, start, end - start + 1)
      }, 1_000)
      .then(() => ctx.onRangeDone?.()),
  )
  try {
    await Promise.all(fetched)
  } catch (err) {
    stop.abort(err)
    await Promise.allSettled(fetched)
    throw err
  }
}

/** Waits for the other parts of a split file, then hashes them in file order. */
export async function finishSplit(state: FileState): Promise<void> {
  try {
    await waitForExtraRanges(state)
  } catch (err) {
    // The bytes the ranges wrote stay: the next attempt fetches only what is missing, unless
    // the whole could not be verified when put together (then it streams the file whole).
    if (canKeepParts(state)) state.resumeParts = true
    else resetToSingleStream(state)
    throw err
  }
  // The parts arrived out of order: the hash reads them back from the file (the page cache)
  // when the digest is asked for.
  state.runningHash?.advance(state.expectedSize as number)
  state.contiguousBytes = state.expectedSize as number
}

/** Streams one range of a split file to its place in the temporary file (hashed later, in order). */
async function streamPart(
  body: Readable,
  state: FileState,
  ctx: TransferContext,
  signal: AbortSignal,
  start: number,
  length: number,
): Promise<void> {
  // A range is a stream like any other: idle slots may take its tail too.
  await pump(body, await openFd(state.temp, 'r+'), state, ctx, {
    start,
    limit: length,
    signal,
    rangeSignal: signal,
    keepsProgress: true,
  })
}

/**
 * The attempt after a failed split that kept its bytes: requests only the ranges no earlier
 * range wrote (each with If-Range), so that a retry never fetches again what is on disk.
 */
export async function fetchMissing(
  state: FileState,
  ctx: TransferContext,
): Promise<{ split: true }> {
  state.resumeParts = false
  const have: [number, number][] = [[0, state.contiguousBytes], ...state.partsOnDisk]
  const missing = missingRanges(state.expectedSize as number, have)
  state.rangeCount = Math.max(1, missing.length)
  if (missing.length > 0) {
    addExtraRange(
      state,
      fetchParts(
        state,
        missing.map(([start, end]) => [start, end - 1]),
        ctx,
        ctx.signal,
      ),
    )
  }
  return { split: true }
}

/**
 * Pumps a body into the temporary file at `start` and closes `fd`. While it runs with a
 * `rangeSignal`, the stream is offered to {@link takeTails}. Fails when the body ends before
 * its limit (which a taken tail may have lowered).
 */
export async function pump(
  body: Readable,
  fd: number,
  state: FileState,
  ctx: TransferContext,
  o: {
    start: number
    limit: number | undefined
    signal: AbortSignal
    rangeSignal: AbortSignal | undefined
    onWritten?: (chunks: Buffer[], n: number) => void
    /** A range of a split: its bytes on disk are recorded for a retry (see partsOnDisk). */
    keepsProgress?: boolean
  },
): Promise<void> {
  const sink: SinkOptions = {
    fd,
    position: o.start,
    limit: o.limit,
    maxSize: ctx.maxSize,
    signal: o.signal,
    onWritten: (chunks, n) => {
      o.onWritten?.(chunks, n)
      state.networkBytes += n
      ctx.onBytes(n)
    },
  }
  const tail: TailStream | undefined = o.rangeSignal && {
    state,
    start: o.start,
    sink,
    signal: o.rangeSignal,
    startedAt: Date.now(),
  }
  if (tail) ctx.streamsOpenToTailTaking.add(tail)
  let n: number
  try {
    n = await pumpToFile(body, sink)
  } finally {
    if (tail) ctx.streamsOpenToTailTaking.delete(tail)
    // Written in order from `start`: these bytes are on disk, whatever happened after them.
    if (o.keepsProgress && sink.written) state.partsOnDisk.push([o.start, o.start + sink.written])
    await closeFd(fd)
  }
  if (sink.limit !== undefined && n < sink.limit) {
    throw new AttemptError(
      'network',
      `body at ${o.start} ended after ${formatBytes(n)} of ${formatBytes(sink.limit)}`,
    )
  }
}
