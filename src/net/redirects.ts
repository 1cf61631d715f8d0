// Which redirects are followed, and what crosses them: never a downgrade from https, never a
// credential (a header or a body) to an origin the request was not made for.
import { AttemptError } from '../common/errors.ts'
import { redactUrl } from '../common/url-credentials.ts'
import { serverText } from '../common/server-text.ts'

/** Redirects followed for one request before it fails. */
export const MAX_REDIRECTS = 10

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/**
 * Checksums Artifactory states on its redirect; the storage it redirects to usually does not:
 * the first response's checksums apply to the final body.
 */
export const CARRIED_HEADERS = ['x-checksum-sha256', 'x-checksum-sha1', 'x-checksum-md5']

/** Whether a response with `status` and `location` is a redirect to follow. */
export function isRedirect(status: number, location: string | undefined): boolean {
  return REDIRECTS.has(status) && !!location
}

/** Why a redirect must not be followed (a downgrade from https), or undefined when it may. */
export function redirectRefusal(from: URL, to: URL): string | undefined {
  if (to.protocol !== 'https:' && to.protocol !== 'http:') {
    return `refused a redirect to a ${serverText(to.protocol.replace(':', ''))} URL`
  }
  if (from.protocol === 'https:' && to.protocol !== 'https:') {
    return `refused a redirect from https to http (${serverText(redactUrl(to.href))})`
  }
  return undefined
}

/**
 * The next hop of a redirect from `current` to `location`, with the method and body it takes,
 * or an {@link AttemptError} saying why it is refused. `hop` counts the redirects already
 * followed: the {@link MAX_REDIRECTS}th is followed, the one after it refused.
 */
export function nextHop(
  current: URL,
  location: string,
  status: number,
  hop: number,
  request: { method: 'GET' | 'HEAD' | 'POST'; body?: string; first: string },
): { url: URL; method: 'GET' | 'HEAD' | 'POST'; body?: string } {
  if (hop >= MAX_REDIRECTS) {
    throw new AttemptError('unsafe', `more than ${MAX_REDIRECTS} redirects`)
  }
  const next = new URL(location, current)
  const refusal = redirectRefusal(current, next)
  if (refusal) throw new AttemptError('unsafe', refusal)
  let { method, body } = request
  if (status === 303) {
    method = method === 'HEAD' ? 'HEAD' : 'GET'
    body = undefined
  }
  // A body can be a credential (the OIDC exchange's ID token): like the Authorization
  // header, it never goes to an origin the request was not made for.
  if (body !== undefined && next.origin !== request.first) {
    throw new AttemptError(
      'unsafe',
      `refused a redirect of a ${method} with a body to another origin (${serverText(redactUrl(next.origin))})`,
    )
  }
  return { url: next, method, body }
}
