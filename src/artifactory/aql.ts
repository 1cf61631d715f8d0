import { statusError, type HttpClient } from '../net/http-client.ts'
import type { ListedFile, PatternPrefix } from './remote-file.ts'
import { aqlItem, postAql, trimmedAnswer, type AqlRange, type AqlRow } from './aql-query.ts'
import { LISTING_LIMITS, readJsonItems, type BodyLimits } from './json-body.ts'

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
  const answer = await readJsonItems(
    res,
    `the AQL answer for ${where}`,
    'results',
    (row) => listedOf(row as AqlRow | null),
    limits,
  )
  const trimmed = trimmedAnswer(
    answer.rest.range as AqlRange | undefined,
    answer.count,
    undefined,
    'narrow the pattern',
  )
  if (trimmed) throw trimmed
  return answer.items
}

function listedOf(row: AqlRow | null): ListedFile | undefined {
  const f = aqlItem(row)
  if (!f) return undefined
  return {
    path: [f.repo, f.path !== '.' ? f.path : undefined, f.name].filter(Boolean).join('/'),
    size: f.size,
    sha256: f.sha256,
  }
}
