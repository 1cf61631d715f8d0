// AQL for the local server: `items.find({...}).include(...).sort(...).offset(n).limit(n)`
// with `$and`/`$or`, `$eq`/`$ne`/`$match`/`$nmatch`/`$gt`/`$gte`/`$lt`/`$lte`, `@property`
// conditions, the `artifact.module.build.*` and `dependency.module.build.*` fields, the
// `release_artifact.release.*` fields of release bundles, folders (only with a `type` of
// `folder` or `any`, as Artifactory finds files alone otherwise), and virtual repositories (a condition on
// a virtual key finds its members' items, which answer with the members' keys), as
// Artifactory does.

/** One stored file as AQL sees it. */
export interface AqlItem {
  repo: string
  /** Folder below the repository, `.` at its root. */
  path: string
  name: string
  size: number
  sha256: string
  sha1: string
  md5: string
  created: string
  modified: string
  properties: Record<string, string[]>
  builds: { name: string; number: string }[]
  /** The builds that used it (their `modules[].dependencies[]`). */
  dependencyOf?: { name: string; number: string }[]
  /** The release bundles it is in. */
  releases?: { name: string; version: string }[]
  /** `folder` for a folder; a file when absent. */
  type?: 'file' | 'folder'
}

/** What the answer to a query is, or why the query was refused (a 400). */
export type AqlAnswer =
  { results: Record<string, unknown>[]; range: Record<string, number | string> } | { error: string }

/** What Artifactory says in `range` when its hard limit cut the answer short. */
export const TRIMMED_NOTIFICATION = 'AQL query reached the search hard limit, results are trimmed.'

const FIELDS: Record<string, (i: AqlItem) => unknown> = {
  repo: (i) => i.repo,
  path: (i) => i.path,
  name: (i) => i.name,
  type: (i) => i.type ?? 'file',
  size: (i) => i.size,
  sha256: (i) => i.sha256,
  actual_sha1: (i) => i.sha1,
  original_sha1: (i) => i.sha1,
  actual_md5: (i) => i.md5,
  created: (i) => i.created,
  modified: (i) => i.modified,
  updated: (i) => i.modified,
  depth: (i) => (i.path === '.' ? 1 : i.path.split('/').length + 1),
}

const regexCache = new Map<string, RegExp>()

/** Matches an AQL `$match` pattern (`*` any characters, `?` one). */
export function aqlMatch(pattern: string, value: string): boolean {
  let re = regexCache.get(pattern)
  if (!re) {
    re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      's',
    )
    regexCache.set(pattern, re)
  }
  return re.test(value)
}

type Operand = Record<string, unknown> | string | number

/** Whether one value satisfies `{"$op": x}` (or a bare value, `$eq`). */
function compare(actual: unknown, operand: Operand): boolean {
  const ops = typeof operand === 'object' && operand !== null ? operand : { $eq: operand }
  for (const [op, want] of Object.entries(ops)) {
    const a = typeof actual === 'number' ? actual : String(actual)
    const w = typeof actual === 'number' ? Number(want) : String(want)
    let ok: boolean
    switch (op) {
      case '$eq':
        ok = a === w
        break
      case '$ne':
        ok = a !== w
        break
      case '$match':
        ok = aqlMatch(String(want), String(actual))
        break
      case '$nmatch':
        ok = !aqlMatch(String(want), String(actual))
        break
      case '$gt':
        ok = a > w
        break
      case '$gte':
        ok = a >= w
        break
      case '$lt':
        ok = a < w
        break
      case '$lte':
        ok = a <= w
        break
      default:
        throw new Error(`unknown operator ${op}`)
    }
    if (!ok) return false
  }
  return true
}

/** A property condition: `$ne`/`$nmatch` hold when no value of the key matches. */
function propertyTest(values: string[], operand: Operand): boolean {
  const ops = typeof operand === 'object' && operand !== null ? operand : { $eq: operand }
  return Object.entries(ops).every(([op, want]) => {
    if (op === '$ne') return !values.includes(String(want))
    if (op === '$nmatch') return !values.some((v) => aqlMatch(String(want), v))
    return values.some((v) => compare(v, { [op]: want }))
  })
}

/** Whether an item satisfies one criteria object. */
export function aqlTest(
  cond: Record<string, unknown>,
  item: AqlItem,
  virtual: Record<string, string[]> = {},
): boolean {
  // Conditions on one related domain in one object hold for one and the same build or bundle.
  const related: Record<string, [string, Operand][]> = {}
  for (const [key, value] of Object.entries(cond)) {
    const domain = RELATED.find((d) => key.startsWith(d.prefix))
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value)) throw new Error(`${key} needs an array`)
      const conds = value as Record<string, unknown>[]
      const ok =
        key === '$and'
          ? conds.every((c) => aqlTest(c, item, virtual))
          : conds.some((c) => aqlTest(c, item, virtual))
      if (!ok) return false
    } else if (key.startsWith('@')) {
      if (!propertyTest(item.properties[key.slice(1)] ?? [], value as Operand)) return false
    } else if (domain) {
      const field = key.slice(domain.prefix.length)
      if (!domain.fields.includes(field)) throw new Error(`unknown field ${key}`)
      ;(related[domain.prefix] ??= []).push([field, value as Operand])
    } else if (key === 'type') {
      if (value !== 'any' && !compare(item.type ?? 'file', value as Operand)) return false
    } else if (key === 'repo') {
      // A virtual key stands for its members.
      const keys = [
        item.repo,
        ...Object.keys(virtual).filter((v) => virtual[v].includes(item.repo)),
      ]
      if (!keys.some((k) => compare(k, value as Operand))) return false
    } else if (FIELDS[key]) {
      if (!compare(FIELDS[key](item), value as Operand)) return false
    } else throw new Error(`unknown field ${key}`)
  }
  for (const d of RELATED) {
    const conds = related[d.prefix]
    if (!conds) continue
    const ok = d
      .of(item)
      .some((rec) => conds.every(([f, operand]) => compare(rec[f as keyof typeof rec], operand)))
    if (!ok) return false
  }
  return true
}

/** The domains AQL joins items with, by field prefix: what each item is related to. */
const RELATED: {
  prefix: string
  fields: string[]
  of: (i: AqlItem) => Record<string, string>[]
}[] = [
  { prefix: 'artifact.module.build.', fields: ['name', 'number'], of: (i) => i.builds },
  {
    prefix: 'dependency.module.build.',
    fields: ['name', 'number'],
    of: (i) => i.dependencyOf ?? [],
  },
  {
    prefix: 'release_artifact.release.',
    fields: ['name', 'version'],
    of: (i) => i.releases ?? [],
  },
]

/** Whether a criteria object says anything about `type` (else Artifactory finds files only). */
function asksType(cond: unknown): boolean {
  if (Array.isArray(cond)) return cond.some(asksType)
  if (typeof cond !== 'object' || cond === null) return false
  return Object.entries(cond).some(([k, v]) => k === 'type' || asksType(v))
}

/** The argument text of `.method(...)` at `from`, with balanced brackets. */
function argument(text: string, from: number): { arg: string; end: number } {
  let depth = 0
  let inString = false
  for (let i = from; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '(' || c === '{' || c === '[') depth++
    else if (c === ')' || c === '}' || c === ']') {
      if (depth === 0 && c === ')') return { arg: text.slice(from, i), end: i + 1 }
      depth--
    }
  }
  throw new Error('unbalanced query')
}

/**
 * Runs a query over the items. Queries over `maxLength` characters are refused, as on real
 * servers. With `maxResults` (SaaS: 500,000), an answer is cut to that many rows, as
 * Artifactory does: `range.limit` then says the hard limit, and `range.notification` that the
 * results are trimmed.
 */
export function runAql(
  text: string,
  items: AqlItem[],
  virtual: Record<string, string[]> = {},
  maxLength = 6000,
  maxResults?: number,
): AqlAnswer {
  if (text.length > maxLength) return { error: `Query is too long (${text.length} characters)` }
  try {
    const q = text.trim()
    if (!q.startsWith('items.find(')) return { error: 'Failed to parse query: only items.find' }
    let at = 'items.find('.length
    const find = argument(q, at)
    at = find.end
    const criteria = (find.arg.trim() === '' ? {} : JSON.parse(find.arg)) as Record<string, unknown>
    let include: string[] | undefined
    let sort: { order: 'asc' | 'desc'; fields: string[] } | undefined
    let offset = 0
    let limit: number | undefined
    while (at < q.length) {
      const m = /^\.(include|sort|offset|limit)\(/.exec(q.slice(at))
      if (!m) return { error: `Failed to parse query at ${at}` }
      const call = argument(q, at + m[0].length)
      at = call.end
      if (m[1] === 'include') include = JSON.parse(`[${call.arg}]`) as string[]
      else if (m[1] === 'sort') {
        const s = JSON.parse(call.arg) as Record<string, string[]>
        const order = '$desc' in s ? 'desc' : 'asc'
        sort = { order, fields: s[`$${order}`] }
      } else if (m[1] === 'offset') offset = Number(call.arg)
      else limit = Number(call.arg)
    }
    const typed = asksType(criteria)
    let found = items.filter(
      (i) => (typed || (i.type ?? 'file') === 'file') && aqlTest(criteria, i, virtual),
    )
    if (sort) {
      const { order, fields } = sort
      for (const f of fields) {
        if (!FIELDS[f]) return { error: `Cannot sort by ${f}` }
        if (include && !include.includes(f)) {
          return { error: `Sort field ${f} must be included` }
        }
      }
      found = [...found].sort((a, b) => {
        for (const f of fields) {
          const x = FIELDS[f](a) as string | number
          const y = FIELDS[f](b) as string | number
          if (x !== y) return (x < y ? -1 : 1) * (order === 'asc' ? 1 : -1)
        }
        return 0
      })
    }
    // The hard limit replaces a larger limit (or none); `range` says so when it cut rows.
    const trimmed =
      maxResults !== undefined &&
      (limit ?? Infinity) > maxResults &&
      found.length - offset > maxResults
    if (trimmed) limit = maxResults
    const page = found.slice(offset, limit === undefined ? undefined : offset + limit)
    const fields = include ?? ['repo', 'path', 'name', 'type', 'size', 'created', 'modified']
    const results = page.map((i) => {
      const out: Record<string, unknown> = {
        repo: i.repo,
        path: i.path,
        name: i.name,
        type: i.type ?? 'file',
      }
      for (const f of fields) if (FIELDS[f]) out[f] = FIELDS[f](i)
      return out
    })
    const range: Record<string, number | string> = {
      start_pos: offset,
      end_pos: offset + results.length,
      total: results.length,
    }
    if (limit !== undefined) range.limit = limit
    if (trimmed) range.notification = TRIMMED_NOTIFICATION
    return { results, range }
  } catch (err) {
    return { error: `Failed to parse query: ${err instanceof Error ? err.message : String(err)}` }
  }
}
