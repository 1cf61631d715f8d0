import type { Auth } from '../input/settings.ts'

/** Headers that carry the credentials (sent only to the `url` origin). */
export function authHeaders(auth: Auth, bearer?: string): Record<string, string> {
  if (bearer) return { authorization: `Bearer ${bearer}` }
  switch (auth.kind) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` }
    case 'basic':
      return { authorization: `Basic ${basicCredentials(auth.username, auth.password)}` }
    default:
      return {}
  }
}

/** base64 of `user:pass`: masked as a secret too, since it is as good as the password. */
export function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64')
}

/** The JFrog Platform root for a `url` such as `https://acme.jfrog.io/artifactory`. */
export function platformRoot(url: string): string {
  return url.replace(/\/artifactory\/?$/, '')
}
