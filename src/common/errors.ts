/** An input the user got wrong; the message names the input and the value. */
export class InputError extends Error {
  override name = 'InputError'
}

/** The plan cannot be carried out (two sources writing one file, a path outside `target`). */
export class PlanError extends Error {
  override name = 'PlanError'
}

/** Why an attempt failed; decides, with the retry policy, whether another attempt may help. */
export type FailureKind =
  | 'http' // the server answered with an error status
  | 'network' // reset, refused, DNS, timeout, truncated body
  | 'checksum' // the body arrived whole but its digest is wrong
  | 'size' // larger than max-size
  | 'disk' // writing locally failed: retrying would not help
  | 'unsafe' // a redirect or a path the action refuses to follow
  | 'tls' // a certificate was refused (either side's): the same on every attempt
  | 'cancelled'

/** A failed attempt, with what the retry policy needs to know about it. */
export class AttemptError extends Error {
  override name = 'AttemptError'
  readonly kind: FailureKind
  readonly status?: number
  /** From `Retry-After`, when the server said when to come back. */
  readonly retryAfterMs?: number
  /** Attempts made before giving up, set by the retry loop: reports say the count once, from here. */
  readonly attempts?: number

  constructor(
    kind: FailureKind,
    message: string,
    extra: { status?: number; retryAfterMs?: number; attempts?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause })
    this.kind = kind
    this.status = extra.status
    this.retryAfterMs = extra.retryAfterMs
    this.attempts = extra.attempts
  }
}

/** A message for any thrown value, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/** The attempts a failure took, when a retry loop counted them (`withRetries` sets it). */
export function attemptsOf(error: unknown): number | undefined {
  return error instanceof AttemptError ? error.attempts : undefined
}

/**
 * An error and its causes, outermost first: the one walk of a cause chain. Bounded, because
 * undici nests a few levels at most and a chain may loop.
 */
export function* causeChain(error: unknown, depth = 4): Generator<object> {
  let e: unknown = error
  for (let i = 0; i < depth && e && typeof e === 'object'; i++) {
    yield e
    e = (e as { cause?: unknown }).cause
  }
}

/** The first string `code` in an error's cause chain (ENOSPC, UND_ERR_SOCKET...). */
export function errorCode(error: unknown): string | undefined {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}
