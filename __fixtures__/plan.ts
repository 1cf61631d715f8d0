// The plan as the plan-level tests resolve it: against a local server, with no retry delays.
import type { HttpClient } from '../src/net/http-client.ts'
import { retryPolicy } from '../src/net/retry.ts'
import { resolvePlan, type ResolveOptions, type Resolved } from '../src/plan/resolve.ts'

/**
 * Resolves the plan of `settings` over `http`: no retries, no waits, two requests at once and no
 * cancellation, unless `extra` says otherwise.
 */
export function resolveQuietly(
  settings: ResolveOptions['settings'],
  http: HttpClient,
  extra: Partial<Omit<ResolveOptions, 'settings' | 'http'>> = {},
): Promise<Resolved> {
  return resolvePlan({
    settings,
    http,
    policy: retryPolicy(0, 0),
    sleep: async () => undefined,
    signal: new AbortController().signal,
    onRetry: () => undefined,
    concurrency: 2,
    ...extra,
  })
}
