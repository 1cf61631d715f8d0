// Credentials in URLs: `user:password@` and query parameters named like credentials. Stateless,
// so any layer can take them out of a URL it shows (a redirect target, a listed address) without
// knowing the run's secrets, and the runner layer can learn them from the inputs' URLs.
import { decodedOrAsIs } from './uri-text.ts'

/** Query parameters whose values are credentials in the URLs people paste (signed URLs, API keys). */
const SECRET_PARAM_NAMES = [
  'password',
  'passwd',
  'pass',
  'pwd',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth_token',
  'private_token',
  'session_token',
  'api_key',
  'api-key',
  'apikey',
  'key',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'code',
  'auth',
]

const SECRET_PARAMS = new RegExp(`^(?:${SECRET_PARAM_NAMES.join('|')})$`, 'i')

/**
 * A query parameter named like a credential, with its value, anywhere in a text: `?token=…`,
 * `&X-Amz-Signature=…`. The value runs to the next `&`, `#`, blank, quote or bracket.
 */
const SECRET_PARAM_IN_TEXT = new RegExp(
  `([?&;](?:${SECRET_PARAM_NAMES.join('|')})=)[^&#;\\s"'<>)\\]]+`,
  'gi',
)

/** `//user:password@` or `//token@` in a URL anywhere in a text. */
const USER_INFO = /\/\/[^/?#@\s"'<>]*@/g

/** The mark that stands where a secret was. */
export const REDACTED = '***'

/** Shorter values are not treated as secrets: they would blank out ordinary words. */
export const MIN_SECRET = 3

/** `//user:pass@` and `//token@` in any URL of `text`, replaced by `//***@`. */
export function redactUserInfo(text: string): string {
  return text.replace(USER_INFO, `//${REDACTED}@`)
}

/** Values of credential-like query parameters in any URL of `text`, replaced by `***`. */
export function redactSecretParams(text: string): string {
  return text.replace(SECRET_PARAM_IN_TEXT, `$1${REDACTED}`)
}

/** A URL (or any text holding URLs) fit for a log: no `user:pass@`, no credential-like query values. */
export function redactUrl(url: string): string {
  return redactSecretParams(redactUserInfo(url))
}

/**
 * The credentials a URL carries (`user:pass@`, `?token=`): the runner layer masks them
 * with `core.setSecret` before anything is logged.
 */
export function secretsInUrl(url: string): string[] {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return []
  }
  const found: string[] = []
  if (parsed.password) found.push(parsed.password, decodedOrAsIs(parsed.password))
  if (parsed.username && parsed.password)
    found.push(parsed.username, decodedOrAsIs(parsed.username))
  for (const [key, value] of parsed.searchParams) {
    if (value && SECRET_PARAMS.test(key)) found.push(value)
  }
  return [...new Set(found.filter((s) => s.length >= MIN_SECRET))]
}
