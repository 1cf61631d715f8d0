import { createHash, type Hash } from 'node:crypto'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { Writable, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AttemptError } from './errors.ts'
import { statusError, type HttpClient } from './http.ts'
import type { Checksums, Download } from './plan.ts'
import { classify, isRetryable, retryDelay, type RetryPolicy } from './retry.ts'
import { formatBytes } from './units.ts'

/** The digest algorithms we verify with, strongest first. ETag is never one of them. */
export type Algorithm = 'sha256' | 'sha1' | 'md5'
const ALGORITHMS: Algorithm[] = ['sha256', 'sha1', 'md5']

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
  /** Absolute target: nothing is written outside it, even through symlinks. */
  target: string
  /** Runs once the file is in place (archive extraction); returns the files it leaves. */
  postProcess?: (file: string) => Promise<string[]>
  signal: AbortSignal
  /** Runs one request (and its body) in a slot of the shared queue; higher priority first. */
  schedule: <T>(fn: () => Promise<T>, priority: number) => Promise<T>
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  onRetry: (info: RetryInfo) => void
  /** Body bytes as they arrive, for progress. */
  onBytes: (n: number) => void
  /** The server pushed back (429/503), or a request went through: feeds adaptive concurrency. */
  onPushback: (pushedBack: boolean) => void
}

/** What survives between the attempts of one file, so a retry can resume. */
interface FileState {
  temp: string
  /** Bytes of the body already in the temp file and in `hash`. */
  received: number
  hash?: Hash
  validator?: string
  total?: number
  expected?: { algorithm: Algorithm; digest: string }
  /** Bytes received over the network for this file, all attempts. */
  bytes: number
  noSplit: boolean
  ranges: number
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
    temp: tempPathFor(d.dest),
    received: 0,
    bytes: 0,
    noSplit: false,
    ranges: 1,
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
    // Inside a slot: 20,000 files must not mean 20,000 concurrent file-system calls.
    const current = await ctx.schedule(async () => {
      await ensureFolderInside(ctx.target, path.dirname(d.dest), ctx.dryRun)
      return ctx.skipExisting ? checkExisting(d, ctx) : undefined
    }, 0)
    if (current) {
      attempts = current.requested ? 1 : 0
      return result('up-to-date', { size: current.size, verified: current.algorithm })
    }
    if (ctx.dryRun) return result('planned', { size: d.size })
    for (;;) {
      attempts++
      try {
        const done = await ctx.schedule(() => attempt(d, state, ctx), attempts)
        if (done.split) await splitRest(d, state, done.split, ctx)
        const verified = await verifyAndPlace(d, state, ctx)
        const files = ctx.postProcess ? await ctx.postProcess(d.dest) : undefined
        return result('downloaded', { size: state.total ?? state.received, verified, files })
      } catch (err) {
        const error = classify(err)
        if (ctx.signal.aborted) throw error
        if (error.kind === 'http' && (error.status === 429 || error.status === 503))
          ctx.onPushback(true)
        const retry = attempts
        if (!isRetryable(error) || retry > ctx.policy.retries) throw error
        const delayMs = retryDelay(error, retry, ctx.policy)
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
    await removeQuietly(state.temp)
    if (ctx.signal.aborted) return result('cancelled', { error: 'cancelled before it finished' })
    const error = classify(err)
    const tries = attempts > 1 ? ` after ${attempts} attempts` : ''
    return result('failed', { error: `${error.message}${tries}` })
  }
}

/** Creates the destination's folder and refuses one that leads outside `target` through a symlink. */
async function ensureFolderInside(target: string, folder: string, dryRun: boolean): Promise<void> {
  if (!dryRun) await fsp.mkdir(folder, { recursive: true })
  let real: string
  try {
    real = await fsp.realpath(folder)
  } catch {
    return // dry run and the folder does not exist yet: nothing to follow
  }
  const realTarget = await fsp.realpath(target).catch(() => target)
  const rel = path.relative(realTarget, real)
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new AttemptError(
      'unsafe',
      `refused: ${folder} leads outside 'target' through a symbolic link (to ${real})`,
    )
  }
}

interface Existing {
  size: number
  algorithm?: Algorithm
  requested: boolean
}

/**
 * Whether the destination already holds the right bytes. Known checksums (from a listing)
 * decide without a request; otherwise one conditional request asks the server: Artifactory's
 * ETag is the SHA-1, so `If-None-Match` with the local SHA-1 earns a 304, and any server's
 * checksum headers are compared too. Size and name alone never decide.
 */
async function checkExisting(d: Download, ctx: TransferContext): Promise<Existing | undefined> {
  const stat = await fsp.lstat(d.dest).catch(() => undefined)
  // A symlink is not trusted as "the file": renaming over it replaces the link, not its target.
  if (!stat?.isFile()) return undefined
  const local = await hashFile(d.dest)
  const planned = strongest(d.checksums)
  if (planned) {
    return local[planned.algorithm] === planned.digest
      ? { size: stat.size, algorithm: planned.algorithm, requested: false }
      : undefined
  }
  const res = await ctx.http.request(d.url, {
    method: 'HEAD',
    headers: { 'if-none-match': `"${local.sha1}"` },
    signal: ctx.signal,
  })
  res.body.resume()
  if (res.status === 304) return { size: stat.size, algorithm: 'sha1', requested: true }
  if (res.status >= 400) return undefined // the download will report it properly
  const remote = strongest(headerChecksums(res.headers))
  if (remote && local[remote.algorithm] === remote.digest) {
    return { size: stat.size, algorithm: remote.algorithm, requested: true }
  }
  return undefined
}

async function hashFile(file: string): Promise<Record<Algorithm, string>> {
  const hashes = { sha256: createHash('sha256'), sha1: createHash('sha1'), md5: createHash('md5') }
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hashes.sha256.update(chunk as Buffer)
    hashes.sha1.update(chunk as Buffer)
    hashes.md5.update(chunk as Buffer)
  }
  return {
    sha256: hashes.sha256.digest('hex'),
    sha1: hashes.sha1.digest('hex'),
    md5: hashes.md5.digest('hex'),
  }
}

/** The strongest checksum among those known. */
export function strongest(
  checksums: Checksums,
): { algorithm: Algorithm; digest: string } | undefined {
  for (const algorithm of ALGORITHMS) {
    const digest = checksums[algorithm]
    if (digest) return { algorithm, digest: digest.toLowerCase() }
  }
  return undefined
}

/** Artifactory's X-Checksum-* headers (any server may send them). */
export function headerChecksums(headers: Record<string, string>): Checksums {
  const valid = (value: string | undefined, length: number): string | undefined =>
    value && new RegExp(`^[0-9a-fA-F]{${length}}$`).test(value.trim())
      ? value.trim().toLowerCase()
      : undefined
  return {
    sha256: valid(headers['x-checksum-sha256'], 64),
    sha1: valid(headers['x-checksum-sha1'], 40),
    md5: valid(headers['x-checksum-md5'], 32),
  }
}

interface SplitPlan {
  /** Byte ranges still to fetch, [start, end] inclusive, in file order. */
  parts: [number, number][]
}

/**
 * One request for the file: a fresh GET, or `Range: bytes=N-` with `If-Range` when a previous
 * attempt left a verified-so-far prefix. Streams the body into the temporary file and the hash.
 * For a large file on a server that takes ranges, streams only the first part and returns the
 * other parts, which are fetched concurrently by {@link splitRest}.
 */
async function attempt(
  d: Download,
  state: FileState,
  ctx: TransferContext,
): Promise<{ split?: SplitPlan }> {
  const resuming = state.received > 0 && state.validator !== undefined && state.hash !== undefined
  const headers: Record<string, string> = {}
  if (resuming) {
    headers['range'] = `bytes=${state.received}-`
    headers['if-range'] = state.validator as string
  }
  const res = await ctx.http.request(d.url, { headers, signal: ctx.signal })
  if (res.status === 416 && resuming) {
    // The file shrank or changed: start again from zero, in this same attempt.
    res.body.resume()
    resetState(state)
    return attempt(d, state, ctx)
  }
  if (res.status !== 200 && res.status !== 206) {
    throw await statusError(res, '')
  }
  ctx.onPushback(false)
  const validator = res.headers['etag'] || res.headers['last-modified']
  let offset = 0
  if (res.status === 206 && resuming) {
    const range = parseContentRange(res.headers['content-range'])
    if (!range || range.start !== state.received || (validator && validator !== state.validator)) {
      res.body.destroy()
      resetState(state)
      throw new AttemptError(
        'network',
        'the server answered the resumed request with a different range or version; restarting',
      )
    }
    offset = state.received
    state.total = range.total
  } else {
    // 200: a whole body, whether or not we asked for a range (changed file or no range support).
    resetState(state)
    state.total = contentLength(res.headers)
  }
  state.validator = validator
  setExpected(d, state, res.headers, ctx)
  checkMaxSize(state.total, ctx.maxSize)

  const rangesOk = res.headers['accept-ranges'] === 'bytes' && validator !== undefined
  const total = state.total
  if (
    offset === 0 &&
    !state.noSplit &&
    rangesOk &&
    ctx.split > 1 &&
    total !== undefined &&
    total >= ctx.splitMinSize
  ) {
    // Large file, server takes ranges: this request keeps streaming part 1 while the
    // other parts are requested in parallel (a per-connection cap no longer caps the file).
    const partSize = Math.ceil(total / ctx.split)
    const parts: [number, number][] = []
    for (let start = partSize; start < total; start += partSize)
      parts.push([start, Math.min(total, start + partSize) - 1])
    await prepareTemp(state, 0)
    await streamTo(res.body, state, ctx, 0, partSize)
    state.ranges = parts.length + 1
    return { split: { parts } }
  }

  if (!rangesOk) state.validator = undefined // without both, a resume cannot be trusted
  await prepareTemp(state, offset)
  await streamTo(res.body, state, ctx, offset, undefined)
  if (state.total !== undefined && state.received < state.total) {
    throw new AttemptError(
      'network',
      `body ended after ${formatBytes(state.received)} of ${formatBytes(state.total)}`,
    )
  }
  state.total ??= state.received
  return {}
}

/** Fetches the remaining parts of a split file concurrently, then hashes them in file order. */
async function splitRest(
  d: Download,
  state: FileState,
  split: SplitPlan,
  ctx: TransferContext,
): Promise<void> {
  const validator = state.validator as string
  try {
    await Promise.all(
      split.parts.map(([start, end]) =>
        ctx.schedule(async () => {
          const res = await ctx.http.request(d.url, {
            headers: { range: `bytes=${start}-${end}`, 'if-range': validator },
            signal: ctx.signal,
          })
          if (res.status !== 206) {
            if (res.status === 200) {
              res.body.destroy()
              throw new AttemptError(
                'network',
                'the file changed on the server during the download',
              )
            }
            throw await statusError(res, '')
          }
          const range = parseContentRange(res.headers['content-range'])
          if (!range || range.start !== start || range.end !== end) {
            res.body.destroy()
            throw new AttemptError(
              'network',
              `the server answered range ${start}-${end} with ${res.headers['content-range'] ?? 'no Content-Range'}`,
            )
          }
          await streamPart(res.body, state, ctx, start, end - start + 1)
        }, 1_000),
      ),
    )
  } catch (err) {
    // Parts are not resumed one by one: the next attempt streams the file whole.
    resetState(state)
    state.noSplit = true
    state.ranges = 1
    throw err
  }
  // The parts arrived out of order, so their bytes are hashed now, from the page cache.
  const hash = state.hash as Hash
  const first = split.parts[0][0]
  for await (const chunk of fs.createReadStream(state.temp, {
    start: first,
    highWaterMark: 1024 * 1024,
  })) {
    hash.update(chunk as Buffer)
  }
  state.received = state.total as number
}

function setExpected(
  d: Download,
  state: FileState,
  headers: Record<string, string>,
  ctx: TransferContext,
): void {
  if (!ctx.verify) return
  const expected = strongest(d.checksums) ?? strongest(headerChecksums(headers))
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
  state.received = 0
  state.hash = undefined
  state.validator = undefined
  state.total = undefined
}

async function prepareTemp(state: FileState, offset: number): Promise<void> {
  if (offset === 0) {
    state.received = 0
    state.hash = createHash(state.expected?.algorithm ?? 'sha256')
    // 'w' truncates a leftover temporary of a killed run: it is reused, never trusted.
    await (await fsp.open(state.temp, 'w')).close()
  }
}

/**
 * Streams a body into the temporary file at `offset`, hashing every byte in the same pass.
 * With `limit`, stops after that many bytes and drops the connection (the rest of the file
 * comes from range requests).
 */
async function streamTo(
  body: Readable,
  state: FileState,
  ctx: TransferContext,
  offset: number,
  limit: number | undefined,
): Promise<void> {
  const handle = await fsp.open(state.temp, 'r+')
  const writer = new FileWriter(
    handle.fd,
    offset,
    limit,
    (chunks, n) => {
      for (const c of chunks) state.hash?.update(c)
      state.received += n
      state.bytes += n
      ctx.onBytes(n)
    },
    ctx.maxSize,
  )
  try {
    await pipeline(body, writer, { signal: ctx.signal })
  } catch (err) {
    if (!(err instanceof LimitReached)) throw err
  } finally {
    await handle.close()
  }
  if (
    limit !== undefined &&
    writer.written < limit &&
    (state.total === undefined || writer.written < Math.min(limit, state.total))
  ) {
    throw new AttemptError(
      'network',
      `body ended after ${formatBytes(writer.written)} of the first ${formatBytes(limit)}`,
    )
  }
}

/** Streams one range of a split file to its place in the temporary file (hashed later, in order). */
async function streamPart(
  body: Readable,
  state: FileState,
  ctx: TransferContext,
  start: number,
  length: number,
): Promise<void> {
  const handle = await fsp.open(state.temp, 'r+')
  const writer = new FileWriter(
    handle.fd,
    start,
    length,
    (_chunks, n) => {
      state.bytes += n
      ctx.onBytes(n)
    },
    undefined,
  )
  try {
    await pipeline(body, writer, { signal: ctx.signal })
  } catch (err) {
    if (!(err instanceof LimitReached)) throw err
  } finally {
    await handle.close()
  }
  if (writer.written < length) {
    throw new AttemptError(
      'network',
      `range at ${start} ended after ${formatBytes(writer.written)} of ${formatBytes(length)}`,
    )
  }
}

/**
 * A Writable over a file descriptor that writes at explicit positions with `writev`, so
 * buffered chunks go to the kernel in one call, and reports each batch once it is on disk
 * (the hash never covers bytes the file does not have).
 */
class FileWriter extends Writable {
  written = 0
  private position: number
  private readonly fd: number
  private readonly limit?: number
  private readonly maxSize?: number
  private readonly onWritten: (chunks: Buffer[], n: number) => void

  constructor(
    fd: number,
    position: number,
    limit: number | undefined,
    onWritten: (chunks: Buffer[], n: number) => void,
    maxSize: number | undefined,
  ) {
    super({ highWaterMark: 1024 * 1024 })
    this.fd = fd
    this.position = position
    this.limit = limit
    this.onWritten = onWritten
    this.maxSize = maxSize
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    let buffers = chunks.map((c) => c.chunk)
    let n = buffers.reduce((sum, b) => sum + b.length, 0)
    if (this.limit !== undefined && this.written + n > this.limit) {
      // Keep only the bytes of this part; the caller stops the stream after them.
      let keep = this.limit - this.written
      const kept: Buffer[] = []
      for (const b of buffers) {
        if (keep <= 0) break
        kept.push(b.length <= keep ? b : b.subarray(0, keep))
        keep -= b.length
      }
      buffers = kept
      n = this.limit - this.written
    }
    if (this.maxSize !== undefined && this.position + n > this.maxSize) {
      callback(
        new AttemptError(
          'size',
          `the file is larger than max-size (${formatBytes(this.maxSize)}); stopped at ${formatBytes(this.position)}`,
        ),
      )
      return
    }
    fs.writev(this.fd, buffers, this.position, (err) => {
      if (err) return callback(err)
      this.position += n
      this.written += n
      this.onWritten(buffers, n)
      if (this.limit !== undefined && this.written >= this.limit) {
        callback(new LimitReached())
        return
      }
      callback()
    })
  }

  override _write(
    chunk: Buffer,
    _encoding: string,
    callback: (error?: Error | null) => void,
  ): void {
    this._writev([{ chunk }], callback)
  }
}

class LimitReached extends Error {
  override name = 'LimitReached'
}

/** Compares the digest with the expected one, then renames the temporary into place. */
async function verifyAndPlace(
  d: Download,
  state: FileState,
  ctx: TransferContext,
): Promise<Algorithm | undefined> {
  let verified: Algorithm | undefined
  if (ctx.verify && state.expected) {
    const actual = (state.hash as Hash).digest('hex')
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
  try {
    await fsp.rename(state.temp, d.dest)
  } catch (err) {
    throw classify(err)
  }
  return verified
}

function contentLength(headers: Record<string, string>): number | undefined {
  const value = headers['content-length']
  return value && /^\d+$/.test(value) ? Number(value) : undefined
}

/** `bytes 100-199/1000` → { start: 100, end: 199, total: 1000 }. */
export function parseContentRange(
  value: string | undefined,
): { start: number; end: number; total?: number } | undefined {
  const m = value && /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim())
  if (!m) return undefined
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) }
}

async function removeQuietly(file: string): Promise<void> {
  await fsp.rm(file, { force: true }).catch(() => undefined)
}
