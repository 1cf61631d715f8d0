import { decodedOrAsIs } from '../common/uri-text.ts'
import { statusError, type HttpClient } from '../net/http-client.ts'
import { AttemptError } from '../common/errors.ts'
import { LISTING_LIMITS, readJson, SMALL_LIMITS } from './json-body.ts'

/** One run of a build: what AQL's `artifact.module.build.*` conditions name. */
export interface BuildRef {
  name: string
  number: string
}

interface BuildRuns {
  buildsNumbers?: { uri?: string; started?: string }[]
}

interface BuildInfoBody {
  buildInfo?: { modules?: ({ id?: unknown; type?: unknown } | null)[] }
}

/**
 * `{base}/api/build/{name}[/{number}]`, each part one path segment (build names may hold `/`,
 * `:` or spaces); a JFrog Project's builds answer only with `?project=KEY`.
 */
function buildUrl(baseUrl: string, name: string, number?: string, project?: string): string {
  const parts = [name, ...(number === undefined ? [] : [number])].map(encodeURIComponent)
  const query = project ? `?project=${encodeURIComponent(project)}` : ''
  return `${baseUrl}/api/build/${parts.join('/')}${query}`
}

/** How messages name a build: `'app/7'`, with its project when it has one. */
function named(name: string, number: string | undefined, project?: string): string {
  const id = number === undefined ? `'${name}'` : `'${name}/${number}'`
  return project ? `${id} in project '${project}'` : id
}

/**
 * The number of a build's latest run: the newest `started` in `GET /api/build/{name}`.
 * @param project the JFrog Project the build lives in, if any
 * @throws AttemptError (not retried) naming the build when it does not exist or has no run
 */
export async function latestBuildNumber(
  http: HttpClient,
  baseUrl: string,
  name: string,
  signal: AbortSignal,
  project?: string,
): Promise<string> {
  const res = await http.request(buildUrl(baseUrl, name, undefined, project), { signal })
  if (res.status === 404) {
    res.body.resume()
    throw notFound(`build ${named(name, undefined, project)} does not exist`)
  }
  if (res.status !== 200) throw await statusError(res, `build '${name}': `)
  const body = await readJson<BuildRuns>(res, `the runs of build '${name}'`, SMALL_LIMITS)
  let latest: { number: string; started: number } | undefined
  for (const run of body.buildsNumbers ?? []) {
    if (typeof run.uri !== 'string') continue
    const number = decodedOrAsIs(run.uri.replace(/^\//, ''))
    const started = Date.parse(run.started ?? '')
    if (number === '' || Number.isNaN(started)) continue
    if (!latest || started > latest.started) latest = { number, started }
  }
  if (!latest) throw notFound(`build ${named(name, undefined, project)} has no run`)
  return latest.number
}

/**
 * Reads `name/number`'s build info (`GET /api/build/{name}/{number}`), so a typo says so
 * instead of "matched no file", and returns the builds appended to it: `jf rt build-append`
 * records each as a module of type `build` whose id is `name/number`.
 * @throws AttemptError (not retried) naming the build when it does not exist
 */
export async function appendedBuilds(
  http: HttpClient,
  baseUrl: string,
  build: BuildRef,
  signal: AbortSignal,
  project?: string,
): Promise<BuildRef[]> {
  const { name, number } = build
  const res = await http.request(buildUrl(baseUrl, name, number, project), { signal })
  if (res.status === 404) {
    res.body.resume()
    throw notFound(`build ${named(name, number, project)} does not exist`)
  }
  if (res.status !== 200) throw await statusError(res, `build '${name}/${number}': `)
  // A build info lists every artifact and dependency: a large build's runs to many MiB.
  const body = await readJson<BuildInfoBody>(
    res,
    `the build info of '${name}/${number}'`,
    LISTING_LIMITS,
  )
  const out: BuildRef[] = []
  for (const m of body.buildInfo?.modules ?? []) {
    if (m?.type !== 'build' || typeof m.id !== 'string') continue
    const ref = splitBuildId(m.id)
    if (ref) out.push(ref)
  }
  return out
}

/**
 * A module id `name/number` split at its last `/` not written `\/`; undefined when it has no
 * such `/` (jfrog-client-go refuses the build then; a malformed module names no build here).
 */
export function splitBuildId(id: string): BuildRef | undefined {
  let cut = -1
  for (let i = 0; i < id.length; i++) {
    if (id[i] === '\\') i++
    else if (id[i] === '/') cut = i
  }
  if (cut <= 0 || cut === id.length - 1) return undefined
  const unescape = (s: string): string => s.replace(/\\\//g, '/')
  return { name: unescape(id.slice(0, cut)), number: unescape(id.slice(cut + 1)) }
}

/** A 404 the retry policy gives up on at once. */
function notFound(message: string): AttemptError {
  return new AttemptError('http', message, { status: 404 })
}
