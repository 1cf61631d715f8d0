// The `paths` patterns into downloads: each listed once per folder (the File List API, or AQL
// when it is refused) and matched against what the server listed.
import pMap from 'p-map'
import { underNamedRepo } from '../artifactory/virtual.ts'
import type { BodyLimits } from '../artifactory/json-body.ts'
import type { ListedFile } from '../artifactory/remote-file.ts'
import { attemptsOf, messageOf } from '../common/errors.ts'
import type { Download } from '../engine/download.ts'
import type { PatternEntry } from '../input/entries.ts'
import type { HttpClient } from '../net/http-client.ts'
import type { PlanSettings } from './downloads.ts'
import type { EntryFailure } from './entry-failure.ts'
import { folderKey, listFolderOnce } from './folder-listing.ts'
import { NoMatchError, type IfNoFilesFound } from './no-match.ts'
import { patternPrefix, planMatches } from './patterns.ts'
import { retrying, type PlanRetryOptions } from './retrying.ts'

/** What resolving the `paths` patterns needs. */
export interface PatternResolveOptions extends PlanRetryOptions {
  settings: PlanSettings & { exclude: string[]; ifNoFilesFound?: IfNoFilesFound }
  http: HttpClient
  /** Listings at once. */
  concurrency: number
  /** Bounds of each listing or AQL answer (tests make them small). */
  listingLimits?: BodyLimits
}

/** What the patterns resolved to, in entry order. */
export interface PatternsResolved {
  downloads: Download[]
  failures: EntryFailure[]
  /** Patterns that matched nothing, let pass by `if-no-files-found`: one line each. */
  empty: string[]
}

/** What one pattern came to: its matches, or why it has none. */
type Outcome =
  | { entry: PatternEntry; downloads: Download[]; refused: string[] }
  | { entry: PatternEntry; error: string; attempts?: number; none: boolean }

/**
 * Expands each pattern by listing the server. A pattern that fails or matches nothing is an
 * entry failure (matching nothing is not, with `if-no-files-found: warn` or `ignore`); the
 * other patterns go on.
 */
export async function resolvePatterns(
  patterns: PatternEntry[],
  o: PatternResolveOptions,
): Promise<PatternsResolved> {
  const listings = new Map<string, Promise<ListedFile[]>>()
  // In entry order, whatever order the listings answer in.
  const outcomes = await pMap(patterns, (entry) => outcomeOf(entry, listings, o), {
    concurrency: Math.max(1, o.concurrency),
  })
  return collect(outcomes, o.settings.ifNoFilesFound ?? 'error')
}

async function outcomeOf(
  entry: PatternEntry,
  listings: Map<string, Promise<ListedFile[]>>,
  o: PatternResolveOptions,
): Promise<Outcome> {
  try {
    const listed = await listOnce(listings, entry, o)
    return { entry, ...planMatches(entry, listed, o.settings.exclude, o.settings) }
  } catch (err) {
    const none = err instanceof NoMatchError
    return { entry, error: messageOf(err), attempts: attemptsOf(err), none }
  }
}

/** Two patterns under one folder share one listing. */
function listOnce(
  cache: Map<string, Promise<ListedFile[]>>,
  entry: PatternEntry,
  o: PatternResolveOptions,
): Promise<ListedFile[]> {
  const prefix = patternPrefix(entry.repoPath)
  return listFolderOnce(
    cache,
    prefix,
    {
      http: o.http,
      url: entry.baseUrl,
      signal: o.signal,
      listingLimits: o.listingLimits,
    },
    retrying(o, folderKey(prefix)),
    // The `paths` patterns lay files out under the repository the user named.
    (listed) => underNamedRepo(listed, prefix.repo),
  )
}

/** The outcomes as one result: downloads, failures and the empty patterns let pass. */
function collect(outcomes: Outcome[], ifNoFilesFound: IfNoFilesFound): PatternsResolved {
  const out: PatternsResolved = { downloads: [], failures: [], empty: [] }
  for (const r of outcomes) {
    const { line, source } = r.entry
    if ('downloads' in r) {
      // A loop, not push(...): an argument spread of a large plan overflows the stack.
      for (const d of r.downloads) out.downloads.push(d)
      // Each match the runner's OS cannot create fails alone: every one is named, not the first.
      for (const message of r.refused) out.failures.push({ line, source, message })
    } else if (r.none && ifNoFilesFound !== 'error') out.empty.push(`line ${line}: ${r.error}`)
    else out.failures.push({ line, source, message: r.error, attempts: r.attempts })
  }
  return out
}
