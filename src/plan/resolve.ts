import { underNamedRepo } from '../artifactory/virtual.ts'
import type { Entry } from '../input/entries.ts'
import { attemptsOf, messageOf } from '../common/errors.ts'
import type { HttpClient } from '../net/http-client.ts'
import { patternPrefix, planMatches, type ListedFile } from './patterns.ts'
import { planFiles, type Download, type PlanSettings } from './downloads.ts'
import { resolveSpec } from './resolve-spec.ts'
import { folderKey, listFolderOnce } from './folder-listing.ts'
import { retrying, type PlanRetryOptions } from './retrying.ts'
import type { SpecEntry } from '../input/file-spec.ts'
import type { BodyLimits } from '../artifactory/json-body.ts'

/** A `paths` entry that produced no download: a pattern that matched nothing, a failed listing. */
export interface EntryFailure {
  entry: Entry
  message: string
  /** How messages name it when it is not a `paths` line, e.g. "spec entry 2". */
  label?: string
  /** Requests made for it when its listing failed after retries (the report says the count). */
  attempts?: number
}

export interface ResolveOptions extends PlanRetryOptions {
  settings: PlanSettings & {
    url?: string
    entries: Entry[]
    exclude: string[]
    spec?: SpecEntry[]
  }
  http: HttpClient
  /** Listings at once. */
  concurrency: number
  /** Bounds of each listing or AQL answer (tests make them small). */
  listingLimits?: BodyLimits
}

/**
 * The whole plan: explicit files as they are, patterns expanded by listing the server (the
 * File List API, or AQL when it is refused). A pattern that fails or matches nothing is an
 * entry failure; the other entries go on.
 */
export async function resolvePlan(
  o: ResolveOptions,
): Promise<{ downloads: Download[]; failures: EntryFailure[] }> {
  const downloads = planFiles(o.settings.entries, o.settings)
  const { spec, url, target } = o.settings
  // File Spec entries resolve alongside the patterns below (resolve-spec.ts).
  const specResolved = spec?.length
    ? resolveSpec({ ...o, spec, url: url as string, target, names: o.settings.names })
    : undefined
  // Only a cancellation rejects it; it is awaited below, after the patterns.
  specResolved?.catch(() => undefined)
  const failures: EntryFailure[] = []
  const patterns = o.settings.entries.filter((e) => e.pattern)
  const listings = new Map<string, Promise<ListedFile[]>>()
  let next = 0
  const results: {
    entry: Entry
    downloads?: Download[]
    refused?: string[]
    error?: string
    attempts?: number
  }[] = []
  const worker = async (): Promise<void> => {
    while (next < patterns.length) {
      const entry = patterns[next++]
      try {
        const listed = await listOnce(listings, entry, o)
        results.push({
          entry,
          ...planMatches(entry, listed, o.settings.exclude, o.settings, o.settings.url as string),
        })
      } catch (err) {
        results.push({ entry, error: messageOf(err), attempts: attemptsOf(err) })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(o.concurrency, patterns.length) }, worker))
  results.sort((a, b) => a.entry.line - b.entry.line)
  for (const r of results) {
    // A loop, not push(...): an argument spread of a large plan overflows the stack (~125,000).
    if (r.downloads) for (const d of r.downloads) downloads.push(d)
    // Each match the runner's OS cannot create fails alone: every one is named, not the first.
    for (const message of r.refused ?? []) failures.push({ entry: r.entry, message })
    if (r.error !== undefined)
      failures.push({ entry: r.entry, message: r.error, attempts: r.attempts })
  }
  if (specResolved) {
    const resolved = await specResolved
    for (const d of resolved.downloads) downloads.push(d)
    for (const f of resolved.failures) failures.push(f)
  }
  return { downloads, failures }
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
