import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { promisify } from 'node:util'
import type { Destinations } from './destinations.ts'
import { AttemptError } from '../common/errors.ts'
import { InlineHash, type HashPool, type RunningHash } from './hasher.ts'
import { statusError, type HttpClient, type HttpResponse } from '../net/http-client.ts'
import type { Download } from '../plan/downloads.ts'
import { classify, errorCode, isRetryable, retryDelay, type RetryPolicy } from '../net/retry.ts'
import {
  expectedDigest,
  headerChecksums,
  strongest,
  type Algorithm,
  type ExpectedDigest,
} from './checksums.ts'
import { checkResponse, rangeHeader, ResponseMismatch } from './response-check.ts'
import { pumpToFile, type SinkOptions } from './sink.ts'
import { formatBytes } from '../common/units.ts'

export type { Algorithm } from './checksums.ts'

/** How one file ended. */
export type FileStatus = 'downloaded' | 'up-to-date' | 'failed' | 'planned' | 'cancelled'

/** The outcome of one planned download, as the report layer sees it. */
export interface FileResult {
  download: Download
  status: FileStatus
  /** Body bytes received over the network for this file (all attempts). */
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
  error?: string
}

/** A retry about to happen, for the log. */
export interface RetryInfo {
  download: Download
  retry: number
  retries: number
  delayMs: number
  error: string
}

/** Everything a transfer needs; the engine builds it once per run. */
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
  signal: AbortSignal
  /** Runs one request (and its body) in a slot of the shared queue; higher priority first. */
  schedule: <T>(fn: () => Promise<T>, priority: number) => Promise<T>
  /** Threads that hash large files off the main thread; inline hashing without. */
  hashPool?: HashPool
  /** Slots of the queue that nothing runs in or waits for: what a split file may take. */
  idleSlots: () => number
  /** Streams of large files running now, whose tail idle slots may take (see {@link takeTails}). */
  tails: Set<TailStream>
  /** A range finished and freed its slot. */
  onRangeDone?: () => void
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  /** Replaced in tests (a rename refused the way Windows scanners refuse it). */
  rename?: (from: string, to: string) => Promise<void>
  /** Waits between tries of a refused rename; {@link RENAME_RETRY_DELAYS_MS} by default. */
  renameRetryDelaysMs?: readonly number[]
  onRetry: (info: RetryInfo) => void
  /** Body bytes as they arrive, for progress. */
  onBytes: (n: number) => void
  /** The server pushed back (429/503), or a request went through: feeds adaptive concurrency. */
  onPushback: (pushedBack: boolean) => void
}

/** What survives between the attempts of one file, so a retry can resume. */
interface FileState {
  readonly download: Download
  temp: string
  /** Bytes of the body already in the temp file and in `hash`. */
  received: number
  hash?: RunningHash
  validator?: string
  total?: number
  expected?: ExpectedDigest
  /** Bytes received over the network for this file, all attempts. */
  bytes: number
  noSplit: boolean
  /**
   * A response did not answer its request (see {@link checkResponse}): the file is fetched
   * whole from here on, with no ranges and no resume; a second mismatch fails it.
   */
  wholeOnly: boolean
  ranges: number
  /** Ranges taken from this attempt's streams by idle slots (see {@link takeTails}), unsettled. */
  taken: Promise<void>[]
  notVerifiedLogged?: boolean
}

/** Suffix of temporaries: a run killed hard leaves `.<name>.artdl-part`, which the next run overwrites. */
export const TEMP_SUFFIX = '.artdl-part'

/** The temporary a download is written to, beside its destination (same file system: rename is atomic). */
export function tempPathFor(dest: string): string {
  const base = path.basename(dest)
  const short = base.length > 200 ? base.slice(0, 200) : base
  return path.join(path.dirname(dest), `.${short}${TEMP_SUFFIX}`)
}

/**
 * Downloads one file with retries: checks an existing copy, streams the body to a temporary
 * file while hashing it, verifies it, and renames it into place. Never throws: failures
 * come back as a `failed` result.
 */
export async function transferFile(d: Download, ctx: TransferContext): Promise<FileResult> {
  const started = Date.now()
  const state: FileState = {
    download: d,
    temp: tempPathFor(d.dest),
    received: 0,
    bytes: 0,
    noSplit: false,
    wholeOnly: false,
    ranges: 1,
    taken: [],
  }
  let attempts = 0
  const result = (status: FileStatus, extra: Partial<FileResult> = {}): FileResult => ({
    download: d,
    status,
    bytes: state.bytes,
    attempts,
    durationMs: Date.now() - started,
    ranges: state.ranges,
    ...extra,
  })
  try {
    // The first slot also prepares the folder and checks an existing copy (inside a slot:
    // 20,000 files must not mean 20,000 concurrent file-system calls), then goes straight on
    // to the first request: one trip through the queue per file, not two.
    let first = true
    for (;;) {
      attempts++
      try {
        const done = await ctx.schedule(async () => {
          if (first) {
            first = false
            const exists = await ctx.destinations.prepare(d.dest)
            const check = exists && ctx.skipExisting ? await checkExisting(d, ctx) : {}
            if (check.current) return { current: check.current }
            if (ctx.dryRun) return { planned: true }
            return attempt(d, state, ctx, check.response)
          }
          return attempt(d, state, ctx)
        }, attempts - 1)
        if ('current' in done && done.current) {
          attempts = done.current.requested ? 1 : 0
          return result('up-to-date', { size: done.current.size, verified: done.current.algorithm })
        }
        if ('planned' in done) {
          attempts = 0
          return result('planned', { size: d.size })
        }
        if ('split' in done && done.split) await finishSplit(state)
        const verified = await verifyAndPlace(d, state, ctx)
        const files = ctx.postProcess ? await ctx.postProcess(d.dest) : undefined
        return result('downloaded', { size: state.total ?? state.received, verified, files })
      } catch (err) {
        const error = classify(err)
        if (ctx.signal.aborted) throw error
        if (error.kind === 'http' && (error.status === 429 || error.status === 503))
          ctx.onPushback(true)
        const retry = attempts
        // A response that did not answer its request: once, the file starts over whole (no
        // ranges, no resume) at once; a server that does it again fails the file, by name.
        const restartWhole = error instanceof ResponseMismatch && !state.wholeOnly
        if (error instanceof ResponseMismatch && !restartWhole) throw error
        if (restartWhole) {
          resetState(state)
          state.wholeOnly = true
          state.noSplit = true
          state.ranges = 1
        } else if (!isRetryable(error) || retry > ctx.policy.retries) throw error
        const delayMs = restartWhole ? 0 : retryDelay(error, retry, ctx.policy)
        ctx.onRetry({
          download: d,
          retry,
          retries: ctx.policy.retries,
          delayMs,
          error: error.message,
        })
        await ctx.sleep(delayMs, ctx.signal)
      }
    }
  } catch (err) {
    state.hash?.dispose()
    await removeQuietly(state.temp)
    if (ctx.signal.aborted) return result('cancelled', { error: 'cancelled before it finished' })
    const error = classify(err)
    // The count of attempts is the report's to say (the result carries it), once.
    return result('failed', { error: await withDiskSpace(error.message, err, d.dest) })
  }
}

interface Existing {
  size: number
  algorithm?: Algorithm
  requested: boolean
}

/** What the check of an existing copy found. */
interface ExistingCheck {
  /** The copy is current. */
  current?: Existing
  /** The answer to a conditional GET that carries the new body: the download uses it. */
  response?: HttpResponse
}

/**
 * Whether the destination already holds the right bytes. Known checksums (from a listing)
 * decide without a request; otherwise one conditional request asks the server: Artifactory's
 * ETag is the SHA-1, so `If-None-Match` with the local SHA-1 earns a 304, and any server's
 * checksum headers are compared too. Size and name alone never decide.
 *
 * The request is a conditional GET, not a HEAD: undici closes the connection after every HEAD
 * (for servers that wrongly send a body), so 500 HEADs meant 500 new connections and a re-run
 * slower than the first run (2.3 s against 1.55 s for 500 × 64 KiB at 30 ms). A changed file's
 * body comes with the answer and is not requested twice. A dry run asks with HEAD: it must not
 * receive file bodies.
 */
/** For a full disk, how much space is left where the file was to go. */
async function withDiskSpace(message: string, err: unknown, dest: string): Promise<string> {
  const code = errorCode(err)
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return message
  try {
    const s = await fsp.statfs(path.dirname(dest))
    return `${message}; ${formatBytes(s.bavail * s.bsize)} free in ${path.dirname(dest)}`
  } catch {
    return message
  }
}

async function checkExisting(d: Download, ctx: TransferContext): Promise<ExistingCheck> {
  const stat = await fsp.lstat(d.dest).catch(() => undefined)
  // A symlink is not trusted as "the file": renaming over it replaces the link, not its target.
  if (!stat?.isFile()) return {}
  const planned = strongest(d.checksums)
  // Only what can be compared: the planned algorithm, or SHA-1 (Artifactory's ETag) and
  // SHA-256 (the strongest header). A server that gives only MD5 gets the file downloaded again.
  const local = await hashFile(
    d.dest,
    stat.size,
    planned ? [planned.algorithm] : ['sha256', 'sha1'],
  )
  if (planned) {
    return local[planned.algorithm] === planned.digest
      ? { current: { size: stat.size, algorithm: planned.algorithm, requested: false } }
      : {}
  }
  const res = await ctx.http.request(d.url, {
    method: ctx.dryRun ? 'HEAD' : 'GET',
    headers: { 'if-none-match': `"${local.sha1}"` },
    signal: ctx.signal,
  })
  if (res.status === 304) {
    drain(res.body)
    return { current: { size: stat.size, algorithm: 'sha1', requested: true } }
  }
  const remote = res.status === 200 ? strongest(headerChecksums(res.headers).checksums) : undefined
  if (remote && local[remote.algorithm] === remote.digest) {
    // Current after all (a server whose ETag is not the SHA-1): drop the body.
    discard(res.body)
    return { current: { size: stat.size, algorithm: remote.algorithm, requested: true } }
  }
  if (ctx.dryRun) {
    drain(res.body)
    return {}
  }
  // Changed, or an error status: the first attempt takes this response as its own.
  return { response: res }
}

async function hashFile(
  file: string,
  size: number,
  algorithms: readonly Algorithm[],
): Promise<Partial<Record<Algorithm, string>>> {
  const hashes = algorithms.map((a) => [a, createHash(a)] as const)
  // A read buffer no larger than the file: 1 MiB per small file was 500 MiB of garbage on a
  // re-run of 500 × 64 KiB.
  const highWaterMark = Math.max(16 * 1024, Math.min(1024 * 1024, size))
  for await (const chunk of fs.createReadStream(file, { highWaterMark })) {
    for (const [, h] of hashes) h.update(chunk as Buffer)
  }
  return Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')]))
}

/**
 * One request for the file: a fresh GET, or `Range: bytes=N-` with `If-Range` when a previous
 * attempt left a verified-so-far prefix. Streams the body into the temporary file and the hash.
 * For a large file on a server that takes ranges, streams only the first part and returns the
 * other parts, which it starts fetching at once, concurrently (see {@link fetchParts}).
 */
async function attempt(
  d: Download,
  state: FileState,
  ctx: TransferContext,
  answered?: HttpResponse,
): Promise<{ split?: true }> {
  const resuming =
    !state.wholeOnly &&
    state.received > 0 &&
    state.validator !== undefined &&
    (state.hash !== undefined || state.expected === undefined)
  const headers: Record<string, string> = {}
  if (resuming) {
    headers['range'] = `bytes=${state.received}-`
    headers['if-range'] = state.validator as string
  }
  // A fresh attempt opens its temporary while the request is on the wire: the open is off the
  // path between headers and body (measured: ~1 ms less per file at 16 in flight).
  let fd: Promise<number> | undefined = resuming ? undefined : openFd(state.temp, 'w')
  fd?.catch(() => undefined)
  try {
    const res = answered ?? (await ctx.http.request(d.url, { headers, signal: ctx.signal }))
    if (res.status === 416 && resuming) {
      // The file shrank or changed: start again from zero, in this same attempt.
      drain(res.body)
      resetState(state)
      return await attempt(d, state, ctx)
    }
    if (res.status !== 200 && res.status !== 206) {
      throw await statusError(res, '')
    }
    ctx.onPushback(false)
    const validator = res.headers['etag'] || res.headers['last-modified']
    // Nothing is written before the response is known to answer the request.
    const placed = checkResponse({
      asked: resuming ? { start: state.received } : undefined,
      wholeAcceptable: true,
      status: res.status,
      headers: res.headers,
    })
    if (!placed.ok) {
      discard(res.body)
      resetState(state)
      throw new ResponseMismatch(placed.reason)
    }
    let offset = 0
    if (placed.start > 0) {
      if (validator && validator !== state.validator) {
        discard(res.body)
        resetState(state)
        throw new AttemptError(
          'network',
          'the server answered the resumed request with another version of the file; restarting',
        )
      }
      offset = state.received
      state.total = placed.fileSize
    } else {
      // 200: a whole body, whether or not we asked for a range (changed file or no range support).
      resetState(state)
      state.total = placed.length
    }
    state.validator = validator
    setExpected(d, state, res.headers, ctx)
    checkMaxSize(state.total, ctx.maxSize)
    prepareTemp(state, offset, ctx)
    // 'w' truncates a leftover temporary of a killed run: it is reused, never trusted.
    fd ??= openFd(state.temp, offset === 0 ? 'w' : 'r+')
    const fdReady = fd
    fd = undefined // streamTo owns and closes it from here

    const rangesOk = res.headers['accept-ranges'] === 'bytes' && validator !== undefined
    if (!rangesOk) state.validator = undefined // without both, a resume cannot be trusted
    const total = state.total
    // A large file from a server that takes ranges: idle slots may take parts of it, when its
    // answer comes (the parts below) or later (see takeTails).
    const large =
      rangesOk &&
      !state.noSplit &&
      !state.wholeOnly &&
      ctx.split > 1 &&
      total !== undefined &&
      total >= ctx.splitMinSize
    const ways =
      large && offset === 0 ? splitWays(total, ctx.split, ctx.splitMinSize, ctx.idleSlots()) : 1
    // Stops the ranges when this stream fails; only large files have any.
    const stop = large ? new AbortController() : undefined
    const rangeSignal = stop && AbortSignal.any([ctx.signal, stop.signal])
    let limit: number | undefined
    if (ways > 1 && total !== undefined && rangeSignal) {
      // This request keeps streaming part 1 while the other parts are requested in parallel
      // (a per-connection cap no longer caps the file).
      limit = Math.ceil(total / ways)
      const parts: [number, number][] = []
      for (let start = limit; start < total; start += limit)
        parts.push([start, Math.min(total, start + limit) - 1])
      // The file is created (and truncated) before the parts write into it.
      await fdReady
      addTaken(state, fetchParts(state, parts, ctx, rangeSignal))
      state.ranges = parts.length + 1
    }
    try {
      await streamTo(res.body, fdReady, state, ctx, offset, limit, rangeSignal)
    } catch (err) {
      stop?.abort(err)
      await Promise.allSettled(state.taken.splice(0))
      // The retry resumes this stream whole: the ranges are gone with this attempt.
      state.ranges = 1
      throw err
    }
    // Ranges bring the rest (each checks its own length).
    if (state.taken.length > 0) return { split: true }
    if (state.total !== undefined && state.received < state.total) {
      throw new AttemptError(
        'network',
        `body ended after ${formatBytes(state.received)} of ${formatBytes(state.total)}`,
      )
    }
    state.total ??= state.received
    return {}
  } finally {
    if (fd) await fd.then(closeFd, () => undefined)
  }
}

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
  for (const t of ctx.tails) {
    if (t.state.ranges >= ctx.split) continue
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
    ctx.split - best.state.ranges + 1,
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
  addTaken(best.state, fetchParts(best.state, parts, ctx, best.signal))
  best.state.ranges += parts.length
}

/** Where a stream stops: its limit (a range, or where its tail was taken), or the file's end. */
function streamEnd(t: TailStream): number {
  return t.sink.limit !== undefined ? t.start + t.sink.limit : (t.state.total as number)
}

/** The file offset up to which a stream has written. */
function written(t: TailStream): number {
  return t.start + (t.sink.written ?? 0)
}

/** Ranges fetched beside the attempt's own stream: settled before the file is verified. */
function addTaken(state: FileState, ranges: Promise<void>): void {
  ranges.catch(() => undefined)
  state.taken.push(ranges)
}

/** Waits for every range taken from the attempt's streams, including ranges taken from those. */
async function settleTaken(state: FileState): Promise<void> {
  for (;;) {
    const batch = state.taken.splice(0)
    if (batch.length === 0) return
    try {
      await Promise.all(batch)
    } catch (err) {
      // Stop waiting only once nothing writes into the temporary any more.
      await Promise.allSettled([...batch, ...state.taken.splice(0)])
      throw err
    }
  }
}

/** Fetches the parts of a split file after the first, each in a slot of the queue. */
async function fetchParts(
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
          if (res.status === 200 && now !== validator)
            throw new AttemptError('network', 'the file changed on the server during the download')
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
async function finishSplit(state: FileState): Promise<void> {
  try {
    await settleTaken(state)
  } catch (err) {
    // Parts are not resumed one by one: the next attempt streams the file whole.
    resetState(state)
    state.noSplit = true
    state.ranges = 1
    throw err
  }
  // The parts arrived out of order: the hash reads them back from the file (the page cache)
  // when the digest is asked for.
  state.hash?.advance(state.total as number)
  state.received = state.total as number
}

function setExpected(
  d: Download,
  state: FileState,
  headers: Record<string, string>,
  ctx: TransferContext,
): void {
  if (!ctx.verify) return
  const expected = expectedDigest(d.checksums, headers)
  if (expected) state.expected = expected
}

function checkMaxSize(size: number | undefined, max: number | undefined): void {
  if (max !== undefined && size !== undefined && size > max) {
    throw new AttemptError(
      'size',
      `the file is ${formatBytes(size)}, larger than max-size (${formatBytes(max)})`,
    )
  }
}

function resetState(state: FileState): void {
  state.taken = []
  state.received = 0
  state.hash?.dispose()
  state.hash = undefined
  state.validator = undefined
  state.total = undefined
}

/** Files at least this large are hashed by a worker thread; below, a message costs more than the hash. */
const WORKER_HASH_MIN = 8 * 1024 * 1024

function prepareTemp(state: FileState, offset: number, ctx: TransferContext): void {
  if (offset === 0) {
    state.received = 0
    state.hash?.dispose()
    // Nothing to compare with (no checksum, or verify: false): no hash, which is 0.6 s of CPU
    // per GiB.
    const algorithm = state.expected?.algorithm
    state.hash = !algorithm
      ? undefined
      : ctx.hashPool && (state.total ?? 0) >= WORKER_HASH_MIN
        ? ctx.hashPool.open(state.temp, algorithm)
        : new InlineHash(state.temp, algorithm)
  }
}

// Plain descriptors rather than FileHandle objects: measured ~0.3 ms less main-thread time per
// file on 500 small files.
const openFd = promisify(fs.open)
const closeFd = promisify(fs.close)

/**
 * Streams a body into the temporary file at `offset`, hashing every byte in the same pass.
 * With `limit`, stops after that many bytes and drops the connection (the rest of the file
 * comes from range requests). With `rangeSignal` (a large file), idle slots may take its tail.
 */
async function streamTo(
  body: Readable,
  fdReady: Promise<number>,
  state: FileState,
  ctx: TransferContext,
  offset: number,
  limit: number | undefined,
  rangeSignal: AbortSignal | undefined,
): Promise<void> {
  await pump(body, await fdReady, state, ctx, {
    start: offset,
    limit,
    signal: ctx.signal,
    rangeSignal,
    onWritten: (chunks, n) => {
      state.received += n
      state.hash?.advance(state.received, chunks)
    },
  })
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
  })
}

/**
 * Pumps a body into the temporary file at `start` and closes `fd`. While it runs with a
 * `rangeSignal`, the stream is offered to {@link takeTails}. Fails when the body ends before
 * its limit (which a taken tail may have lowered).
 */
async function pump(
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
      state.bytes += n
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
  if (tail) ctx.tails.add(tail)
  let n: number
  try {
    // A body that failed while nobody read it (during the open of the file) emits nothing
    // more: its error is taken here, or the pump would wait forever.
    if (body.errored) throw body.errored
    if (body.destroyed && !body.readableEnded)
      throw new AttemptError('network', 'connection closed before the body was read')
    n = await pumpToFile(body, sink)
  } finally {
    if (tail) ctx.tails.delete(tail)
    await closeFd(fd)
  }
  if (sink.limit !== undefined && n < sink.limit) {
    throw new AttemptError(
      'network',
      `body at ${o.start} ended after ${formatBytes(n)} of ${formatBytes(sink.limit)}`,
    )
  }
}

/** Compares the digest with the expected one, then renames the temporary into place. */
async function verifyAndPlace(
  d: Download,
  state: FileState,
  ctx: TransferContext,
): Promise<Algorithm | undefined> {
  let verified: Algorithm | undefined
  if (ctx.verify && state.expected) {
    const actual = await (state.hash as RunningHash).digest(state.total ?? state.received)
    if (actual !== state.expected.digest) {
      resetState(state)
      await removeQuietly(state.temp)
      throw new AttemptError(
        'checksum',
        `checksum mismatch: expected ${state.expected.algorithm} ${state.expected.digest}, got ${actual}`,
      )
    }
    verified = state.expected.algorithm
  }
  await renameIntoPlace(state.temp, d.dest, ctx)
  return verified
}

/** Codes with which antivirus scanners and indexers (Windows) refuse a rename for a moment. */
const BUSY_CODES = new Set(['EPERM', 'EACCES', 'EBUSY'])

/** Waits between tries of a refused rename: about 1 s in all. */
export const RENAME_RETRY_DELAYS_MS = [50, 100, 200, 250, 400]

/**
 * Renames the verified temporary onto the destination. A rename refused with EPERM, EACCES or
 * EBUSY is tried again for about a second, since on Windows a scanner that opened the fresh
 * file refuses it briefly; anything else (or a refusal that lasts) fails the file.
 */
async function renameIntoPlace(temp: string, dest: string, ctx: TransferContext): Promise<void> {
  const rename = ctx.rename ?? fsp.rename
  const delays = ctx.renameRetryDelaysMs ?? RENAME_RETRY_DELAYS_MS
  for (let i = 0; ; i++) {
    try {
      await rename(temp, dest)
      return
    } catch (err) {
      const code = errorCode(err)
      if (i >= delays.length || !code || !BUSY_CODES.has(code)) throw classify(err)
      await ctx.sleep(delays[i], ctx.signal)
    }
  }
}

/** Reads a short body to its end and drops it, keeping the connection. */
function drain(body: Readable): void {
  body.on('error', () => undefined)
  body.resume()
}

/** Drops a body nobody will read (the HTTP client keeps an 'error' listener on every body). */
function discard(body: Readable): void {
  body.on('error', () => undefined)
  body.destroy()
}

async function removeQuietly(file: string): Promise<void> {
  await fsp.rm(file, { force: true }).catch(() => undefined)
}
