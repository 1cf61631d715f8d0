import { AttemptError } from '../common/errors.ts'
import { formatBytes } from '../common/units.ts'
import type { HttpResponse } from '../net/http-client.ts'

/** What one JSON answer may cost: the server decides how long it is and how slowly it comes. */
export interface BodyLimits {
  /** Bytes; beyond them the answer is refused (a listing that never ends). */
  maxBytes: number
  /** Milliseconds from the first byte of the body to the last; bytes that trickle in forever keep the idle timeout from firing. */
  maxMs: number
}

/**
 * Bounds of a listing or AQL answer. 256 MiB holds about a million listed files (a deep
 * listing spends ~250 bytes per file); 10 minutes is far beyond any listing that ends.
 */
export const LISTING_LIMITS: BodyLimits = { maxBytes: 256 * 1024 * 1024, maxMs: 10 * 60_000 }

/** Bounds of a small answer (the OIDC token exchange). */
export const SMALL_LIMITS: BodyLimits = { maxBytes: 1024 * 1024, maxMs: 60_000 }

/**
 * Reads a JSON body within `limits`; `what` names it in the error (`the listing of libs/x`).
 * Exceeding a limit is not retried: the same server would send the same endless answer.
 */
export async function readJson<T>(
  res: HttpResponse,
  what: string,
  limits: BodyLimits = LISTING_LIMITS,
): Promise<T> {
  const text = (await readBounded(res, what, limits)).toString('utf8')
  try {
    return JSON.parse(text) as T
  } catch {
    throw new AttemptError('http', `the server sent invalid JSON (HTTP ${res.status})`, {
      status: res.status,
    })
  }
}

/** The whole body, or an error naming `what` and the bound it broke. */
async function readBounded(res: HttpResponse, what: string, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(res.headers['content-length'])
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    discard(res)
    throw tooLarge(what, limits)
  }
  // With a length, one buffer filled in place: chunks, their concatenation and the text
  // would otherwise be alive at once (three copies of a listing that can be 100 MiB).
  const whole = Number.isFinite(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : undefined
  const chunks: Buffer[] = []
  let size = 0
  const timer = setTimeout(
    () =>
      res.body.destroy(
        new AttemptError('size', `${what} took longer than ${limits.maxMs / 1000} s; refused`),
      ),
    limits.maxMs,
  )
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length
      if (size > limits.maxBytes) {
        discard(res)
        throw tooLarge(what, limits)
      }
      if (!whole) chunks.push(chunk as Buffer)
      else if (size <= whole.length) (chunk as Buffer).copy(whole, size - (chunk as Buffer).length)
      else {
        // undici refuses this itself; said here too, so no byte lands outside the buffer.
        discard(res)
        throw new AttemptError('network', `${what} was longer than its Content-Length`)
      }
    }
  } finally {
    clearTimeout(timer)
  }
  return whole ? whole.subarray(0, size) : Buffer.concat(chunks, size)
}

/** Drops the connection; undici's body emits an error on destroy, which must find a listener. */
function discard(res: HttpResponse): void {
  res.body.on('error', () => undefined)
  res.body.destroy()
}

function tooLarge(what: string, limits: BodyLimits): AttemptError {
  return new AttemptError('size', `${what} exceeded ${formatBytes(limits.maxBytes)}; refused`)
}

/** A size as the server wrote it: a number, or a string of digits in some versions. */
export function toSize(value: number | string | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  return undefined
}
