import { statusError, type HttpClient } from '../net/http-client.ts'
import type { ListedFile, PatternPrefix } from './remote-file.ts'
import { aqlItems, postAql, trimmedAnswer, type AqlResponse } from './aql-query.ts'
import { LISTING_LIMITS, readJson, type BodyLimits } from './json-body.ts'

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
  const res = await postAql(http, baseUrl, aqlQuery(prefix), signal)
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
  return aqlItems(body).map((f) => ({
    path: [f.repo, f.path !== '.' ? f.path : undefined, f.name].filter(Boolean).join('/'),
    size: f.size,
    sha256: f.sha256,
  }))
}
