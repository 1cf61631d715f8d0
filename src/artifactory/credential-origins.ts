import type { Auth } from '../input/settings.ts'
import type { Entry } from '../input/entries.ts'

/** Where credentials go, and the origins the workflow named that get none. */
export interface CredentialOrigins {
  /** Origins (`https://host:port`) credentials are sent to. */
  origins: Set<string>
  /** Origins of full-URL entries that get no credentials because `url` names another server. */
  withheld: string[]
}

/**
 * Credentials reach exactly the servers the workflow named: the origin of `url` when it is
 * given (full URLs on another origin get none: the token is for that server), else the origins
 * of the full-URL entries. A redirect to another origin never gets them (see HttpClient).
 */
export function credentialOrigins(
  auth: Auth,
  url: string | undefined,
  entries: readonly Entry[],
): CredentialOrigins {
  const origins = new Set<string>()
  const withheld = new Set<string>()
  if (auth.kind === 'none') return { origins, withheld: [] }
  const base = url ? new URL(url).origin : undefined
  if (base) origins.add(base)
  for (const e of entries) {
    if (!e.url) continue
    const origin = new URL(e.url).origin
    if (!base) origins.add(origin)
    else if (origin !== base) withheld.add(origin)
  }
  return { origins, withheld: [...withheld] }
}

/** How the log names the credentials of `auth` ("the access token was sent and refused"). */
export function credentialsLabel(auth: Auth): string | undefined {
  switch (auth.kind) {
    case 'bearer':
      return 'the access token'
    case 'basic':
      return 'the username and password'
    case 'oidc':
      return 'the access token from the OIDC exchange'
    default:
      return undefined
  }
}
