import type { Entry, PatternEntry } from '../input/entries.ts'
import { InputError } from '../common/errors.ts'
import type { Download } from '../engine/download.ts'
import { planFiles } from './downloads.ts'
import { resolveSpec, type SpecResolved } from './resolve-spec.ts'
import type { EntryFailure } from './entry-failure.ts'
import { resolvePatterns, type PatternResolveOptions } from './resolve-patterns.ts'
import type { SpecEntry } from '../input/file-spec.ts'

export interface ResolveOptions extends PatternResolveOptions {
  settings: PatternResolveOptions['settings'] & {
    url?: string
    entries: Entry[]
    spec?: SpecEntry[]
    /** The `project` input, for build entries that name none. */
    project?: string
  }
}

/** The plan before sharding: what to download, folders to create, and what planned nothing. */
export interface Resolved {
  downloads: Download[]
  failures: EntryFailure[]
  /** Folders File Spec entries with `includeDirs` found, absolute. */
  folders: string[]
  /** Entries that selected nothing, let pass by `if-no-files-found`: one line each. */
  empty: string[]
}

/**
 * The whole plan: explicit files as they are, patterns expanded by listing the server (the
 * File List API, or AQL when it is refused), File Spec entries alongside them. An entry that
 * fails or matches nothing is an entry failure (matching nothing is not, with
 * `if-no-files-found: warn` or `ignore`); the other entries go on.
 */
export async function resolvePlan(o: ResolveOptions): Promise<Resolved> {
  const files = planFiles(o.settings.entries, o.settings)
  const specResolved = startSpec(o)
  // Only a cancellation rejects it; it is awaited below, after the patterns.
  specResolved?.catch(() => undefined)
  const patterns = o.settings.entries.filter((e): e is PatternEntry => e.pattern)
  const resolved: Resolved = { downloads: files, failures: [], folders: [], empty: [] }
  append(resolved, await resolvePatterns(patterns, o))
  if (specResolved) {
    const spec = await specResolved
    append(resolved, spec)
    resolved.folders = spec.folders
  }
  return resolved
}

/** The File Spec's entries, resolving while the patterns are listed; undefined without a spec. */
function startSpec(o: ResolveOptions): Promise<SpecResolved> | undefined {
  const { spec, url, target, names, project, ifNoFilesFound = 'error' } = o.settings
  if (!spec?.length) return undefined
  // The settings refuse this already (spec-input.ts): a caller that builds its own is told so too.
  if (url === undefined) return Promise.reject(new InputError(SPEC_NEEDS_URL))
  return resolveSpec({ ...o, spec, url, target, names, project, ifNoFilesFound })
}

const SPEC_NEEDS_URL =
  "Input 'spec' needs input 'url': spec patterns are relative to the Artifactory URL"

/** Adds `more`'s downloads, failures and empty entries to `to`, after its own. */
function append(to: Resolved, more: Pick<Resolved, 'downloads' | 'failures' | 'empty'>): void {
  // A loop, not push(...): an argument spread of a large plan overflows the stack.
  for (const d of more.downloads) to.downloads.push(d)
  for (const f of more.failures) to.failures.push(f)
  for (const e of more.empty) to.empty.push(e)
}
