import { setTimeout } from 'node:timers/promises'
import { AttemptError, errorCode, messageOf } from '../common/errors.ts'
import { tlsFailure } from './tls-errors.ts'

/** When to try again. Timings are arguments so tests run with zero delay. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number
  /** Base of the exponential backoff. */
  baseDelayMs: number
  /** Cap of the exponential backoff (a server's Retry-After may ask for longer, up to {@link MAX_RETRY_AFTER_MS}). */
  maxDelayMs: number
  /** Source of jitter in [0, 1). */
  random: () => number
}

/** A server asking for more than this is not waited for longer: a step must end. */
const MAX_RETRY_AFTER_MS = 5 * 60_000

/** The policy the `retries` and `retry-delay` inputs describe. */
export function retryPolicy(
  retries: number,
  baseDelayMs: number,
  random = Math.random,
): RetryPolicy {
  return { retries, baseDelayMs, maxDelayMs: 30_000, random }
}

/** Statuses worth another attempt: the request may succeed later as it is. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/** Whether another attempt might succeed where this one failed. */
export function isRetryable(error: AttemptError): boolean {
  switch (error.kind) {
    case 'network':
    case 'checksum':
      return true
    case 'http':
      return error.status !== undefined && isRetryableStatus(error.status)
    default:
      return false
  }
}

/**
 * Connections the server refused or closed as they arrived: the way a front end with a
 * connection cap, or a listen backlog that is full, says "too many", like 429 and 503 say it.
 */
const PUSHBACK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'])

/** Whether a failure is the server pushing back: fewer requests at once would help. */
export function isPushback(error: AttemptError): boolean {
  if (error.kind === 'http') return error.status === 429 || error.status === 503
  return error.kind === 'network' && PUSHBACK_CODES.has(errorCode(error.cause) ?? '')
}

/**
 * Delay before retry number `retry` (1-based): the server's Retry-After when it gave one,
 * else exponential backoff with "equal jitter" (half fixed, half random), so synchronized
 * clients spread out while every wait still grows.
 */
export function retryDelay(error: AttemptError, retry: number, policy: RetryPolicy): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS)
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
  return Math.round(exp / 2 + (exp / 2) * policy.random())
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

const NETWORK_CODES: Record<string, string> = {
  ECONNRESET: 'connection reset by the server',
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed while sending',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers within the timeout',
  UND_ERR_BODY_TIMEOUT: 'no data received within the timeout',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'body shorter than its Content-Length',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'body shorter than its Content-Length',
  ERR_STREAM_PREMATURE_CLOSE: 'connection closed before the body ended',
}

/**
 * Local failures: retrying the download would write to the same full, read-only or missing
 * place again, so the file fails at once. ENOENT is local too: network failures never carry
 * it (DNS says ENOTFOUND), and an fs call gives it when the target folder vanished.
 */
const DISK_CODES = new Set([
  'ENOSPC',
  'EDQUOT',
  'EFBIG',
  'ENAMETOOLONG',
  'EACCES',
  'EPERM',
  'EROFS',
  'EBUSY',
  'ENOENT',
  'EISDIR',
  'ENOTDIR',
  'EEXIST',
  'EMFILE',
])

/** Turns whatever an attempt threw into an {@link AttemptError} the policy can judge. */
export function classify(error: unknown): AttemptError {
  if (error instanceof AttemptError) return error
  const tls = tlsFailure(error)
  if (tls) return tls
  const code = errorCode(error)
  if (code && DISK_CODES.has(code)) {
    return new AttemptError(
      'disk',
      `the file could not be written: ${diskMessage(code)} (${messageOf(error)})`,
      { cause: error },
    )
  }
  if (code && NETWORK_CODES[code]) {
    return new AttemptError('network', `${NETWORK_CODES[code]} (${code})`, { cause: error })
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new AttemptError('cancelled', 'cancelled', { cause: error })
  }
  return new AttemptError('network', messageOf(error) || 'network error', { cause: error })
}

/** Re-exported where the engine has always found it; the walk itself lives in common/. */
export { errorCode }

function diskMessage(code: string): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no space left on the disk'
    case 'EFBIG':
      return 'the file is larger than the file system or a limit (ulimit -f) allows'
    case 'ENAMETOOLONG':
      return 'the name is too long for the file system'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EROFS':
      return 'the file system is read-only'
    case 'ENOENT':
      return 'the target folder no longer exists'
    case 'EBUSY':
      return 'the file is in use by another program'
    default:
      return code
  }
}

/** What to check for a status that retrying will not fix. */
export function statusHint(status: number): string {
  switch (status) {
    case 401:
      return 'check the credentials (access-token, username/password, or OIDC)'
    case 403:
      return 'check that the user or token may read this repository'
    case 404:
      return 'check the repository name and the path'
    case 416:
      return 'the requested range is outside the file'
    default:
      return ''
  }
}

/** Waits `ms`; rejects at once when `signal` aborts. Tests pass one that does not wait. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>

/**
 * Node's abortable timer. It rejects with the signal's reason rather than Node's generic
 * AbortError, so a cancelled wait reports why the run was cancelled ("cancelled by SIGTERM").
 */
export const sleep: Sleep = (ms, signal) =>
  setTimeout(ms, undefined, { signal }).catch((error: unknown) => {
    throw signal.aborted ? signal.reason : error
  })

/** A retry, when it is decided (before its wait). */
export interface RetryEvent {
  /** The retry's number: 1 for the second attempt. */
  retry: number
  /** Retries the policy allows. */
  retries: number
  /** The wait before it. */
  delayMs: number
  /** Why the last attempt failed. */
  error: AttemptError
  /** Decided by {@link RetryOptions.override}: at once, whatever the policy says. */
  immediate?: boolean
}

/** How {@link withRetries} runs an operation. */
export interface RetryOptions {
  policy: RetryPolicy
  signal: AbortSignal
  /**
   * Names the operation in the final error ("listing: HTTP 503", with `attempts` set). Without it
   * the last attempt's error is thrown as it is (the caller words it, as the engine does).
   */
  what?: string
  /** Defaults to {@link sleep}; tests pass one with no delay. */
  sleep?: Sleep
  onRetry?: (event: RetryEvent) => void
  /** Sees every failure before the decision to retry (the engine lowers concurrency on push-back). */
  onError?: (error: AttemptError, attempt: number) => void
  /**
   * Overrides the policy for one failure: `'now'` retries at once (the engine restarts a file
   * whole after a response that did not answer its request), `'fail'` stops. Undefined leaves
   * the decision to the policy.
   */
  override?: (error: AttemptError) => 'now' | 'fail' | undefined
}

/**
 * Runs `fn` (given its 1-based attempt number) until it succeeds, fails for good, runs out of
 * retries, or the signal aborts. The one retry loop: listings, AQL, the OIDC exchange, and the
 * engine's per-file attempts (which add resuming and re-verifying inside `fn`).
 */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, signal, what } = options
  const wait = options.sleep ?? sleep
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (err) {
      const error = classify(err)
      options.onError?.(error, attempt)
      const retry = attempt
      const override = signal.aborted ? undefined : options.override?.(error)
      const exhausted = !isRetryable(error) || retry > policy.retries
      if (signal.aborted || override === 'fail' || (override !== 'now' && exhausted)) {
        if (what === undefined) throw error
        // The count goes on the error, not into its text: whoever reports it says it once.
        throw new AttemptError(error.kind, `${what}: ${error.message}`, {
          status: error.status,
          attempts: attempt,
        })
      }
      const immediate = override === 'now'
      const delayMs = immediate ? 0 : retryDelay(error, retry, policy)
      options.onRetry?.({
        retry,
        retries: policy.retries,
        delayMs,
        error,
        ...(immediate && { immediate }),
      })
      await wait(delayMs, signal)
    }
  }
}
