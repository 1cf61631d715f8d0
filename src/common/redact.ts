/** Query parameters whose values are credentials in the URLs people paste (signed URLs, API keys). */
const SECRET_PARAMS =
  /^(token|access_token|api_?key|apikey|password|passwd|secret|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|code|auth)$/i

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
  if (parsed.password) found.push(parsed.password, decodeURIComponent(parsed.password))
  if (parsed.username && parsed.password) found.push(parsed.username)
  for (const [key, value] of parsed.searchParams) {
    if (value && SECRET_PARAMS.test(key)) found.push(value, encodeURIComponent(value))
  }
  return [...new Set(found.filter((s) => s.length >= 3))]
}

/** A URL fit for a log: no `user:pass@`, no credential-like query values. */
export function redactUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return url.replace(/\/\/[^/@\s]*@/g, '//***@')
  }
  if (parsed.username || parsed.password) {
    parsed.username = '***'
    parsed.password = ''
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) parsed.searchParams.set(key, '***')
  }
  return parsed.href.replace('***@', '***@').replace(/%2A%2A%2A/g, '***')
}

/**
 * Removes known secrets (and URL credentials) from any text that may reach a log,
 * an annotation, the summary or an output: server error bodies sometimes echo tokens.
 */
export class Redactor {
  private secrets: string[] = []

  /** Remembers a secret so that {@link redact} removes it everywhere. */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 3 || this.secrets.includes(secret)) return
    this.secrets.push(secret)
    // Longest first, so a secret that contains another is removed whole.
    this.secrets.sort((a, b) => b.length - a.length)
  }

  redact(text: string): string {
    let out = text.replace(/(https?:\/\/)[^/@\s:]*:[^/@\s]*@/g, '$1***@')
    for (const s of this.secrets) out = out.split(s).join('***')
    return out
  }
}
