// One request for a file, and its body into the temporary: a fresh GET, or a resume from
// where the last attempt stopped; for a large file, the start of a split into ranges.
import type { Readable } from 'node:stream'
import { AttemptError } from '../common/errors.ts'
import { formatBytes } from '../common/units.ts'
import { statusError, type HttpResponse } from '../net/http-client.ts'
import type { Download } from './download.ts'
import { discard, drain } from './bodies.ts'
import { expectedDigest, fromRecord } from './checksums.ts'
import type { TransferContext } from './context.ts'
import { canKeepParts, resetState, type FileState } from './file-state.ts'
import { addExtraRange, fetchMissing, fetchParts, pump, splitWays } from './ranges.ts'
import { checkResponse, htmlInstead, rangeHeader, ResponseMismatch } from './response-check.ts'
import { closeFd, openFd, startFromZero } from './temp-file.ts'

/**
 * One request for the file: a fresh GET, or `Range: bytes=N-` with `If-Range` when a previous
 * attempt left a verified-so-far prefix. Streams the body into the temporary file and the hash.
 * For a large file on a server that takes ranges, streams only the first part and returns the
 * other parts, which it starts fetching at once, concurrently (see {@link fetchParts}).
 */
export async function attempt(
  d: Readonly<Download>,
  state: FileState,
  ctx: TransferContext,
  answered?: HttpResponse,
): Promise<{ split?: true }> {
  if (state.resumeParts && !answered) return fetchMissing(state, ctx)
  const resuming =
    !state.restartedWhole &&
    state.contiguousBytes > 0 &&
    state.validator !== undefined &&
    (state.runningHash !== undefined || state.expectedDigest === undefined)
  const asked = resuming ? { start: state.contiguousBytes } : undefined
  const headers: Record<string, string> = {}
  if (asked) {
    headers['range'] = rangeHeader(asked)
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
    const html = htmlInstead(res.status, res.headers, d.dest)
    if (html) {
      discard(res.body)
      throw new AttemptError('http', html, { status: 200 })
    }
    const validator = res.headers['etag'] || res.headers['last-modified']
    // Nothing is written before the response is known to answer the request.
    const placed = checkResponse({
      asked,
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
      offset = state.contiguousBytes
      state.expectedSize = placed.fileSize
    } else {
      // 200: a whole body, whether or not we asked for a range (changed file or no range support).
      resetState(state)
      state.expectedSize = placed.length
    }
    state.validator = validator
    await setExpected(d, state, res.headers, ctx)
    checkMaxSize(state.expectedSize, ctx.maxSize)
    if (offset === 0) startFromZero(state, ctx)
    // 'w' truncates a leftover temporary of a killed run: it is reused, never trusted.
    fd ??= openFd(state.temp, offset === 0 ? 'w' : 'r+')
    const fdReady = fd
    fd = undefined // streamTo owns and closes it from here

    const rangesOk = res.headers['accept-ranges'] === 'bytes' && validator !== undefined
    if (!rangesOk) state.validator = undefined // without both, a resume cannot be trusted
    const total = state.expectedSize
    // A large file from a server that takes ranges: idle slots may take parts of it, when its
    // answer comes (the parts below) or later (see takeTails).
    const large =
      rangesOk &&
      !state.singleStream &&
      !state.restartedWhole &&
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
      addExtraRange(state, fetchParts(state, parts, ctx, rangeSignal))
      state.rangeCount = parts.length + 1
    }
    try {
      await streamTo(res.body, fdReady, state, ctx, offset, limit, rangeSignal)
    } catch (err) {
      stop?.abort(err)
      await Promise.allSettled(state.extraRanges.splice(0))
      // The ranges' bytes stay when the whole can be verified: the retry fetches what is
      // missing. Else it resumes this stream whole.
      if (ways > 1 && canKeepParts(state)) state.resumeParts = true
      else state.rangeCount = 1
      throw err
    }
    // Ranges bring the rest (each checks its own length).
    if (state.extraRanges.length > 0) return { split: true }
    if (state.expectedSize !== undefined && state.contiguousBytes < state.expectedSize) {
      throw new AttemptError(
        'network',
        `body ended after ${formatBytes(state.contiguousBytes)} of ${formatBytes(state.expectedSize)}`,
      )
    }
    state.expectedSize ??= state.contiguousBytes
    return {}
  } finally {
    if (fd) await fd.then(closeFd, () => undefined)
  }
}

async function setExpected(
  d: Readonly<Download>,
  state: FileState,
  headers: Record<string, string>,
  ctx: TransferContext,
): Promise<void> {
  if (!ctx.verify) return
  const expected = expectedDigest(d.checksums, headers)
  if (expected) state.expectedDigest = expected
  // The chain's last source, once per file: a retry keeps what the record said.
  else if (!state.expectedDigest && ctx.recordedChecksums)
    state.expectedDigest = await fromRecord(d, ctx.recordedChecksums, ctx.signal)
}

function checkMaxSize(size: number | undefined, max: number | undefined): void {
  if (max !== undefined && size !== undefined && size > max) {
    throw new AttemptError(
      'size',
      `the file is ${formatBytes(size)}, larger than max-size (${formatBytes(max)})`,
    )
  }
}

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
      state.contiguousBytes += n
      state.runningHash?.advance(state.contiguousBytes, chunks)
    },
  })
}
