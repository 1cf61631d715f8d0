// The one place that removes secrets from text. Every text the action shows passes here before
// it is cut, logged, summarised, annotated or set as an output: a secret cut in two can no longer
// be found, by us or by the runner's masker. A secret is found in every form a server gives it
// back in: as given, URL-encoded, JSON-escaped, and (for a password) as base64 of `user:password`;
// and any URL shown loses its `user:password@` and the values of query parameters named like
// credentials.
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
const MIN_SECRET = 3

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
 * The forms in which a server may give a secret back: as given, URL-encoded (as a path or query
 * would carry it, and as a form with `+` for blanks), and JSON-escaped (a message quoting it).
 */
export function secretForms(secret: string): string[] {
  const forms = [secret]
  try {
    const encoded = encodeURIComponent(secret)
    forms.push(encoded, encoded.replace(/%20/g, '+'), encodeURI(secret))
  } catch {
    // A lone surrogate cannot be URL-encoded, so no server can send it back so either.
  }
  const json = JSON.stringify(secret).slice(1, -1)
  forms.push(json, json.replace(/\//g, '\\/'))
  return [...new Set(forms)].filter((f) => f.length >= MIN_SECRET)
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

/**
 * Removes known secrets, in every form of {@link secretForms}, and URL credentials from any text
 * that may reach a log, an annotation, the summary or an output: server error bodies sometimes
 * echo tokens.
 */
export class Redactor {
  private forms: string[] = []

  /** Remembers a secret (all its forms); returns the forms that were new, for the runner's masker. */
  add(secret: string | undefined): string[] {
    if (!secret || secret.length < MIN_SECRET) return []
    const added = secretForms(secret).filter((f) => !this.forms.includes(f))
    if (!added.length) return []
    this.forms.push(...added)
    // Longest first, so a secret that contains another is removed whole.
    this.forms.sort((a, b) => b.length - a.length)
    return added
  }

  /** Remembers a user and password as a Basic credential sends them: base64 of `user:password`. */
  addBasic(username: string, password: string): string[] {
    return this.add(Buffer.from(`${username}:${password}`).toString('base64'))
  }

  /** Forgets every secret (a new run). */
  clear(): void {
    this.forms = []
  }

  redact(text: string): string {
    let out = redactUrl(text)
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED)
    return out
  }
}

/**
 * The process's secrets: the runner layer registers them before any request, and every text
 * shown passes through {@link redact}, which {@link serverText} calls before it cuts.
 */
export const secrets = new Redactor()

/** Removes every registered secret and URL credential from `text`. */
export function redact(text: string): string {
  return secrets.redact(text)
}
