// A JFrog File Spec (`{"files":[…]}`) read as `jf rt download --spec` reads it, and refused
// before any request when it asks for something this action would not do the same way.
import { InputError } from '../common/errors.ts'
import type { PropPair } from './props.ts'
import { readSpecEntryFields, type SpecEntryFields } from './spec-entry-fields.ts'

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

/**
 * One entry of `files`. The checks keep one order (names, combinations, values, selection,
 * sorting) so that, of several problems in an entry, the same one is named first.
 */
function parseEntry(raw: unknown, position: number): SpecEntry {
  const at = `Input 'spec' entry ${position}`
  if (!isObject(raw)) throw new InputError(`${at} must be a JSON object`)
  const fields = readSpecEntryFields(raw, at)
  checkCombinations(fields)
  const options = entryOptions(fields)
  return {
    position,
    ...options,
    ...entrySelection(fields, options.exclusions),
    ...entryOrder(fields, options.sortBy),
  }
}

/** Pairs of fields that cannot work together, refused before any field's value is read. */
function checkCombinations(fields: SpecEntryFields): void {
  const { at } = fields
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
  for (const [a, b] of EXCLUSIVE) {
    if (has(a) && has(b)) throw new InputError(`${at}: '${a}' cannot be combined with '${b}'`)
  }
  if (has('sortOrder') && !has('sortBy')) {
    throw new InputError(`${at}: 'sortOrder' needs 'sortBy'`)
  }
}

/** Fields that `checkCombinations` refuses together: the first selects what the second narrows. */
const EXCLUSIVE: [string, string][] = [
  ['build', 'limit'],
  ['build', 'offset'],
  ['bundle', 'limit'],
  ['bundle', 'offset'],
  ['aql', 'exclusions'],
  ['aql', 'excludeProps'],
]

/** The fields every entry has, with their defaults when absent. */
function entryOptions(fields: SpecEntryFields) {
  const entry = {
    target: fields.str('target') ?? '',
    flat: fields.bool('flat', false),
    recursive: fields.bool('recursive', true),
    exclusions: fields.list('exclusions') ?? [],
    props: fields.props('props'),
    excludeProps: fields.props('excludeProps'),
    sortBy: fields.list('sortBy'),
    limit: fields.int('limit', 1),
    offset: fields.int('offset', 0),
    explode: fields.bool('explode', false),
    includeDeps: fields.bool('includeDeps', false),
    excludeArtifacts: fields.bool('excludeArtifacts', false),
    includeDirs: fields.bool('includeDirs', false),
  } satisfies Partial<SpecEntry>
  if (entry.excludeArtifacts && !entry.includeDeps) {
    throw new InputError(
      `${fields.at}: 'excludeArtifacts' without 'includeDeps' selects nothing (set "includeDeps": "true")`,
    )
  }
  return entry
}

type Selection = Pick<SpecEntry, 'pattern' | 'aql' | 'build' | 'bundle' | 'project'>

/** What the entry downloads; a field absent from the spec stays absent from the entry. */
function entrySelection(fields: SpecEntryFields, exclusions: string[]): Selection {
  const { at } = fields
  const selection: Selection = {}
  const pattern = fields.str('pattern')
  if (pattern !== undefined) selection.pattern = checkPattern(pattern, at, 'pattern')
  for (const e of exclusions) checkPattern(e, at, 'exclusions')
  if (fields.has('aql')) selection.aql = aqlCriteria(fields.raw('aql'), at)
  const build = fields.str('build')
  if (build !== undefined) selection.build = parseBuild(build, at)
  const bundle = fields.str('bundle')
  if (bundle !== undefined) selection.bundle = parseBundle(bundle, at)
  const project = fields.str('project')
  if (project !== undefined) selection.project = checkProject(project, `${at}: field 'project'`)
  return selection
}

/** Checks `sortBy` against what AQL can sort by, and reads `sortOrder` (absent when not given). */
function entryOrder(
  fields: SpecEntryFields,
  sortBy: string[] | undefined,
): Pick<SpecEntry, 'sortOrder'> {
  const { at } = fields
  if (sortBy) {
    if (sortBy.length === 0) throw new InputError(`${at}: field 'sortBy' is empty`)
    const bad = sortBy.find((f) => !SORTABLE.has(f))
    if (bad) {
      throw new InputError(
        `${at}: field 'sortBy' cannot sort by '${bad}' (one of ${[...SORTABLE].join(', ')})`,
      )
    }
  }
  const order = fields.str('sortOrder')
  if (order === undefined) return {}
  const lower = order.trim().toLowerCase()
  if (lower !== 'asc' && lower !== 'desc') {
    throw new InputError(`${at}: field 'sortOrder' must be 'asc' or 'desc', got '${order}'`)
  }
  return { sortOrder: lower }
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
  const [name, number] = splitAtLastSlash(value) ?? [unescapeSlashes(value.trim()), undefined]
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
  const [name, version] = splitAtLastSlash(value) ?? ['', '']
  if (name === '' || version === '') {
    throw new InputError(`${at}: field 'bundle' must be 'name/version', got '${value}'`)
  }
  return { name, version }
}

/**
 * `value` trimmed and cut at its last `/` that is not written `\/`, both sides unescaped;
 * undefined when it has no such `/`.
 */
function splitAtLastSlash(value: string): [string, string] | undefined {
  const v = value.trim()
  let cut = -1
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '\\') i++
    else if (v[i] === '/') cut = i
  }
  if (cut < 0) return undefined
  return [unescapeSlashes(v.slice(0, cut)), unescapeSlashes(v.slice(cut + 1))]
}

function unescapeSlashes(s: string): string {
  return s.replace(/\\\//g, '/')
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
