// The fields of one File Spec entry, collected by the names the JFrog CLI writes and read as
// typed values, so that every message names the entry and the field the same way.
import { InputError } from '../common/errors.ts'
import { parseProps, type PropPair } from './props.ts'

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

/**
 * One entry's fields by the JFrog CLI's spelling. The readers accept what the JFrog CLI
 * accepts: booleans and numbers as JSON values or as strings (`"true"`, `"1"`).
 */
export class SpecEntryFields {
  /** The entry as messages name it ("Input 'spec' entry 2"). */
  readonly at: string
  private readonly values: ReadonlyMap<string, unknown>

  /** @param values by the JFrog CLI's spelling of each field */
  constructor(at: string, values: ReadonlyMap<string, unknown>) {
    this.at = at
    this.values = values
  }

  /** Whether the entry gives the field at all. */
  has(name: string): boolean {
    return this.values.has(name)
  }

  /** The field as written in the JSON, for fields with a shape of their own (`aql`). */
  raw(name: string): unknown {
    return this.values.get(name)
  }

  /** @throws InputError when given and not a string */
  str(name: string): string | undefined {
    const v = this.values.get(name)
    if (v === undefined) return undefined
    if (typeof v !== 'string') throw new InputError(`${this.at}: field '${name}' must be a string`)
    return v
  }

  /** @throws InputError when given and neither a boolean nor "true"/"false" */
  bool(name: string, fallback: boolean): boolean {
    const v = this.values.get(name)
    if (v === undefined) return fallback
    if (v === true || v === false) return v
    if (typeof v === 'string' && /^(true|false)$/i.test(v.trim()))
      return v.trim().toLowerCase() === 'true'
    throw new InputError(
      `${this.at}: field '${name}' must be true or false (or "true"/"false"), got ${JSON.stringify(v)}`,
    )
  }

  /** @throws InputError when given and not a safe whole number of at least `min` */
  int(name: string, min: number): number | undefined {
    const v = this.values.get(name)
    if (v === undefined) return undefined
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN
    if (!Number.isSafeInteger(n) || n < min) {
      throw new InputError(
        `${this.at}: field '${name}' must be a whole number of at least ${min}, got ${JSON.stringify(v)}`,
      )
    }
    return n
  }

  /** `key=value;…` pairs. @throws InputError with `parseProps`'s reason */
  props(name: string): PropPair[] | undefined {
    const v = this.str(name)
    if (v === undefined) return undefined
    const parsed = parseProps(v)
    if (typeof parsed === 'string') throw new InputError(`${this.at}: field '${name}' ${parsed}`)
    return parsed
  }

  /** @throws InputError when given and neither a string nor a list of strings */
  list(name: string): string[] | undefined {
    const v = this.values.get(name)
    if (v === undefined) return undefined
    // The JFrog CLI writes lists as arrays; a single string is taken as a one-item list.
    if (typeof v === 'string') return [v]
    if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) {
      throw new InputError(`${this.at}: field '${name}' must be a list of strings`)
    }
    return v
  }
}

/**
 * Collects an entry's fields, matching their names case-insensitively as the JFrog CLI does.
 * @throws InputError for a field this action does not support, an unknown one, or one given twice
 */
export function readSpecEntryFields(raw: Record<string, unknown>, at: string): SpecEntryFields {
  const values = new Map<string, unknown>()
  for (const [key, value] of Object.entries(raw)) {
    const name = fieldName(key, at)
    if (values.has(name)) throw new InputError(`${at}: field '${name}' is given twice`)
    values.set(name, value)
  }
  return new SpecEntryFields(at, values)
}

/** The JFrog CLI's spelling of `key`; refused here so that a typo is not silently ignored. */
function fieldName(key: string, at: string): string {
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
  return name
}
