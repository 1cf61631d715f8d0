// One file's lifecycle, read top to bottom: the existing copy, then attempts until one succeeds
// (a request; for a large file, ranges fetched beside it; every body into the temporary and
// the running hash), then the verification, the rename into place and post-processing. The
// steps are in transferFile; the helpers each step calls follow it, in that order.
//
// On the one retry helper of net/retry.ts (which errors are worth another attempt, and how
// long to wait), it adds what only a file needs: a retry resumes where the last attempt
// stopped (a split file fetches only the ranges it lacks), every attempt is verified again,
// and a response that did not answer its request restarts the file whole, once.
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { AttemptError } from '../common/errors.ts'
import { formatBytes } from '../common/units.ts'
import { statusError, type HttpResponse } from '../net/http-client.ts'
import { classify, errorCode, isPushback, withRetries, type RetryOptions } from '../net/retry.ts'
import { discard, drain } from './bodies.ts'
import { expectedDigest, fromRecord, type Algorithm } from './checksums.ts'
import type { TransferContext } from './context.ts'
import type { Download } from './download.ts'
import { checkExisting, type Existing, type RecordedCopy } from './existing-copy.ts'
import { FileState, type Span } from './file-state.ts'
import { InlineHash, type RunningHash } from './hasher.ts'
import { partsOf, splitWays } from './ranges.ts'
import { checkResponse, htmlInstead, rangeHeader, ResponseMismatch } from './response-check.ts'
import type { FileResult, FileStatus } from './results.ts'
import { pumpToFile, type Sink } from './sink.ts'
import type { TailStream } from './tail-taking.ts'
import { closeFd, openFd, removeQuietly, renameIntoPlace } from './temp-file.ts'
import { tempPathFor } from './temp-name.ts'

/**
 * Downloads one file with retries: checks an existing copy, streams the body to a temporary
 * file while hashing it, verifies it, and renames it into place. Never throws: failures
 * come back as a `failed` result.
 */
export async function transferFile(
  d: Readonly<Download>,
  ctx: TransferContext,
): Promise<FileResult> {
  const state = new FileState(d, tempPathFor(d.dest))
  const result = resultOf(state, Date.now())
  let first = true
  try {
    return await withRetries(
      async (n) => {
        result.attempts = n
        // The first slot also prepares the folder and checks an existing copy (inside a slot:
        // 20,000 files must not mean 20,000 concurrent file-system calls), then goes straight on
        // to the first request: one trip through the queue per file, not two.
        const step = await ctx.slots.schedule(async (): Promise<Step> => {
          if (!first) return attempt(state, ctx)
          first = false
          const found = await existingCopy(d, ctx)
          if (found.current || found.planned) return found
          return attempt(state, ctx, found.response)
        }, n - 1)
        if (step.current) return result.upToDate(step.current, await filesLeft(d, step, ctx))
        if (step.planned) return result.planned()
        // Out of the slot: the ranges streaming beside the attempt's own stream hold their own.
        if (step.split) await finishSplit(state)
        const verified = await verify(state, ctx)
        await renameIntoPlace(state.temp, d.dest, ctx.fileOps, ctx.signal)
        const files = ctx.hooks.postProcess ? await ctx.hooks.postProcess(d.dest) : undefined
        return result.make('downloaded', { size: state.finalSize, verified, files })
      },
      retryOptions(state, ctx),
    )
  } catch (err) {
    state.dispose()
    await removeQuietly(state.temp, ctx.fileOps)
    if (ctx.signal.aborted)
      return result.make('cancelled', { error: 'cancelled before it finished' })
    // The count of attempts is the report's to say (the result carries it), once.
    return result.make('failed', { error: await withDiskSpace(classify(err).message, err, d.dest) })
  }
}

/** What a slot of an attempt ended with. */
interface Step extends Found {
  /** Ranges stream beside the attempt's own stream: wait for them (see {@link finishSplit}). */
  split?: boolean
}

// ---- The existing copy ----

/** What the first slot found before any request for the body. */
interface Found {
  /** The copy in place is current. */
  current?: Existing
  /** What post-processing recorded for it (an archive unpacked by an earlier run). */
  recorded?: RecordedCopy
  /** A dry run: nothing is downloaded. */
  planned?: true
  /** The answer to the existing copy's conditional GET, which carries the new body. */
  response?: HttpResponse
}

/** Prepares the destination's folder and checks a copy already there. */
async function existingCopy(d: Readonly<Download>, ctx: TransferContext): Promise<Found> {
  const { skipExisting, dryRun } = ctx.settings
  const existing = await ctx.destinations.prepare(d.dest)
  // Before any request: found at the rename, the whole body would be fetched for nothing.
  if (existing !== undefined) await refuseFolder(existing)
  // An archive unpacked by an earlier run is gone; its record stands for it.
  const recorded =
    existing === undefined && skipExisting ? await ctx.hooks.recordedCopy?.(d.dest) : undefined
  const check =
    skipExisting && (existing !== undefined || recorded)
      ? await checkExisting(
          d,
          { http: ctx.http, dryRun, signal: ctx.signal },
          existing ?? d.dest,
          recorded,
        )
      : {}
  if (check.current) return { current: check.current, recorded }
  if (dryRun) return { planned: true }
  return { response: check.response }
}

/** Refuses a destination that exists as a folder: a file cannot be renamed over it. */
async function refuseFolder(existing: string): Promise<void> {
  const stat = await fsp.lstat(existing).catch(() => undefined)
  if (stat?.isDirectory()) {
    throw new AttemptError(
      'disk',
      `the destination ${existing} exists as a folder; refusing to replace it with the file`,
    )
  }
}

/**
 * The files a current copy leaves: its record's, or post-processing's. A current archive still
 * there may lack its tree (a run stopped while unpacking, or one with extract: false before):
 * post-processing runs on it as on a fresh one.
 */
async function filesLeft(
  d: Readonly<Download>,
  found: Found,
  ctx: TransferContext,
): Promise<string[] | undefined> {
  if (found.recorded) return found.recorded.files
  if (!ctx.hooks.postProcess || ctx.settings.dryRun) return undefined
  return ctx.hooks.postProcess(d.dest)
}

// ---- One attempt ----

/**
 * One request for the file and its body into the temporary: from byte 0, or `Range: bytes=N-`
 * with `If-Range` from where its bytes from 0 stop. For a large file on a server that takes
 * ranges, the other ranges are fetched beside it in slots of their own (see {@link fetchParts});
 * it returns when its own stream ends, and {@link finishSplit} waits for them. After a failed
 * split that kept its bytes, it fetches only the ranges that are missing.
 */
async function attempt(
  state: FileState,
  ctx: TransferContext,
  answered?: HttpResponse,
): Promise<Step> {
  if (state.mode === 'parts' && !answered) return fetchMissing(state, ctx)
  const from = state.resumeFrom()
  // A fresh attempt opens its temporary while the request is on the wire: the open is off the
  // path between headers and body (see README, Benchmark › Why the engine is built this way).
  let fd: Promise<number> | undefined = from === undefined ? openFd(state.temp, 'w') : undefined
  fd?.catch(() => undefined)
  try {
    const res = answered ?? (await request(state, ctx, from))
    if (res.status === 416 && from !== undefined) {
      // The file shrank or changed: start again from zero, in this same attempt.
      drain(res.body)
      state.restart()
      return await attempt(state, ctx)
    }
    const offset = await accept(state, res, from, ctx)
    // 'w' truncates a leftover temporary of a killed run: it is reused, never trusted.
    fd ??= openFd(state.temp, offset === 0 ? 'w' : 'r+')
    const opened = fd
    fd = undefined // the stream owns and closes it from here
    return await streamFile(res.body, opened, offset, state, ctx)
  } finally {
    if (fd) await fd.then(closeFd, () => undefined)
  }
}

/** The request for the file: whole, or the rest from `from` on. */
function request(
  state: FileState,
  ctx: TransferContext,
  from: number | undefined,
): Promise<HttpResponse> {
  const headers: Record<string, string> = {}
  if (from !== undefined && state.validator !== undefined) {
    headers['range'] = rangeHeader({ start: from })
    headers['if-range'] = state.validator
  }
  return ctx.http.request(state.download.url, { headers, signal: ctx.signal })
}

/**
 * Checks the answer against its request before a byte of it is written, and learns what it
 * says of the file (size, validator, checksums); returns the file offset its body goes to. A
 * whole body (200, whether or not a range was asked: a changed file or no range support)
 * starts the temporary again from byte 0, with a fresh hash.
 */
async function accept(
  state: FileState,
  res: HttpResponse,
  from: number | undefined,
  ctx: TransferContext,
): Promise<number> {
  if (res.status !== 200 && res.status !== 206) throw await statusError(res, '')
  ctx.events.onPushback(false)
  const html = htmlInstead(res.status, res.headers, state.download.dest)
  if (html) {
    discard(res.body)
    throw new AttemptError('http', html, { status: 200 })
  }
  const placed = checkResponse({
    asked: from === undefined ? undefined : { start: from },
    wholeAcceptable: true,
    status: res.status,
    headers: res.headers,
  })
  if (!placed.ok) {
    discard(res.body)
    state.restart()
    throw new ResponseMismatch(placed.reason)
  }
  const validator = res.headers['etag'] || res.headers['last-modified']
  // Without both, what is written cannot be continued.
  const kept = res.headers['accept-ranges'] === 'bytes' && validator ? validator : undefined
  if (placed.start > 0) {
    if (validator && validator !== state.validator) {
      discard(res.body)
      state.restart()
      throw new AttemptError(
        'network',
        'the server answered the resumed request with another version of the file; restarting',
      )
    }
    state.answered(placed.fileSize, kept)
  } else {
    state.restart()
    state.answered(placed.length, kept)
  }
  await learnDigest(state, res.headers, ctx)
  checkMaxSize(state.size, ctx.settings.maxSize)
  if (placed.start > 0) return state.contiguousBytes
  state.startFromZero(freshHash(state, ctx))
  return 0
}

/**
 * What the file must hash to (with `verify`): the plan's checksum, else the response's, else,
 * once per file, the server's record of it (a retry keeps what the record said).
 */
async function learnDigest(
  state: FileState,
  headers: Record<string, string>,
  ctx: TransferContext,
): Promise<void> {
  if (!ctx.settings.verify) return
  const expected = expectedDigest(state.download.checksums, headers)
  if (expected) return state.expect(expected)
  const record = ctx.hooks.recordedChecksums
  if (state.expectedDigest || !record) return
  const recorded = await fromRecord(state.download, record, ctx.signal)
  if (recorded) state.expect(recorded)
}

function checkMaxSize(size: number | undefined, max: number | undefined): void {
  if (max !== undefined && size !== undefined && size > max) {
    throw new AttemptError(
      'size',
      `the file is ${formatBytes(size)}, larger than max-size (${formatBytes(max)})`,
    )
  }
}

/** Files at least this large are hashed by a worker thread; below, a message costs more than the hash. */
const WORKER_HASH_MIN = 8 * 1024 * 1024

/**
 * A hash for a body from byte 0. None without anything to compare with (no checksum, or
 * verify: false): SHA-256 is the largest CPU cost of a large file (see README, Benchmark › Why
 * the engine is built this way).
 */
function freshHash(state: FileState, ctx: TransferContext): RunningHash | undefined {
  const algorithm = state.expectedDigest?.algorithm
  if (!algorithm) return undefined
  return ctx.hashPool && (state.size ?? 0) >= WORKER_HASH_MIN
    ? ctx.hashPool.open(state.temp, algorithm)
    : new InlineHash(state.temp, algorithm)
}

/**
 * Streams the attempt's own body from `offset`. A large file from a server that takes ranges
 * is split at once into the slots idle now (its own stream keeps the first part, the others
 * are fetched beside it: a per-connection cap no longer caps the file), and idle slots may take
 * its tail later (see tail-taking.ts).
 */
async function streamFile(
  body: Readable,
  opened: Promise<number>,
  offset: number,
  state: FileState,
  ctx: TransferContext,
): Promise<Step> {
  const { split, splitMinSize } = ctx.settings
  const size = state.size
  const large =
    state.mode === 'plain' &&
    state.validator !== undefined &&
    split > 1 &&
    size !== undefined &&
    size >= splitMinSize
  // Stops the ranges when this stream fails; only large files have any.
  const stop = large ? new AbortController() : undefined
  const rangeSignal = stop && AbortSignal.any([ctx.signal, stop.signal])
  const ways = large && offset === 0 ? splitWays(size, split, splitMinSize, ctx.slots.idle()) : 1
  let limit: number | undefined
  if (ways > 1 && size !== undefined && rangeSignal) {
    const { first, others } = partsOf(size, ways)
    limit = first
    // The file is created (and truncated) before the ranges write into it.
    await opened
    startParts(state, others, ctx, rangeSignal)
    state.splitInto(others.length + 1)
  }
  try {
    await streamBody(body, await opened, state, ctx, {
      start: offset,
      limit,
      signal: ctx.signal,
      rangeSignal,
      own: true,
    })
  } catch (err) {
    stop?.abort(err)
    await state.settleParts()
    state.streamFailed(ways > 1)
    throw err
  }
  // Ranges bring the rest (each checks its own length).
  if (state.hasParts) return { split: true }
  if (state.size !== undefined && state.contiguousBytes < state.size) {
    throw new AttemptError(
      'network',
      `body ended after ${formatBytes(state.contiguousBytes)} of ${formatBytes(state.size)}`,
    )
  }
  state.bodyEnded()
  return {}
}

// ---- Ranges beside the attempt's own stream ----

/**
 * The attempt after a failed split that kept its bytes: requests only the ranges no earlier
 * stream wrote (each with If-Range), so that a retry never fetches again what is on disk.
 */
function fetchMissing(state: FileState, ctx: TransferContext): Step {
  const missing = state.missingParts()
  if (missing.length > 0) startParts(state, missing, ctx, ctx.signal)
  return { split: true }
}

/** Fetches `parts` ([start, end) offsets) beside the attempt's stream; see {@link finishSplit}. */
function startParts(
  state: FileState,
  parts: readonly Span[],
  ctx: TransferContext,
  signal: AbortSignal,
): void {
  state.partStarted(fetchParts(state, parts, ctx, signal))
}

/**
 * Fetches ranges of a split file, each in a slot of the queue. One failed range fails them all:
 * the others stop, and they have stopped writing into the temporary before the next attempt
 * rewrites it.
 */
async function fetchParts(
  state: FileState,
  parts: readonly Span[],
  ctx: TransferContext,
  signal: AbortSignal,
): Promise<void> {
  const validator = state.validator
  if (validator === undefined) throw fileChanged()
  const stop = new AbortController()
  const partSignal = AbortSignal.any([signal, stop.signal])
  const fetched = parts.map(([start, end]) =>
    ctx.slots
      .schedule(() => fetchPart(state, { start, end: end - 1 }, validator, ctx, partSignal), 1_000)
      .then(() => ctx.tails.slotFreed()),
  )
  try {
    await Promise.all(fetched)
  } catch (err) {
    stop.abort(err)
    await Promise.allSettled(fetched)
    throw err
  }
}

/** One request for a range (`Range: bytes=a-b` with `If-Range`), streamed to its place. */
async function fetchPart(
  state: FileState,
  asked: { start: number; end: number },
  validator: string,
  ctx: TransferContext,
  signal: AbortSignal,
): Promise<void> {
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
      state.changedOnServer()
      throw fileChanged()
    }
    throw new ResponseMismatch(placed.reason)
  }
  // A range is a stream like any other: idle slots may take its tail too.
  await streamBody(res.body, await openFd(state.temp, 'r+'), state, ctx, {
    start: asked.start,
    limit: asked.end - asked.start + 1,
    signal,
    rangeSignal: signal,
    own: false,
  })
}

function fileChanged(): AttemptError {
  return new AttemptError('network', 'the file changed on the server during the download')
}

/**
 * Waits for the ranges streaming beside the attempt's own stream, then, when they all came,
 * lets the hash read them back in file order. A failed range keeps its bytes and the others'
 * for the retry when the whole can be verified; else the file streams whole from here on.
 */
async function finishSplit(state: FileState): Promise<void> {
  const failures = await state.settleParts()
  if (failures.length > 0) {
    state.partsFailed()
    throw failures[0]
  }
  state.allPartsIn()
}

// ---- Every body into the temporary ----

/** Where and how a body is written. */
interface BodyPlace {
  /** File offset of its first byte. */
  start: number
  /** Bytes it brings; undefined: up to the body's end. */
  limit: number | undefined
  signal: AbortSignal
  /** A stream of a large file: idle slots may take its tail, and those ranges stop with this. */
  rangeSignal: AbortSignal | undefined
  /** The attempt's own stream (its bytes continue those from 0) rather than a range. */
  own: boolean
}

/**
 * Pumps a body into the temporary at `start` and closes `fd`. The own stream's bytes go to the
 * running hash as they are written; a range's bytes are recorded for a retry. Fails when the
 * body ends before its limit (which a taken tail may have lowered).
 */
async function streamBody(
  body: Readable,
  fd: number,
  state: FileState,
  ctx: TransferContext,
  o: BodyPlace,
): Promise<void> {
  const sink = pumpToFile(body, {
    fd,
    position: o.start,
    limit: o.limit,
    maxSize: ctx.settings.maxSize,
    signal: o.signal,
    onWritten: (chunks, n) => {
      if (o.own) state.appended(chunks, n)
      else state.received(n)
      ctx.events.onBytes(n)
    },
  })
  const withdraw = o.rangeSignal && ctx.tails.offer(tailOf(state, sink, o, o.rangeSignal, ctx))
  let n: number
  try {
    n = await sink.done
  } finally {
    withdraw?.()
    // Written in order from `start`: these bytes are on disk, whatever happened after them.
    if (!o.own) state.partWritten(o.start, o.start + sink.written)
    await closeFd(fd)
  }
  if (sink.limit !== undefined && n < sink.limit) {
    throw new AttemptError(
      'network',
      `body at ${o.start} ended after ${formatBytes(n)} of ${formatBytes(sink.limit)}`,
    )
  }
}

/**
 * The running stream as the tail scheduler sees it. A taken tail cuts the stream short through
 * its sink's handle and fetches the new ranges beside it, stopping with it.
 */
function tailOf(
  state: FileState,
  sink: Sink,
  o: BodyPlace,
  rangeSignal: AbortSignal,
  ctx: TransferContext,
): TailStream {
  return {
    get at() {
      return o.start + sink.written
    },
    get end() {
      return sink.limit !== undefined ? o.start + sink.limit : (state.size ?? this.at)
    },
    get received() {
      return sink.written
    },
    startedAt: Date.now(),
    get spareParts() {
      return ctx.settings.split - state.ranges
    },
    handOver(keep, parts) {
      sink.lowerLimit(keep - o.start)
      startParts(state, parts, ctx, rangeSignal)
      state.tailTaken(parts.length)
    },
  }
}

// ---- Verify, and the result ----

/** Compares the digest with the expected one; a mismatch forgets the temporary. */
async function verify(state: FileState, ctx: TransferContext): Promise<Algorithm | undefined> {
  const expected = state.expectedDigest
  if (!ctx.settings.verify || !expected || !state.hash) return undefined
  const actual = await state.hash.digest(state.finalSize)
  if (actual === expected.digest) return expected.algorithm
  state.restart()
  await removeQuietly(state.temp, ctx.fileOps)
  throw new AttemptError(
    'checksum',
    `checksum mismatch: expected ${expected.algorithm} ${expected.digest}, got ${actual}`,
  )
}

/** The retry loop's hooks for a file. */
function retryOptions(state: FileState, ctx: TransferContext): RetryOptions {
  return {
    policy: ctx.policy,
    signal: ctx.signal,
    sleep: ctx.sleep,
    onError: (error) => {
      if (isPushback(error)) ctx.events.onPushback(true)
    },
    // A response that did not answer its request: once, the file starts over whole (no
    // ranges, no resume) at once; a server that does it again fails the file, by name.
    override: (error) => {
      if (!(error instanceof ResponseMismatch)) return undefined
      if (state.mode === 'whole') return 'fail'
      state.restartWhole()
      return 'now'
    },
    onRetry: (r) =>
      ctx.events.onRetry({
        download: state.download,
        retry: r.retry,
        retries: r.retries,
        delayMs: r.delayMs,
        error: r.error.message,
        ...(r.immediate && { restartWhole: true }),
      }),
  }
}

/** Builds the file's result: what it cost so far, and how it ended. */
function resultOf(state: FileState, started: number) {
  const result = {
    attempts: 0,
    make(status: FileStatus, extra: Partial<FileResult> = {}): FileResult {
      return {
        download: state.download,
        status,
        bytes: state.networkBytes,
        attempts: result.attempts,
        durationMs: Date.now() - started,
        ranges: state.ranges,
        ...extra,
      }
    },
    upToDate(current: Existing, files: string[] | undefined): FileResult {
      result.attempts = current.requested ? 1 : 0
      return result.make('up-to-date', { size: current.size, verified: current.algorithm, files })
    },
    planned(): FileResult {
      result.attempts = 0
      return result.make('planned', { size: state.download.size })
    },
  }
  return result
}

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
