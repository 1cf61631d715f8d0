import { statusError, type HttpClient } from '../net/http-client.ts'
import { AttemptError } from '../common/errors.ts'
import { readJson, SMALL_LIMITS } from './json-body.ts'

interface BuildRuns {
  buildsNumbers?: { uri?: string; started?: string }[]
}

/** `name` as a URL path segment (build names may hold `/`, `:` or spaces). */
function buildUrl(baseUrl: string, name: string, number?: string): string {
  const parts = [name, ...(number === undefined ? [] : [number])].map(encodeURIComponent)
  return `${baseUrl}/api/build/${parts.join('/')}`
}

/**
 * The number of a build's latest run: the newest `started` in `GET /api/build/{name}`.
 * @throws AttemptError (not retried) naming the build when it does not exist or has no run
 */
export async function latestBuildNumber(
  http: HttpClient,
  baseUrl: string,
  name: string,
  signal: AbortSignal,
): Promise<string> {
  const res = await http.request(buildUrl(baseUrl, name), { signal })
  if (res.status === 404) {
    res.body.resume()
    throw notFound(`build '${name}' does not exist`)
  }
  if (res.status !== 200) throw await statusError(res, `build '${name}': `)
  const body = await readJson<BuildRuns>(res, `the runs of build '${name}'`, SMALL_LIMITS)
  let latest: { number: string; started: number } | undefined
  for (const run of body.buildsNumbers ?? []) {
    if (typeof run.uri !== 'string') continue
    const number = decodeURIComponent(run.uri.replace(/^\//, ''))
    const started = Date.parse(run.started ?? '')
    if (number === '' || Number.isNaN(started)) continue
    if (!latest || started > latest.started) latest = { number, started }
  }
  if (!latest) throw notFound(`build '${name}' has no run`)
  return latest.number
}

/**
 * Checks that `name/number` exists (`GET /api/build/{name}/{number}`), so a typo says so
 * instead of "matched no file".
 * @throws AttemptError (not retried) naming the build when it does not exist
 */
export async function checkBuild(
  http: HttpClient,
  baseUrl: string,
  name: string,
  number: string,
  signal: AbortSignal,
): Promise<void> {
  const res = await http.request(buildUrl(baseUrl, name, number), { signal })
  if (res.status === 404) {
    res.body.resume()
    throw notFound(`build '${name}/${number}' does not exist`)
  }
  if (res.status !== 200) throw await statusError(res, `build '${name}/${number}': `)
  res.body.resume()
}

/** A 404 the retry policy gives up on at once. */
function notFound(message: string): AttemptError {
  return new AttemptError('http', message, { status: 404 })
}
