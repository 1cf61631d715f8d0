import { statusError, type HttpClient } from '../net/http-client.ts'
import type { ListedFile, PatternPrefix } from '../plan/patterns.ts'
import { trimmedAnswer, type AqlRange } from './aql-query.ts'
import { LISTING_LIMITS, readJson, toDigest, toSize, type BodyLimits } from './json-body.ts'

interface AqlResponse {
  results?: {
    repo?: string
    path?: string
    name?: string
    size?: number | string
    sha256?: unknown
    type?: string
  }[]
  range?: AqlRange
}

/** The AQL query for every file under a prefix (AQL's `*` spans folders; the glob filters later). */
export function aqlQuery(prefix: PatternPrefix): string {
  const pathClause = prefix.folder
    ? { $or: [{ path: { $match: prefix.folder } }, { path: { $match: `${prefix.folder}/*` } }] }
    : {}
  const query = { repo: prefix.repo, ...pathClause, type: 'file' }
  return `items.find(${JSON.stringify(query)}).include("repo","path","name","size","sha256")`
}

/** Lists the files under a prefix with AQL, as the JFrog CLI does when the list API is refused. */
export async function searchAql(
  http: HttpClient,
  baseUrl: string,
  prefix: PatternPrefix,
  signal: AbortSignal,
  limits: BodyLimits = LISTING_LIMITS,
): Promise<ListedFile[]> {
  const res = await http.request(`${baseUrl}/api/search/aql`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: aqlQuery(prefix),
    signal,
  })
  if (res.status === 404) {
    res.body.resume()
    return []
  }
  // No prefix: the caller's withRetries names the operation ("AQL search: HTTP 429 …").
  if (res.status !== 200) throw await statusError(res, '')
  const where = prefix.folder ? `${prefix.repo}/${prefix.folder}` : prefix.repo
  const body = await readJson<AqlResponse>(res, `the AQL answer for ${where}`, limits)
  const trimmed = trimmedAnswer(
    body.range,
    body.results?.length ?? 0,
    undefined,
    'narrow the pattern',
  )
  if (trimmed) throw trimmed
  return (
    (body.results ?? [])
      .filter((r) => r?.type === undefined || r.type === 'file')
      // A row without a repository or a name names no file (as in findItems).
      .filter((r) => typeof r?.repo === 'string' && typeof r.name === 'string')
      .map((r) => ({
        path: [r.repo, r.path && r.path !== '.' ? r.path : undefined, r.name]
          .filter(Boolean)
          .join('/'),
        size: toSize(r.size),
        sha256: toDigest(r.sha256, 64),
      }))
  )
}
