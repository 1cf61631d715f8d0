import { AttemptError } from '../common/errors.ts'
import { statusError, type HttpClient } from '../net/http-client.ts'
import { readJson, SMALL_LIMITS } from './json-body.ts'
import { platformRoot } from './auth.ts'

/** What the JFrog Platform answers to an OIDC token exchange. */
export interface OidcToken {
  accessToken: string
  username?: string
}

/**
 * Exchanges the job's GitHub ID token for a JFrog access token at
 * `POST {platform}/access/api/v1/oidc/token`.
 */
export async function exchangeOidc(
  http: HttpClient,
  baseUrl: string,
  idToken: string,
  provider: string,
  signal: AbortSignal,
): Promise<OidcToken> {
  const res = await http.request(`${platformRoot(baseUrl)}/access/api/v1/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      subject_token: idToken,
      provider_name: provider,
    }),
    signal,
  })
  if (res.status !== 200) throw await statusError(res, `provider '${provider}' refused: `)
  const body = await readJson<{ access_token?: string; username?: string }>(
    res,
    'the OIDC token answer',
    SMALL_LIMITS,
  )
  if (!body.access_token)
    throw new AttemptError('http', 'OIDC token exchange: the answer has no access_token', {
      status: 200,
    })
  return {
    accessToken: body.access_token,
    username: body.username || userOfAccessToken(body.access_token),
  }
}

/**
 * The user an access token was issued to, from its `sub` claim, as `jfrog/setup-jfrog-cli` reads
 * it when the exchange's answer names none: `jfrt@<id>/users/<name>` gives `<name>`, any other
 * subject is the user as it is. Undefined when the token is not a JWT with a string `sub`: the
 * user is a courtesy output, never a reason to fail.
 */
export function userOfAccessToken(token: string): string | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  let sub: unknown
  try {
    sub = (JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { sub?: unknown })
      ?.sub
  } catch {
    return undefined
  }
  if (typeof sub !== 'string' || !sub) return undefined
  if (sub.startsWith('jfrt@') || sub.includes('/users/'))
    return sub.slice(sub.lastIndexOf('/') + 1) || undefined
  return sub
}
