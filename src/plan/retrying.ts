// The plan's requests (listings, AQL searches, build lookups) under the retry policy, each
// retry said in one log line that names the request and what it was for.
import { withRetries, type RetryEvent, type RetryPolicy, type Sleep } from '../net/retry.ts'

/** What retrying a plan request needs. */
export interface PlanRetryOptions {
  policy: RetryPolicy
  /** Defaults to Node's abortable timer; tests pass one with no delay. */
  sleep?: Sleep
  signal: AbortSignal
  onRetry: (line: string) => void
}

/** Runs a request under the retry policy, saying each retry in one line. */
export type Retrying = <T>(what: string, fn: () => Promise<T>) => Promise<T>

/**
 * Retries under `o`'s policy, each retry one line naming the request and `subject`
 * ("retry 1/3 for listing of libs/a in 0.5 s: HTTP 503 …").
 */
export function retrying(o: PlanRetryOptions, subject: string): Retrying {
  return (what, fn) =>
    withRetries(fn, {
      what,
      policy: o.policy,
      sleep: o.sleep,
      signal: o.signal,
      onRetry: (r) => o.onRetry(retryText(`${what} of ${subject}`, r)),
    })
}

/**
 * A retry of a request as one log line ("retry 1/3 for listing of libs/a in 0.5 s: HTTP 503 …"):
 * the plan's requests and the OIDC exchange say their retries alike.
 */
export function retryText(what: string, r: RetryEvent): string {
  return `retry ${r.retry}/${r.retries} for ${what} in ${(r.delayMs / 1000).toFixed(1)} s: ${r.error.message}`
}
