import pMap from 'p-map'
import { underNamedRepo } from '../artifactory/virtual.ts'
import type { Entry } from '../input/entries.ts'
import { attemptsOf, messageOf } from '../common/errors.ts'
import type { HttpClient } from '../net/http-client.ts'
import { patternPrefix, planMatches } from './patterns.ts'
import type { ListedFile } from '../artifactory/remote-file.ts'
import type { Download } from '../engine/download.ts'
import { planFiles, type PlanSettings } from './downloads.ts'
import { resolveSpec } from './resolve-spec.ts'
import type { EntryFailure } from './entry-failure.ts'
import { NoMatchError, type IfNoFilesFound } from './no-match.ts'
import { folderKey, listFolderOnce } from './folder-listing.ts'
import { retrying, type PlanRetryOptions } from './retrying.ts'
import type { SpecEntry } from '../input/file-spec.ts'
import type { BodyLimits } from '../artifactory/json-body.ts'

export interface ResolveOptions extends PlanRetryOptions {
  settings: PlanSettings & {
    url?: string
    entries: Entry[]
    exclude: string[]
    spec?: SpecEntry[]
    /** The `project` input, for build entries that name none. */
    project?: string
    ifNoFilesFound?: IfNoFilesFound
  }
  http: HttpClient
  /** Listings at once. */
  concurrency: number
  /** Bounds of each listing or AQL answer (tests make them small). */
  listingLimits?: BodyLimits
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
 * File List API, or AQL when it is refused). A pattern that fails or matches nothing is an
 * entry failure (matching nothing is not, with `if-no-files-found: warn` or `ignore`); the
 * other entries go on.
 */
export async function resolvePlan(o: ResolveOptions): Promise<Resolved> {
  const downloads = planFiles(o.settings.entries, o.settings)
  const { spec, url, target, project, ifNoFilesFound = 'error' } = o.settings
  // File Spec entries resolve alongside the patterns below (resolve-spec.ts).
  const specResolved = spec?.length
    ? resolveSpec({
        ...o,
        spec,
        url: url as string,
        target,
        names: o.settings.names,
        project,
        ifNoFilesFound,
      })
    : undefined
  // Only a cancellation rejects it; it is awaited below, after the patterns.
  specResolved?.catch(() => undefined)
  const failures: EntryFailure[] = []
  const patterns = o.settings.entries.filter((e) => e.pattern)
  const listings = new Map<string, Promise<ListedFile[]>>()
  // In entry order, whatever order the listings answer in.
  const results = await pMap(
    patterns,
    async (
      entry,
    ): Promise<{
      entry: Entry
      downloads?: Download[]
      refused?: string[]
      error?: string
      attempts?: number
      none?: boolean
    }> => {
      try {
        const listed = await listOnce(listings, entry, o)
        return {
          entry,
          ...planMatches(entry, listed, o.settings.exclude, o.settings, o.settings.url as string),
        }
      } catch (err) {
        const none = err instanceof NoMatchError
        return { entry, error: messageOf(err), attempts: attemptsOf(err), none }
      }
    },
    { concurrency: Math.max(1, o.concurrency) },
  )
  const empty: string[] = []
  for (const r of results) {
    // A loop, not push(...): an argument spread of a large plan overflows the stack (~125,000).
    if (r.downloads) for (const d of r.downloads) downloads.push(d)
    // Each match the runner's OS cannot create fails alone: every one is named, not the first.
    for (const message of r.refused ?? [])
      failures.push({ line: r.entry.line, source: r.entry.source, message })
    if (r.error === undefined) continue
    if (r.none && ifNoFilesFound !== 'error') empty.push(`line ${r.entry.line}: ${r.error}`)
    else
      failures.push({
        line: r.entry.line,
        source: r.entry.source,
        message: r.error,
        attempts: r.attempts,
      })
  }
  let folders: string[] = []
  if (specResolved) {
    const resolved = await specResolved
    for (const d of resolved.downloads) downloads.push(d)
    for (const f of resolved.failures) failures.push(f)
    for (const e of resolved.empty) empty.push(e)
    folders = resolved.folders
  }
  return { downloads, failures, folders, empty }
}

/** Two patterns under one folder share one listing. */
function listOnce(
  cache: Map<string, Promise<ListedFile[]>>,
  entry: Entry,
  o: ResolveOptions,
): Promise<ListedFile[]> {
  const prefix = patternPrefix(entry.repoPath as string)
  return listFolderOnce(
    cache,
    prefix,
    {
      http: o.http,
      url: o.settings.url as string,
      signal: o.signal,
      listingLimits: o.listingLimits,
    },
    retrying(o, folderKey(prefix)),
    // The `paths` patterns lay files out under the repository the user named.
    (listed) => underNamedRepo(listed, prefix.repo),
  )
}
