import * as core from '@actions/core'
import { exchangeOidc } from '../artifactory/oidc.ts'
import { withRetries } from '../net/retry.ts'
import { messageOf } from '../common/errors.ts'
import { serverText } from '../common/server-text.ts'
import type { HttpClient } from '../net/http-client.ts'
import { retryPolicy } from '../net/retry.ts'
import type { Settings } from '../plan/settings.ts'
import { abortableSleep } from '../engine/queue.ts'

/** Gets the job's ID token and exchanges it for a JFrog access token; nothing downloads before. */
export async function oidcToken(
  settings: Settings,
  http: HttpClient,
  addSecret: (s: string) => void,
  signal: AbortSignal,
  onRetry: (line: string) => void,
): Promise<string> {
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
    idToken = await core.getIDToken(audience || undefined)
  } catch (error) {
    throw new Error(`OIDC: could not get the job's ID token: ${messageOf(error)}`, {
      cause: error,
    })
  }
  addSecret(idToken)
  const policy = retryPolicy(settings.retries, settings.retryDelayMs)
  const token = await withRetries(
    'OIDC token exchange',
    () => exchangeOidc(http, settings.url as string, idToken, provider, signal),
    policy,
    abortableSleep,
    signal,
    (retry, delayMs, message) =>
      onRetry(
        `retry ${retry}/${policy.retries} for the OIDC token exchange in ${(delayMs / 1000).toFixed(1)} s: ${message}`,
      ),
  )
  addSecret(token.accessToken)
  // The user name is the server's word: one defused line, in the log and the output alike.
  const user = token.username ? serverText(token.username, 200) : undefined
  core.info(
    `OIDC: exchanged the job's ID token with provider '${provider}'${user ? ` for user '${user}'` : ''}`,
  )
  if (user) core.setOutput('oidc-user', user)
  return token.accessToken
}
