// A JFrog File Spec (`{"files":[…]}`) read as `jf rt download --spec` reads it, and refused
// before any request when it asks for something this action would not do the same way.
import { InputError } from '../common/errors.ts'
import { parseProps, type PropPair } from './props.ts'

/** One validated entry of a File Spec. */
export interface SpecEntry {
  /** 1-based position in `files`, for messages ("spec entry 2"). */
  position: number
  /** `repo/path` with `*` and `?`; at most one of pattern and aql is set, and one of pattern, aql, build and bundle. */
  pattern?: string
  /** The criteria object of `{"items.find": {…}}`. */
  aql?: Record<string, unknown>
  /** As written; '' when absent. */
  target: string
  flat: boolean
  recursive: boolean
  exclusions: string[]
  props?: PropPair[]
  excludeProps?: PropPair[]
  build?: { name: string; number?: string }
  /** A release bundle `name/version`: its artifacts. */
  bundle?: { name: string; version: string }
  /** The JFrog Project the build lives in (its builds API `?project=KEY`). */
  project?: string
  /** Also the build's dependencies (`modules[].dependencies[]`). */
  includeDeps: boolean
  /** Not the build's artifacts (with `includeDeps`: only its dependencies). */
  excludeArtifacts: boolean
  /** Create the folders the entry matches, empty ones included. */
  includeDirs: boolean
  sortBy?: string[]
  sortOrder?: 'asc' | 'desc'
  limit?: number
  offset?: number
  explode: boolean
}

/** Fields of a download spec, by their lowercase name → the name the JFrog CLI writes. */
const SUPPORTED: Record<string, string> = {
  pattern: 'pattern',
  aql: 'aql',
  target: 'target',
  flat: 'flat',
  recursive: 'recursive',
  exclusions: 'exclusions',
  props: 'props',
  excludeprops: 'excludeProps',
  build: 'build',
  bundle: 'bundle',
  project: 'project',
  includedeps: 'includeDeps',
  excludeartifacts: 'excludeArtifacts',
  includedirs: 'includeDirs',
  sortby: 'sortBy',
  sortorder: 'sortOrder',
  limit: 'limit',
  offset: 'offset',
  explode: 'explode',
}

const UNSUPPORTED: Record<string, string> = Object.fromEntries(
  [
    'archiveEntries',
    'validateSymlinks',
    'gpg-key',
    'symlinks',
    'include',
    'transitive',
    'bypassArchiveInspection',
  ].map((f) => [f.toLowerCase(), f]),
)

/** Fields AQL can sort items by. */
const SORTABLE = new Set([
  'repo',
  'path',
  'name',
  'type',
  'size',
  'depth',
  'created',
  'created_by',
  'modified',
  'modified_by',
  'updated',
])

/**
 * Parses and validates File Spec text (after `spec-vars`). Field names are matched
 * case-insensitively; booleans and numbers may be JSON values or strings (`"true"`, `"1"`).
 * @throws InputError naming the entry (1-based) and the field
 */
export function parseFileSpec(text: string): SpecEntry[] {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw new InputError(`Input 'spec' is not valid JSON${jsonErrorPlace(text, err)}`)
  }
  if (!isObject(doc)) throw new InputError(`Input 'spec' must be a JSON object {"files": […]}`)
  let files: unknown
  for (const [key, value] of Object.entries(doc)) {
    if (key.toLowerCase() !== 'files') {
      throw new InputError(`Input 'spec': unknown top-level field '${key}' (expected 'files')`)
    }
    files = value
  }
  if (!Array.isArray(files) || files.length === 0) {
    throw new InputError(`Input 'spec' needs a non-empty "files" array`)
  }
  return files.map((raw, i) => parseEntry(raw, i + 1))
}

/** ` at line L, column C (…)` from a JSON.parse error, whichever way V8 words its position. */
export function jsonErrorPlace(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  const lc = /line (\d+) column (\d+)/.exec(message)
  const pos = /position (\d+)/.exec(message)
  let where = ''
  if (lc) where = ` at line ${lc[1]}, column ${lc[2]}`
  else if (pos) {
    const before = text.slice(0, Number(pos[1]))
    const line = before.split('\n').length
    where = ` at line ${line}, column ${before.length - before.lastIndexOf('\n')}`
  } else if (/end of JSON input/i.test(message)) {
    const lines = text.split('\n')
    where = ` at its end (line ${lines.length}, column ${lines[lines.length - 1].length + 1})`
  }
  const reason = message
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/,? "[^"]*"\.*\s*is not valid JSON/, '')
    .replace(/ in JSON at position \d+/, '')
  return `${where}: ${reason}`
}

function parseEntry(raw: unknown, position: number): SpecEntry {
  const at = `Input 'spec' entry ${position}`
  if (!isObject(raw)) throw new InputError(`${at} must be a JSON object`)
  const fields = new Map<string, unknown>()
  for (const [key, value] of Object.entries(raw)) {
    const lower = key.toLowerCase()
    if (UNSUPPORTED[lower]) {
      throw new InputError(`${at}: field '${UNSUPPORTED[lower]}' is not supported by this action`)
    }
    const name = SUPPORTED[lower]
    if (!name) {
      throw new InputError(
        `${at}: unknown field '${key}' (known fields: ${Object.values(SUPPORTED).join(', ')})`,
      )
    }
    if (fields.has(name)) throw new InputError(`${at}: field '${name}' is given twice`)
    fields.set(name, value)
  }
  const has = (name: string): boolean => fields.has(name)
  if (has('pattern') && has('aql')) {
    throw new InputError(`${at}: give only one of 'pattern' and 'aql'`)
  }
  // As the JFrog CLI's spec validation: a build or a bundle alone selects all its artifacts.
  if (!has('pattern') && !has('aql') && !has('build') && !has('bundle')) {
    throw new InputError(`${at}: give one of 'pattern', 'aql', 'build' and 'bundle'`)
  }
  for (const name of ['project', 'includeDeps', 'excludeArtifacts']) {
    if (has(name) && !has('build')) throw new InputError(`${at}: '${name}' needs 'build'`)
  }
  for (const [a, b] of [
    ['build', 'limit'],
    ['build', 'offset'],
    ['bundle', 'limit'],
    ['bundle', 'offset'],
    ['aql', 'exclusions'],
    ['aql', 'excludeProps'],
  ]) {
    if (has(a) && has(b)) throw new InputError(`${at}: '${a}' cannot be combined with '${b}'`)
  }
  if (has('sortOrder') && !has('sortBy')) {
    throw new InputError(`${at}: 'sortOrder' needs 'sortBy'`)
  }

  const str = (name: string): string | undefined => {
    const v = fields.get(name)
    if (v === undefined) return undefined
    if (typeof v !== 'string') throw new InputError(`${at}: field '${name}' must be a string`)
    return v
  }
  const bool = (name: string, fallback: boolean): boolean => {
    const v = fields.get(name)
    if (v === undefined) return fallback
    if (v === true || v === false) return v
    if (typeof v === 'string' && /^(true|false)$/i.test(v.trim()))
      return v.trim().toLowerCase() === 'true'
    throw new InputError(
      `${at}: field '${name}' must be true or false (or "true"/"false"), got ${JSON.stringify(v)}`,
    )
  }
  const int = (name: string, min: number): number | undefined => {
    const v = fields.get(name)
    if (v === undefined) return undefined
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN
    if (!Number.isSafeInteger(n) || n < min) {
      throw new InputError(
        `${at}: field '${name}' must be a whole number of at least ${min}, got ${JSON.stringify(v)}`,
      )
    }
    return n
  }
  const props = (name: string): PropPair[] | undefined => {
    const v = str(name)
    if (v === undefined) return undefined
    const parsed = parseProps(v)
    if (typeof parsed === 'string') throw new InputError(`${at}: field '${name}' ${parsed}`)
    return parsed
  }

  const entry: SpecEntry = {
    position,
    target: str('target') ?? '',
    flat: bool('flat', false),
    recursive: bool('recursive', true),
    exclusions: stringList(fields.get('exclusions'), `${at}: field 'exclusions'`) ?? [],
    props: props('props'),
    excludeProps: props('excludeProps'),
    sortBy: stringList(fields.get('sortBy'), `${at}: field 'sortBy'`),
    limit: int('limit', 1),
    offset: int('offset', 0),
    explode: bool('explode', false),
    includeDeps: bool('includeDeps', false),
    excludeArtifacts: bool('excludeArtifacts', false),
    includeDirs: bool('includeDirs', false),
  }
  if (entry.excludeArtifacts && !entry.includeDeps) {
    throw new InputError(
      `${at}: 'excludeArtifacts' without 'includeDeps' selects nothing (set "includeDeps": "true")`,
    )
  }
  const pattern = str('pattern')
  if (pattern !== undefined) entry.pattern = checkPattern(pattern, at, 'pattern')
  for (const e of entry.exclusions) checkPattern(e, at, 'exclusions')
  if (has('aql')) entry.aql = aqlCriteria(fields.get('aql'), at)
  const build = str('build')
  if (build !== undefined) entry.build = parseBuild(build, at)
  const bundle = str('bundle')
  if (bundle !== undefined) entry.bundle = parseBundle(bundle, at)
  const project = str('project')
  if (project !== undefined) entry.project = checkProject(project, `${at}: field 'project'`)
  if (entry.sortBy) {
    if (entry.sortBy.length === 0) throw new InputError(`${at}: field 'sortBy' is empty`)
    const bad = entry.sortBy.find((f) => !SORTABLE.has(f))
    if (bad) {
      throw new InputError(
        `${at}: field 'sortBy' cannot sort by '${bad}' (one of ${[...SORTABLE].join(', ')})`,
      )
    }
  }
  const order = str('sortOrder')
  if (order !== undefined) {
    const lower = order.trim().toLowerCase()
    if (lower !== 'asc' && lower !== 'desc') {
      throw new InputError(`${at}: field 'sortOrder' must be 'asc' or 'desc', got '${order}'`)
    }
    entry.sortOrder = lower
  }
  return entry
}

function checkPattern(value: string, at: string, name: string): string {
  const p = value.trim()
  if (p === '' || p === '/') throw new InputError(`${at}: field '${name}' is empty`)
  if (
    p
      .replace(/^\/+/, '')
      .split('/')
      .some((s) => s === '.' || s === '..')
  ) {
    throw new InputError(`${at}: field '${name}' must not contain '.' or '..' segments: '${p}'`)
  }
  return p
}

function stringList(v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined
  // The JFrog CLI writes lists as arrays; a single string is taken as a one-item list.
  if (typeof v === 'string') return [v]
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) {
    throw new InputError(`${what} must be a list of strings`)
  }
  return v
}

function aqlCriteria(v: unknown, at: string): Record<string, unknown> {
  if (isObject(v)) {
    const keys = Object.keys(v)
    if (keys.length === 1 && keys[0] === 'items.find' && isObject(v['items.find'])) {
      return v['items.find']
    }
  }
  throw new InputError(`${at}: field 'aql' must be {"items.find": {…criteria…}}`)
}

/** `name/number`, or `name` for the latest build; `\/` is a `/` inside the name. */
function parseBuild(value: string, at: string): SpecEntry['build'] {
  const v = value.trim()
  let cut = -1
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\') i++
    else if (v[i] === '/') cut = i
  }
  const unescape = (s: string): string => s.replace(/\\\//g, '/')
  const name = unescape(cut < 0 ? v : v.slice(0, cut))
  const number = cut < 0 ? undefined : unescape(v.slice(cut + 1))
  if (name === '' || number === '') {
    throw new InputError(`${at}: field 'build' must be 'name/number' or 'name', got '${value}'`)
  }
  return { name, number }
}

/**
 * `name/version`, split at the last `/` that is not written `\/`, as jfrog-client-go's
 * ParseNameAndVersion does for bundles: unlike a build, the version is required.
 */
function parseBundle(value: string, at: string): SpecEntry['bundle'] {
  const v = value.trim()
  let cut = -1
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\') i++
    else if (v[i] === '/') cut = i
  }
  const unescape = (s: string): string => s.replace(/\\\//g, '/')
  const name = cut < 0 ? '' : unescape(v.slice(0, cut))
  const version = cut < 0 ? '' : unescape(v.slice(cut + 1))
  if (name === '' || version === '') {
    throw new InputError(`${at}: field 'bundle' must be 'name/version', got '${value}'`)
  }
  return { name, version }
}

/**
 * A JFrog Project key: a lowercase letter, then lowercase letters, digits or '-' (2 to 32 in
 * all); it becomes a query parameter and the name of the project's build-info repository.
 * @throws InputError naming `what`
 */
export function checkProject(value: string, what: string): string {
  const v = value.trim()
  if (!/^[a-z][a-z0-9-]{1,31}$/.test(v)) {
    throw new InputError(
      `${what} must be a JFrog Project key (2 to 32 lowercase letters, digits or '-', starting with a letter), got '${value}'`,
    )
  }
  return v
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
