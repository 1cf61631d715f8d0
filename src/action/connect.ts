import * as core from '@actions/core'
import { authHeaders } from '../artifactory/auth.ts'
import { credentialOrigins, credentialsLabel } from '../artifactory/credential-origins.ts'
import type { Settings } from '../input/settings.ts'
import { HttpClient } from '../net/http-client.ts'
import { tlsLines } from '../report/tls-lines.ts'
import type { Runner } from './runner.ts'

/**
 * The client every request of the run goes through, with the credentials it may send and to
 * which servers. With OIDC, the job's ID token is exchanged first, on a client that sends no
 * credentials, and the run's client carries the access token.
 */
export async function connect(settings: Settings, runner: Runner): Promise<HttpClient> {
  const credentials = credentialOrigins(settings.auth, settings.url, settings.entries)
  const client = (bearer?: string): HttpClient =>
    new HttpClient({
      connections: settings.concurrency,
      timeoutMs: settings.timeoutMs,
      // Before the OIDC exchange there is nothing to send: say nothing about credentials.
      authOrigins: settings.auth.kind === 'oidc' && !bearer ? undefined : credentials.origins,
      authHeaders: authHeaders(settings.auth, bearer),
      authLabel: credentialsLabel(settings.auth),
      tls: settings.tls,
      debug: runner.debug,
      redact: runner.redact,
    })
  for (const line of tlsLines(settings.tls)) core.info(line)
  // Entries are withheld only for naming another server than 'url': without it there are none.
  if (settings.url)
    for (const origin of credentials.withheld)
      core.info(
        `credentials are not sent to ${runner.redact(origin)}: 'url' names another server (${runner.redact(new URL(settings.url).origin)}), so its files are requested without them`,
      )
  if (settings.auth.kind !== 'oidc') return client()
  // Loaded only by the runs that exchange an OIDC token.
  const { oidcToken } = await import('./oidc.ts')
  const exchange = client()
  try {
    return client(await oidcToken(settings, exchange, runner))
  } finally {
    await exchange.close()
  }
}
