// The one reader of a whole response body (an error page, a listing, a token answer): the
// server decides how long it is and how slowly it comes, so every read has a size and a time
// bound, and a connection that broke one is dropped.
import type { Readable } from 'node:stream'
import { AttemptError } from '../common/errors.ts'
import { formatBytes } from '../common/units.ts'

/** What one body may cost. */
export interface BodyLimits {
  /** Bytes; beyond them the body is cut or refused. */
  maxBytes: number
  /** Milliseconds from the first byte of the body to the last; bytes that trickle in forever keep the idle timeout from firing. */
  maxMs: number
}

/**
 * What to do at a limit: `'cut'` keeps what arrived by then (an error body is a courtesy; the
 * status is what counts), `refuse` fails naming the body (`the listing of libs/x`): the same
 * server would send the same endless answer, so it is not retried.
 */
export type OverLimit = 'cut' | { refuse: string }

/**
 * Reads `body` within `limits`. `declared` is the Content-Length, when there is one: a body
 * refused by it is never read, and one buffer is filled in place instead of chunks, their
 * concatenation and the text being alive at once (three copies of a listing can be 300 MiB).
 */
export async function readBody(
  body: Readable,
  limits: BodyLimits,
  over: OverLimit,
  declared?: number,
): Promise<Buffer> {
  const known = declared !== undefined && Number.isFinite(declared) && declared > 0
  if (over !== 'cut' && known && declared > limits.maxBytes) {
    drop(body)
    throw tooLarge(over.refuse, limits)
  }
  const whole = known && declared <= limits.maxBytes ? Buffer.allocUnsafe(declared) : undefined
  const chunks: Buffer[] = []
  let size = 0
  let late = false
  const timer = setTimeout(() => {
    late = true
    if (over === 'cut') drop(body)
    else
      body.destroy(
        new AttemptError(
          'size',
          `${over.refuse} took longer than ${limits.maxMs / 1000} s; refused`,
        ),
      )
  }, limits.maxMs)
  try {
    for await (const data of body) {
      const chunk = data as Buffer
      size += chunk.length
      if (size > limits.maxBytes) {
        drop(body)
        if (over !== 'cut') throw tooLarge(over.refuse, limits)
        chunks.push(chunk)
        break
      }
      if (!whole) chunks.push(chunk)
      else if (size <= whole.length) chunk.copy(whole, size - chunk.length)
      else {
        // undici refuses this itself; said here too, so no byte lands outside the buffer.
        drop(body)
        const what = over === 'cut' ? 'the body' : over.refuse
        throw new AttemptError('network', `${what} was longer than its Content-Length`)
      }
    }
  } catch (error) {
    if (!(late && over === 'cut')) throw error
  } finally {
    clearTimeout(timer)
  }
  if (whole) return whole.subarray(0, size)
  return Buffer.concat(chunks).subarray(0, Math.min(size, limits.maxBytes))
}

/** How long an error body may take in all: the idle timeout alone lets a server that drips a byte now and then hold an attempt for days. */
const ERROR_BODY_MAX_MS = 10_000

/**
 * At most `limit` bytes of a body as text, within `maxMs` in all, then the connection is
 * dropped: an error body may never end. Returns what arrived by then.
 */
export async function readText(
  body: Readable,
  limit = 1024 * 1024,
  maxMs = ERROR_BODY_MAX_MS,
): Promise<string> {
  return (await readBody(body, { maxBytes: limit, maxMs }, 'cut')).toString('utf8')
}

/** Drops the connection; undici's body emits an error on destroy, which must find a listener. */
function drop(body: Readable): void {
  body.on('error', () => undefined)
  body.destroy()
}

function tooLarge(what: string, limits: BodyLimits): AttemptError {
  return new AttemptError('size', `${what} exceeded ${formatBytes(limits.maxBytes)}; refused`)
}
