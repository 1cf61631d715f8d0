// Where credentials go (only to the origins they were given for) and what a 401 or 403 says
// about them: whether any went with the refused request, and which.

/** What a 401 or 403 message says about credentials. */
export interface Credentials {
  /** They were sent with this request. */
  sent: boolean
  /** What the configured credentials are ("the access token"); undefined when there are none. */
  label?: string
  /** The origins they go to, when they were not sent here. */
  origins?: readonly string[]
}

/** Whether credentials may go to `url`: only to the origins they were given for. */
export function mayAuthenticate(url: URL, authOrigins: ReadonlySet<string> | undefined): boolean {
  return authOrigins !== undefined && authOrigins.has(url.origin)
}

/**
 * What a 401 or 403 says about credentials: whether any were sent to this origin, and which,
 * so "check the credentials" is never said where none went.
 */
export function credentialsHint(status: number, origin: string, credentials: Credentials): string {
  if (credentials.sent) {
    const label = credentials.label ?? 'the credentials'
    const verb = /\band\b|credentials$/.test(label) ? 'were' : 'was'
    return status === 401
      ? `${label} ${verb} sent and refused: check the credentials (valid, not expired, for this server)`
      : `${label} ${verb} sent: check that the user or token may read this repository`
  }
  if (credentials.label && credentials.origins?.length)
    return `no credentials were sent to ${origin}: they go only to ${credentials.origins.join(', ')}, the server${credentials.origins.length > 1 ? 's' : ''} the workflow named`
  return `no credentials were sent to ${origin}: set access-token, username and password, or oidc-provider-name`
}
