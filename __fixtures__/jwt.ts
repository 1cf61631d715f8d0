// Access tokens as JFrog Access writes them, for tests that read claims from one: an unsigned
// JWT whose parts are base64url without padding.

/** A JWT whose payload is `claims` (the signature is a placeholder nobody checks). */
export function jwt(claims: Record<string, unknown>): string {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`
}
