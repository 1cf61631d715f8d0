import { setTimeout } from 'node:timers/promises'
import * as core from '@actions/core'
import { exchangeOidc } from '../artifactory/oidc.ts'
import { attemptsOf, messageOf } from '../common/errors.ts'
import { formatDuration } from '../common/units.ts'
import type { Redact } from '../common/redact.ts'
import { serverText } from '../common/server-text.ts'
import type { HttpClient } from '../net/http-client.ts'
import { retryPolicy, withRetries } from '../net/retry.ts'
import type { Settings } from '../input/settings.ts'
import { retryText } from '../plan/retrying.ts'
import type { Runner } from './runner.ts'

/** Gets the job's ID token and exchanges it for a JFrog access token; nothing downloads before. */
export async function oidcToken(
  settings: Settings,
  http: HttpClient,
  runner: Pick<Runner, 'redact' | 'addSecret' | 'signal' | 'say'>,
): Promise<string> {
  const { redact, addSecret, signal, say: onRetry } = runner
  if (settings.auth.kind !== 'oidc') throw new Error('unreachable')
  if (!settings.url)
    throw new Error("OIDC needs input 'url' (the JFrog Platform to exchange the token with)")
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    throw new Error(
      "OIDC: this job cannot request an ID token: add 'permissions: id-token: write' to the workflow or job (ACTIONS_ID_TOKEN_REQUEST_URL is not set)",
    )
  }
  const { provider, audience } = settings.auth
  let idToken: string
  try {
    idToken = await withDeadline(core.getIDToken(audience || undefined), settings.timeoutMs, signal)
  } catch (error) {
    if (signal.aborted) throw error
    throw new Error(
      `OIDC: could not get the job's ID token: ${oneLine(messageOf(error), redact)}`,
      {
        cause: error,
      },
    )
  }
  addSecret(idToken)
  const policy = retryPolicy(settings.retries, settings.retryDelayMs)
  const token = await withRetries(
    exchangeOidc.bind(undefined, http, settings.url, idToken, provider, signal),
    {
      what: 'OIDC token exchange',
      policy,
      signal,
      onRetry: (r) => onRetry(retryText('the OIDC token exchange', r)),
    },
  ).catch((error: unknown) => {
    // The step's failure message is this error's only report: the count is said here, once.
    const n = attemptsOf(error) ?? 1
    throw n > 1 ? new Error(`${messageOf(error)} after ${n} attempts`, { cause: error }) : error
  })
  addSecret(token.accessToken)
  // The user name is the server's word: one defused line, in the log and the output alike.
  const user = token.username ? redact(serverText(token.username, 200)) : undefined
  core.info(
    `OIDC: exchanged the job's ID token with provider '${provider}'${user ? ` for user '${user}'` : ''}`,
  )
  if (user) core.setOutput('oidc-user', user)
  return token.accessToken
}

/** Longest server text quoted in the failure (an HTML error page is not worth more). */
const MAX_QUOTED = 300

/**
 * `@actions/core`'s error on one line: it spreads the status and the server's text over
 * several, and a server's text must never start a log line.
 */
function oneLine(text: string, redact: Redact): string {
  // Redacted before it is cut: a secret cut in two cannot be found any more.
  const flat = redact(text).replace(/\s+/g, ' ').trim()
  return flat.length > MAX_QUOTED ? `${flat.slice(0, MAX_QUOTED)}…` : flat
}

/**
 * `@actions/core` gives its ID-token request neither an abort signal nor a timeout shorter than
 * its 3-minute socket idle limit: the `timeout` input bounds the wait, and cancellation ends it.
 */
async function withDeadline<T>(work: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  const stop = new AbortController()
  const deadline = setTimeout(ms, undefined, {
    signal: AbortSignal.any([signal, stop.signal]),
  }).then(
    () => {
      throw new Error(`no answer within ${formatDuration(ms)}`)
    },
    () => {
      // Aborted: by the run (its reason is the error) or because the work settled first.
      if (signal.aborted) throw signal.reason
    },
  )
  try {
    return await Promise.race([work, deadline as Promise<never>])
  } finally {
    stop.abort()
  }
}
