import pMap from 'p-map'
// File Spec entries into downloads: plain patterns through the listing the `paths` patterns
// use (File List API, AQL when it is refused), everything else through one AQL query per
// entry. Matching and destinations follow the JFrog CLI (see spec-pattern.ts).
import * as path from 'node:path'
import { entryQuery, findItems, type AqlItem } from '../artifactory/aql-query.ts'
import { entryBuilds } from './build-set.ts'
import { NoMatchError, type IfNoFilesFound } from './no-match.ts'
import type { HttpClient } from '../net/http-client.ts'
import { attemptsOf, messageOf, PlanError } from '../common/errors.ts'
import { serverText } from '../common/server-text.ts'
import { artifactUrl } from '../input/entries.ts'
import type { SpecEntry } from '../input/file-spec.ts'
import type { Download } from '../engine/download.ts'
import { patternPrefix } from './patterns.ts'
import type { ListedFile } from '../artifactory/remote-file.ts'
import {
  compileSpecPattern,
  exclusionMatcher,
  fullPath,
  specDestination,
  specMatches,
  type SpecPattern,
} from './spec-pattern.ts'
import type { EntryFailure } from './entry-failure.ts'
import { listFolderOnce } from './folder-listing.ts'
import { retrying, type PlanRetryOptions } from './retrying.ts'
import { pathNameProblem, rulesOs, unsafeName, type NameRules } from '../common/file-names.ts'

/** Real servers answer 400 to longer queries: said before sending, in words. */
export const MAX_AQL_LENGTH = 6000

export interface SpecResolveOptions extends PlanRetryOptions {
  spec: SpecEntry[]
  /** Artifactory base URL. */
  url: string
  /** The action's `target`: relative spec targets are below it. */
  target: string
  http: HttpClient
  /** Entries resolved at once. */
  concurrency: number
  /** Which names can exist on the runner (default `posix`): as for `paths` patterns. */
  names?: NameRules
  /** The `project` input: the JFrog Project of every build entry that names none. */
  project?: string
  /** Whether an entry that selects nothing fails (`error`, the default) or not. */
  ifNoFilesFound?: IfNoFilesFound
}

/** What the spec's entries resolved to. */
export interface SpecResolved {
  downloads: Download[]
  /** Folders to create (entries with `includeDirs`), absolute, each once, in spec order. */
  folders: string[]
  failures: EntryFailure[]
  /** Entries that selected nothing, when `if-no-files-found` lets that pass: why, one each. */
  empty: string[]
}

/** What one entry resolved to. */
interface EntryResolved {
  downloads: Download[]
  folders: string[]
  /** Why each selected file the runner's OS cannot create is left out: each fails alone. */
  refused: string[]
}

/** How messages name a spec entry. */
export function specLabel(entry: SpecEntry): string {
  return `spec entry ${entry.position}`
}

/** Whether an entry resolves like a `paths` pattern (listing first) rather than through AQL. */
export function isPlainPattern(entry: SpecEntry, p: SpecPattern | undefined): boolean {
  return (
    p !== undefined &&
    !p.repoWildcard &&
    !entry.props &&
    !entry.excludeProps &&
    !entry.build &&
    !entry.bundle &&
    !entry.includeDirs &&
    !entry.sortBy &&
    entry.limit === undefined &&
    entry.offset === undefined
  )
}

/**
 * Resolves every spec entry; an entry that fails or matches nothing is an entry failure and
 * the others go on. Downloads come back in spec order.
 */
export async function resolveSpec(o: SpecResolveOptions): Promise<SpecResolved> {
  const listings = new Map<string, Promise<ListedFile[]>>()
  const results = await pMap(
    o.spec,
    async (
      entry,
    ): Promise<EntryResolved | { message: string; attempts?: number; none: boolean }> => {
      try {
        return await resolveEntry(entry, o, listings)
      } catch (err) {
        if (o.signal.aborted) throw err
        const none = err instanceof NoMatchError
        return { message: messageOf(err), attempts: attemptsOf(err), none }
      }
    },
    { concurrency: Math.max(1, o.concurrency) },
  )
  const out: SpecResolved = { downloads: [], folders: [], failures: [], empty: [] }
  const folders = new Set<string>()
  results.forEach((r, i) => {
    const entry = o.spec[i]
    const failure = (message: string, attempts?: number): EntryFailure => ({
      line: entry.position,
      source: entrySource(entry),
      label: specLabel(entry),
      message: `${specLabel(entry)}: ${message}`,
      attempts,
    })
    if ('downloads' in r) {
      for (const d of r.downloads) out.downloads.push(d)
      for (const f of r.folders) folders.add(f)
      // Each match the runner's OS cannot create fails alone: every one is named.
      for (const message of r.refused) out.failures.push(failure(message))
    } else if (r.none && (o.ifNoFilesFound ?? 'error') !== 'error') {
      out.empty.push(`${specLabel(entry)}: ${r.message}`)
    } else out.failures.push(failure(r.message, r.attempts))
  })
  out.folders = [...folders]
  return out
}

/** What an entry is called in a failure line: its pattern, or what else selects. */
function entrySource(entry: SpecEntry): string {
  if (entry.pattern !== undefined) return entry.pattern
  if (entry.aql) return 'aql'
  if (entry.build)
    return `build ${entry.build.name}${entry.build.number ? `/${entry.build.number}` : ''}`
  return entry.bundle ? `bundle ${entry.bundle.name}/${entry.bundle.version}` : 'aql'
}

async function resolveEntry(
  entry: SpecEntry,
  o: SpecResolveOptions,
  listings: Map<string, Promise<ListedFile[]>>,
): Promise<EntryResolved> {
  const p = entry.pattern
    ? compileSpecPattern(entry.pattern, entry.target, entry.recursive)
    : undefined
  const excluded = exclusionMatcher(entry.exclusions)
  const retry = retrying(o, specLabel(entry))

  let found: AqlItem[]
  let buildText = ''
  // Offset and limit count what is left after the exclusions: with exclusions they are
  // applied here, after filtering, not by the server.
  const paginateHere = entry.exclusions.length > 0
  if (isPlainPattern(entry, p)) {
    // Two entries under one folder share one listing. AQL on a virtual repository names its
    // members' keys: they are mapped to the named repository below.
    const { repo, below } = p as SpecPattern
    const prefix = patternPrefix(`${repo}/${below}`)
    found = (await listFolderOnce(listings, prefix, o, retry)).map(toItem)
  } else {
    const builds = entry.build
      ? await entryBuilds(entry.build, entry.project ?? o.project, o, retry)
      : undefined
    if (builds) {
      const more = builds.length > 1 ? ` and ${builds.length - 1} appended to it` : ''
      buildText = ` in build '${builds[0].name}/${builds[0].number}'${more}`
    }
    if (entry.bundle) buildText += ` of bundle '${entry.bundle.name}/${entry.bundle.version}'`
    const query = entryQuery(entry, p, builds, !paginateHere)
    if (query.length > MAX_AQL_LENGTH) {
      throw new PlanError(
        `its AQL query is ${query.length} characters; Artifactory refuses queries over ${MAX_AQL_LENGTH} (shorten the aql, props or pattern, or split the entry)`,
      )
    }
    found = await retry('AQL search', () =>
      findItems(o.http, o.url, query, o.signal, entry.includeDirs),
    )
  }

  const byPath = new Map<string, { item: AqlItem; conflicting: boolean }>()
  const folderItems: AqlItem[] = []
  for (const raw of found) {
    const below = raw.path === '.' ? raw.name : `${raw.path}/${raw.name}`
    const reason = unsafeName(below) ?? unsafeName(raw.repo)
    if (reason || raw.repo.includes('/')) {
      throw new PlanError(
        `the server named '${JSON.stringify(`${raw.repo}/${below}`).slice(1, -1)}', which ${reason ?? 'has a / in its repository'}; refusing the whole entry`,
      )
    }
    // A virtual repository's results name its members: download through the repository the
    // user named, and lay files out under that name.
    const item = p && !p.repoWildcard && raw.repo !== p.repo ? { ...raw, repo: p.repo } : raw
    if ((p && !specMatches(p, item)) || excluded(item)) continue
    if (item.folder) {
      folderItems.push(item)
      continue
    }
    const key = fullPath(item)
    const seen = byPath.get(key)
    if (!seen) byPath.set(key, { item, conflicting: false })
    else if (seen.item.sha256 !== item.sha256 || seen.item.sha1 !== item.sha1) {
      // Two members hold different files under one path: which one the virtual serves is its
      // own resolution order, so the listed checksums cannot be trusted; the headers decide.
      seen.conflicting = true
    }
  }
  let kept = [...byPath.values()]
  if (paginateHere && (entry.offset !== undefined || entry.limit !== undefined)) {
    const from = entry.offset ?? 0
    kept = kept.slice(from, entry.limit === undefined ? undefined : from + entry.limit)
  }
  // Folders found (includeDirs) are something matched, as for `jf rt dl --include-dirs`.
  if (kept.length === 0 && folderItems.length === 0) {
    const what =
      entry.pattern !== undefined
        ? `'${entry.pattern}' matched no file`
        : entry.aql
          ? 'the AQL query matched no file'
          : 'found no file'
    const filters = [
      entry.props && 'props',
      entry.excludeProps && 'excludeProps',
      entry.exclusions.length > 0 && 'exclusions',
    ].filter(Boolean)
    throw new NoMatchError(
      `${what}${buildText}${filters.length ? ` (with ${filters.join(', ')})` : ''}`,
    )
  }
  const downloads: Download[] = []
  const folders: string[] = []
  const refused: string[] = []
  for (const item of folderItems) {
    const relative = specDestination(p, entry.target, entry.flat, item)
    const problem = nameProblem(relative, fullPath(item), o)
    if (problem) refused.push(problem)
    else folders.push(destination(o.target, relative, entry, fullPath(item)))
  }
  for (const { item, conflicting } of kept) {
    const source = fullPath(item)
    const relative = specDestination(p, entry.target, entry.flat, item)
    const problem = nameProblem(relative, source, o)
    if (problem) {
      refused.push(problem)
      continue
    }
    downloads.push({
      source,
      url: artifactUrl(o.url, source),
      dest: destination(o.target, relative, entry, source),
      size: conflicting ? undefined : item.size,
      checksums: conflicting ? {} : { sha256: item.sha256, sha1: item.sha1, md5: item.md5 },
      line: entry.position,
      label: specLabel(entry),
      ...(entry.explode ? { extract: true } : {}),
    })
  }
  return { downloads, folders, refused }
}

/**
 * As for a 'paths' pattern: a name this OS cannot create (a device name, a ':' that NTFS
 * reads as a stream) fails that file alone, said in words. A drive letter the target wrote is
 * not a name.
 */
function nameProblem(relative: string, source: string, o: SpecResolveOptions): string | undefined {
  const problem = pathNameProblem(relative.replace(/^[a-zA-Z]:/, ''), o.names ?? 'posix')
  if (!problem) return undefined
  return `the server named '${serverText(source, 200)}', which cannot be written on ${rulesOs(o.names ?? 'posix')} (as '${serverText(relative, 200)}'): ${problem}; that file is not downloaded (add it to 'exclusions' to leave it out)`
}

/**
 * A spec target is relative to the action's `target`, or absolute as written (the JFrog CLI
 * writes relative to the working directory). What came from the server was checked already.
 */
function destination(target: string, relative: string, entry: SpecEntry, source: string): string {
  if (relative.includes('\0')) {
    throw new PlanError(`the destination of '${source}' contains a NUL character`)
  }
  const dest =
    path.isAbsolute(relative) || /^[a-zA-Z]:[/\\]/.test(relative)
      ? path.resolve(relative)
      : path.resolve(target, relative)
  if (dest === target || dest === path.parse(dest).root) {
    throw new PlanError(
      `${specLabel(entry)} would write '${source}' to the folder ${dest} itself; give the target a file name or end it with '/'`,
    )
  }
  return dest
}

/** A listed `repo/path/name` split as AQL splits it. */
function toItem(f: ListedFile): AqlItem {
  const parts = f.path.split('/')
  return {
    repo: parts[0],
    path: parts.length > 2 ? parts.slice(1, -1).join('/') : '.',
    name: parts[parts.length - 1],
    size: f.size,
    sha256: f.sha256,
    sha1: f.sha1,
  }
}
