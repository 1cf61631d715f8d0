import { withListedChecksums } from './listed-checksums.ts'
import type { Settings } from '../input/settings.ts'
import type { HttpClient } from '../net/http-client.ts'
import { probeCaseInsensitive, type CaseProbe } from './case-probe.ts'
import { checkClashes, plannedBytes } from './downloads.ts'
import type { Download } from '../engine/download.ts'
import { mergeOverlaps } from './overlaps.ts'
import type { EntryFailure } from './entry-failure.ts'
import { resolvePlan } from './resolve.ts'
import type { PlanRetryOptions } from './retrying.ts'
import { shardPlan, sortPlan } from './shard.ts'

/** A finished plan: what this run (or shard) downloads, in order, and what failed to plan. */
export interface Plan {
  /** This shard's files, sorted; never changed after planning. */
  downloads: Download[]
  /** Files planned before sharding. */
  total: number
  /** Entries that produced no download (a pattern that matched nothing, a failed listing). */
  failures: EntryFailure[]
  /** Names that differ only in case are one file in `target`. */
  caseInsensitive: boolean
  /** Names that differ only in Unicode normalization (NFC, NFD) are one file in `target`. */
  normalizationInsensitive: boolean
  /** How the case rule was found, when it was looked for. */
  caseProbe?: CaseProbe
  /** The planned size of all files, and whether every size was known. */
  planned: { bytes: number; complete: boolean }
  /** Files that gained checksums from folder listings (a skip-existing re-run). */
  listedChecksums: number
  /** Folders to create after the downloads (File Spec entries with `includeDirs`), absolute. */
  folders: string[]
  /** Entries that selected nothing, let pass by `if-no-files-found`: one line each. */
  empty: string[]
  /** Every planned destination, every shard's: what `sync-deletes` keeps. */
  allDests: string[]
}

/** What planning needs besides the settings: the client, retries and where to say things. */
export interface PlanDeps extends PlanRetryOptions {
  http: HttpClient
  /** The runner's OS: the case rule's default when the target cannot be probed. */
  platform: NodeJS.Platform
  /** Why a listing could not help with checksums: for the debug log. */
  debug?: (line: string) => void
}

/**
 * Inputs to a finished plan: expands patterns and File Specs, learns whether the target is
 * case-insensitive (clashes and existing copies depend on it), refuses clashes, sorts, keeps
 * this shard's part and, for a re-run, learns existing files' checksums from listings.
 * @throws PlanError when two planned files would be written to one place
 */
export async function planDownloads(settings: Settings, deps: PlanDeps): Promise<Plan> {
  const resolved = await resolvePlan({
    settings,
    http: deps.http,
    policy: deps.policy,
    signal: deps.signal,
    sleep: deps.sleep,
    onRetry: deps.onRetry,
    concurrency: settings.concurrency,
  })
  const unique = mergeOverlaps(resolved.downloads)
  const caseProbe = await checkedCaseRule(unique, settings, deps.platform)
  const sorted = sortPlan(unique)
  const sharded = settings.shard
    ? shardPlan(sorted, settings.shard.index, settings.shard.count)
    : sorted
  const { downloads, known } = await withListed(sharded, settings, deps)
  return {
    downloads,
    total: sorted.length,
    failures: resolved.failures,
    caseInsensitive: caseProbe?.caseInsensitive ?? false,
    normalizationInsensitive: caseProbe?.normalizationInsensitive ?? false,
    caseProbe,
    planned: plannedBytes(downloads),
    listedChecksums: known,
    folders: resolved.folders,
    empty: resolved.empty,
    allDests: settings.syncDeletes ? sorted.map((d) => d.dest) : [],
  }
}

/**
 * The target's case rule, and the clashes it makes refused; not looked for when one file
 * with nothing to compare against cannot clash.
 * @throws PlanError when two planned files would be written to one place
 */
async function checkedCaseRule(
  unique: Download[],
  settings: Settings,
  platform: NodeJS.Platform,
): Promise<CaseProbe | undefined> {
  // Archive members are checked for clashes too, so extraction needs the rule even for one file.
  if (!(unique.length > 1 || settings.skipExisting || settings.extract)) return undefined
  const caseProbe = await probeCaseInsensitive(settings.target, platform, {
    write: !settings.dryRun,
  })
  checkClashes(unique, {
    caseInsensitive: caseProbe.caseInsensitive,
    normalizationInsensitive: caseProbe.normalizationInsensitive,
  })
  return caseProbe
}

/** A re-run learns existing files' checksums from listings: new downloads, the plan's untouched. */
async function withListed(
  sharded: Download[],
  settings: Settings,
  deps: PlanDeps,
): Promise<{ downloads: Download[]; known: number }> {
  if (!(settings.skipExisting && settings.url)) return { downloads: sharded, known: 0 }
  return withListedChecksums(sharded, {
    http: deps.http,
    url: settings.url,
    signal: deps.signal,
    debug: deps.debug,
  })
}
