// AQL queries for File Spec entries: one compact query per entry (real servers answer 400 to
// queries over 6,000 characters), with what the plan needs listed in `include`, so sizes and
// checksums need no further request.
import { AttemptError } from '../common/errors.ts'
import { statusError, type HttpClient, type HttpResponse } from '../net/http-client.ts'
import { toDigest } from '../common/hex-digest.ts'
import { readJsonItems, toSize } from './json-body.ts'
import type { SpecEntry } from '../input/file-spec.ts'
import type { PropPair } from '../input/props.ts'
import type { PatternQuery } from './remote-file.ts'
import { buildCriteria, bundleCriteria } from './aql-selection.ts'
import type { BuildRef } from './builds.ts'

/** The fields every query includes. */
export const INCLUDED = [
  'repo',
  'path',
  'name',
  'size',
  'sha256',
  'actual_sha1',
  'actual_md5',
  'created',
  'modified',
]

/** A file AQL found. */
export interface AqlItem {
  repo: string
  /** Folder below the repository, `.` at its root. */
  path: string
  name: string
  size?: number
  sha256?: string
  sha1?: string
  md5?: string
  created?: string
  /** A folder (only asked for by entries with `includeDirs`). */
  folder?: boolean
}

type Criteria = Record<string, unknown>

/** `{"$match": v}` when `v` has a wildcard, else `v` itself (compact `$eq`). */
function matchOrEq(v: string): unknown {
  return /[*?]/.test(v) ? { $match: v } : v
}

/**
 * The path and name conditions of a spec pattern, as the JFrog CLI splits it: `*` spans
 * folders, so each `*` of the file-name part may also be where the folders end (a name
 * without `*` is only looked for in the pattern's folder).
 */
export function patternCriteria(p: PatternQuery): Criteria {
  const repo = p.repoWildcard ? { repo: { $match: p.repo } } : { repo: p.repo }
  const cut = p.below.lastIndexOf('/')
  const folder = cut < 0 ? '' : p.below.slice(0, cut)
  const name = p.below.slice(cut + 1)
  if (p.recursive && folder === '' && name === '*') return repo
  const pairs: [string, string][] = [[folder === '' ? '.' : folder, name]]
  if (p.recursive) {
    const under = folder === '' ? '' : `${folder}/`
    const sections = name.split('*')
    for (let i = 1; i < sections.length; i++) {
      pairs.push([`${under}${sections.slice(0, i).join('*')}*`, `*${sections.slice(i).join('*')}`])
    }
  }
  const seen = new Set<string>()
  const conditions = pairs
    .filter(([f, n]) => {
      const key = `${f}\0${n}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    .map(([f, n]) => ({ path: matchOrEq(f), name: matchOrEq(n) }))
  return conditions.length === 1 ? { ...repo, ...conditions[0] } : { ...repo, $or: conditions }
}

function propCondition(pair: PropPair, exclude: boolean): Criteria {
  const op = exclude ? (pair.wildcard ? '$nmatch' : '$ne') : pair.wildcard ? '$match' : '$eq'
  return { [`@${pair.key}`]: { [op]: pair.value } }
}

/**
 * The whole query for an entry: its criteria (the pattern's, or its `aql` as written; none for
 * a build or bundle alone), the props, excludeProps, build and bundle conditions, then sort,
 * offset and limit. With `includeDirs` folders are found too (`"type":"any"`).
 * @param builds the build runs to select, resolved already (the named one and those appended to it)
 * @param paginate false when offset and limit must be applied after a local filter (exclusions)
 */
export function entryQuery(
  entry: SpecEntry,
  p: PatternQuery | undefined,
  builds: BuildRef[] | BuildRef | undefined,
  paginate = true,
): string {
  const all: Criteria[] = []
  if (entry.aql) all.push(entry.aql)
  else if (p) all.push(patternCriteria(p))
  if (entry.includeDirs) all.push({ type: 'any' })
  for (const pair of entry.props ?? []) all.push(propCondition(pair, false))
  // Drops the files that carry every listed pair: they survive if any pair is missing.
  if (entry.excludeProps?.length) {
    const ors = entry.excludeProps.map((pair) => propCondition(pair, true))
    all.push(ors.length === 1 ? ors[0] : { $or: ors })
  }
  const runs = builds === undefined ? [] : Array.isArray(builds) ? builds : [builds]
  if (runs.length > 0) {
    all.push(
      buildCriteria(runs, { artifacts: !entry.excludeArtifacts, dependencies: entry.includeDeps }),
    )
  }
  if (entry.bundle) all.push(bundleCriteria(entry.bundle))
  const criteria = all.length === 0 ? {} : all.length === 1 ? all[0] : { $and: all }
  const fields = entry.includeDirs ? [...INCLUDED, 'type'] : INCLUDED
  const include = [...fields, ...(entry.sortBy ?? []).filter((f) => !fields.includes(f))]
  let query = `items.find(${JSON.stringify(criteria)}).include(${include.map((f) => JSON.stringify(f)).join(',')})`
  if (entry.sortBy) {
    query += `.sort(${JSON.stringify({ [`$${entry.sortOrder ?? 'asc'}`]: entry.sortBy })})`
  }
  if (paginate && entry.offset !== undefined) query += `.offset(${entry.offset})`
  if (paginate && entry.limit !== undefined) query += `.limit(${entry.limit})`
  return query
}

/** One row of an AQL answer, as the server may write it: every field is checked before use. */
export interface AqlRow {
  repo?: unknown
  path?: unknown
  name?: unknown
  type?: unknown
  size?: number | string
  sha256?: unknown
  actual_sha1?: unknown
  actual_md5?: unknown
  created?: string
}

/** The `range` object of an AQL answer. */
export interface AqlRange {
  start_pos?: unknown
  end_pos?: unknown
  /** The rows in this answer (Artifactory does not count what its limit left out). */
  total?: unknown
  /** The limit applied: the query's, or the server's hard limit (SaaS: 500,000). */
  limit?: unknown
  /** "AQL query reached the search hard limit, results are trimmed." */
  notification?: unknown
}

/**
 * Why an AQL answer is only part of what the query found, or undefined when it is whole: the
 * server's hard limit (SaaS: 500,000 rows) cut it short, which the answer says with a
 * `range.limit` the query did not ask for, a notification, or a total above what came.
 * Downloading part of a pattern's files and reporting success would be silently wrong.
 * @param asked the limit the query itself asked for, if any
 * @param fix what the user can change, for the message
 */
export function trimmedAnswer(
  range: AqlRange | undefined,
  returned: number,
  asked: number | undefined,
  fix: string,
): AttemptError | undefined {
  if (!range || typeof range !== 'object') return undefined
  const limit = typeof range.limit === 'number' ? range.limit : undefined
  const total = typeof range.total === 'number' ? range.total : undefined
  const said = typeof range.notification === 'string' && /trimmed/i.test(range.notification)
  const byLimit = limit !== undefined && limit !== asked && returned >= limit
  const byTotal = asked === undefined && total !== undefined && total > returned
  if (!said && !byLimit && !byTotal) return undefined
  const what =
    total !== undefined && total > returned
      ? `${returned} of ${total} results (trimmed)`
      : `${returned} results and trimmed the rest${limit !== undefined && limit !== asked ? ` (its limit is ${limit})` : ''}`
  return new AttemptError('size', `the server returned ${what}: ${fix}`)
}

/**
 * Sends one AQL query and returns the files it found. A 429 (concurrent AQL is capped since
 * 7.84) or 5xx throws a retryable error: callers run this under `withRetries`.
 */
export async function findItems(
  http: HttpClient,
  baseUrl: string,
  query: string,
  signal: AbortSignal,
  withFolders = false,
): Promise<AqlItem[]> {
  const res = await postAql(http, baseUrl, query, signal)
  // No prefix: withRetries names the operation ("AQL search: HTTP 429 …").
  if (res.status !== 200) throw await statusError(res, '')
  const answer = await readJsonItems(res, 'the AQL answer', 'results', (row) =>
    aqlItem(row as AqlRow | null, withFolders),
  )
  const asked = /\.limit\((\d+)\)$/.exec(query)
  const trimmed = trimmedAnswer(
    answer.rest.range as AqlRange | undefined,
    answer.count,
    asked ? Number(asked[1]) : undefined,
    "narrow the entry's pattern or aql, or add limit",
  )
  if (trimmed) throw trimmed
  return answer.items
}

/** Posts one AQL query; the caller reads the answer. */
export function postAql(
  http: HttpClient,
  baseUrl: string,
  query: string,
  signal: AbortSignal,
): Promise<HttpResponse> {
  return http.request(`${baseUrl}/api/search/aql`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: query,
    signal,
  })
}

/**
 * The file an answer's row names (or its folder, with `withFolders`); undefined for other rows
 * and rows without a repository or a name. A malformed size or digest is dropped (the file's
 * own response decides).
 */
export function aqlItem(r: AqlRow | null, withFolders = false): AqlItem | undefined {
  // A null row (a broken answer) names no file either.
  if (!r || typeof r.repo !== 'string' || typeof r.name !== 'string') return undefined
  if (withFolders && r.type === 'folder') {
    // The repository's root comes back as path '.' and name '.': no folder to create.
    if (r.name === '.' || r.name === '') return undefined
    const folderPath = typeof r.path === 'string' && r.path !== '' ? r.path : '.'
    return { repo: r.repo, path: folderPath, name: r.name, folder: true }
  }
  if (r.type !== undefined && r.type !== 'file') return undefined
  return {
    repo: r.repo,
    path: typeof r.path === 'string' && r.path !== '' ? r.path : '.',
    name: r.name,
    size: toSize(r.size),
    sha256: toDigest(r.sha256, 64),
    sha1: toDigest(r.actual_sha1, 40),
    md5: toDigest(r.actual_md5, 32),
    created: r.created,
  }
}
