import { AttemptError } from '../common/errors.ts'

/**
 * The byte range a request asked for: `bytes=start-end`, or `bytes=start-` without `end`.
 * Undefined: the request had no `Range` header.
 */
export interface AskedRange {
  start: number
  end?: number
}

/** What a response must match before a byte of it is written. */
export interface ResponseCheckInput {
  asked: AskedRange | undefined
  /**
   * Whether a 200 (the whole body) is an acceptable answer to a ranged request: yes for a
   * resumed request (the caller starts over from byte 0), never for one part of a split file.
   */
  wholeAcceptable: boolean
  status: number
  headers: Record<string, string>
}

/** Where the response's bytes go: file offset of the first byte, and the file's size when known. */
export interface ResponsePlacement {
  ok: true
  /** File offset of the body's first byte. */
  start: number
  /** Bytes the body should carry, when the server said. */
  length?: number
  /** The size of the whole file, when the server said. */
  fileSize?: number
}

/** A response that does not answer its request: nothing of it may be written. */
export interface ResponseMismatchReason {
  ok: false
  /** The server's behaviour, for the message ("the server ignores Range requests: …"). */
  reason: string
}

/** `bytes=0-99` or `bytes=100-`, as sent. */
export function rangeHeader(range: AskedRange): string {
  return `bytes=${range.start}-${range.end ?? ''}`
}

/** `bytes 100-199/1000` → { start: 100, end: 199, total: 1000 }; `*` as total → no total. */
export function parseContentRange(
  value: string | undefined,
): { start: number; end: number; total?: number } | undefined {
  const m = value && /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim())
  if (!m) return undefined
  const range = {
    start: Number(m[1]),
    end: Number(m[2]),
    total: m[3] === '*' ? undefined : Number(m[3]),
  }
  if (range.end < range.start || (range.total !== undefined && range.end >= range.total))
    return undefined
  return range
}

/** A `Content-Length` that is a plain number, else undefined. */
function contentLength(headers: Record<string, string>): number | undefined {
  const value = headers['content-length']
  return value && /^\d+$/.test(value.trim()) ? Number(value) : undefined
}

/**
 * Checks a 200 or 206 response against the request it answers, before a byte is written:
 * the status against whether a range was asked, `Content-Range` against the range asked, and
 * `Content-Length` against the range. Pure: the caller decides what a mismatch costs.
 *
 * Why: a proxy or CDN that ignores `Range`, answers another range, or sends a 206 to a plain
 * request would otherwise have its bytes written at the wrong offset or kept as the whole file.
 */
export function checkResponse(
  input: ResponseCheckInput,
): ResponsePlacement | ResponseMismatchReason {
  const { asked, status, headers } = input
  const contentRange = headers['content-range']
  const length = contentLength(headers)
  if (status === 200) {
    if (asked && !input.wholeAcceptable) {
      return mismatch(`the server ignores Range requests: answered 200 to ${rangeHeader(asked)}`)
    }
    return { ok: true, start: 0, length, fileSize: length }
  }
  if (status !== 206) return mismatch(`the server answered ${status} where 200 or 206 was expected`)
  if (!asked) {
    return mismatch(
      `the server answered a request without Range with 206 (${contentRange ? contentRange : 'no Content-Range'})`,
    )
  }
  if (!contentRange)
    return mismatch(`the server answered ${rangeHeader(asked)} with 206 and no Content-Range`)
  const range = parseContentRange(contentRange)
  if (!range) {
    return mismatch(
      `the server answered ${rangeHeader(asked)} with 206 and an invalid Content-Range (${contentRange})`,
    )
  }
  const endOk =
    asked.end !== undefined
      ? range.end === asked.end
      : range.total !== undefined && range.end === range.total - 1
  if (range.start !== asked.start || !endOk) {
    return mismatch(
      `the server answered ${rangeHeader(asked)} with another range (${contentRange})`,
    )
  }
  const expected = range.end - range.start + 1
  if (length !== undefined && length !== expected) {
    return mismatch(
      `the server answered ${rangeHeader(asked)} with Content-Length ${length} for a range of ${expected} bytes (${contentRange})`,
    )
  }
  return { ok: true, start: range.start, length: expected, fileSize: range.total }
}

function mismatch(reason: string): ResponseMismatchReason {
  return { ok: false, reason }
}

/**
 * A response that did not answer its request. The file is restarted whole once (no ranges,
 * no resume); a second one fails the file with this message.
 */
export class ResponseMismatch extends AttemptError {
  constructor(reason: string) {
    super('network', reason)
  }
}

/**
 * Why a `200` is no answer for a file: an HTML page (a suspended SaaS instance's landing page,
 * a login form) sent for a file whose name is not HTML. Undefined when the answer may be it.
 */
export function htmlInstead(
  status: number,
  headers: Record<string, string>,
  dest: string,
): string | undefined {
  const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (status !== 200 || type !== 'text/html' || /\.(x?html?|xht)$/i.test(dest)) return undefined
  return 'the server answered with an HTML page (text/html) instead of the file: a landing or login page, not its bytes'
}
