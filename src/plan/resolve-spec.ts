import pMap from 'p-map'
// File Spec entries into downloads: plain patterns through the listing the `paths` patterns
// use (File List API, AQL when it is refused), everything else through one AQL query per
// entry. Matching and destinations follow the JFrog CLI (see spec-pattern.ts).
import * as path from 'node:path'
import { entryQuery, findItems, type AqlItem } from '../artifactory/aql-query.ts'
import type { BuildRef } from '../artifactory/builds.ts'
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
import { retrying, type PlanRetryOptions, type Retrying } from './retrying.ts'
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

/** One entry: what the server has that it selects, checked, filtered and placed. */
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
  // Offset and limit count what is left after the exclusions: with exclusions they are
  // applied here, after filtering, not by the server.
  const paginateHere = entry.exclusions.length > 0
  const { found, buildText } = isPlainPattern(entry, p)
    ? { found: await listedItems(p as SpecPattern, o, listings, retry), buildText: '' }
    : await searchedItems(entry, p, o, retry, !paginateHere)
  const { files, folderItems } = selectItems(found, p, excluded)
  const kept = paginateHere ? paginate(files, entry.offset, entry.limit) : files
  // Folders found (includeDirs) are something matched, as for `jf rt dl --include-dirs`.
  if (kept.length === 0 && folderItems.length === 0) throw noMatch(entry, buildText)
  return placeItems(entry, p, kept, folderItems, o)
}

/** What the server found for an entry, and how a no-match message names its build or bundle. */
interface Found {
  found: AqlItem[]
  /** ` in build 'name/number'…`, ` of bundle 'name/version'`, or ''. */
  buildText: string
}

/**
 * Two entries under one folder share one listing. AQL on a virtual repository names its
 * members' keys: `selectItems` maps them to the named repository.
 */
async function listedItems(
  p: SpecPattern,
  o: SpecResolveOptions,
  listings: Map<string, Promise<ListedFile[]>>,
  retry: Retrying,
): Promise<AqlItem[]> {
  const prefix = patternPrefix(`${p.repo}/${p.below}`)
  return (await listFolderOnce(listings, prefix, o, retry)).map(toItem)
}

/** One AQL query for the entry, over the runs of its build when it names one. */
async function searchedItems(
  entry: SpecEntry,
  p: SpecPattern | undefined,
  o: SpecResolveOptions,
  retry: Retrying,
  serverPaginates: boolean,
): Promise<Found> {
  const builds = entry.build
    ? await entryBuilds(entry.build, entry.project ?? o.project, o, retry)
    : undefined
  const text = buildText(entry, builds)
  const query = entryQuery(entry, p, builds, serverPaginates)
  if (query.length > MAX_AQL_LENGTH) {
    throw new PlanError(
      `its AQL query is ${query.length} characters; Artifactory refuses queries over ${MAX_AQL_LENGTH} (shorten the aql, props or pattern, or split the entry)`,
    )
  }
  const found = await retry('AQL search', () =>
    findItems(o.http, o.url, query, o.signal, entry.includeDirs),
  )
  return { found, buildText: text }
}

function buildText(entry: SpecEntry, builds: BuildRef[] | undefined): string {
  let text = ''
  if (builds) {
    const more = builds.length > 1 ? ` and ${builds.length - 1} appended to it` : ''
    text = ` in build '${builds[0].name}/${builds[0].number}'${more}`
  }
  if (entry.bundle) text += ` of bundle '${entry.bundle.name}/${entry.bundle.version}'`
  return text
}

/** A file the entry selects; `conflicting` when two members of a virtual hold different ones. */
interface Match {
  item: AqlItem
  conflicting: boolean
}

/**
 * The files and folders of `found` that the pattern and exclusions keep, one per path.
 * @throws PlanError for a name from the server that is unsafe to write: the whole entry fails
 */
function selectItems(
  found: AqlItem[],
  p: SpecPattern | undefined,
  excluded: (item: AqlItem) => boolean,
): { files: Match[]; folderItems: AqlItem[] } {
  const byPath = new Map<string, Match>()
  const folderItems: AqlItem[] = []
  for (const raw of found) {
    checkServerName(raw)
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
  return { files: [...byPath.values()], folderItems }
}

/** @throws PlanError when the server named an item that could escape the target */
function checkServerName(raw: AqlItem): void {
  const below = raw.path === '.' ? raw.name : `${raw.path}/${raw.name}`
  const reason = unsafeName(below) ?? unsafeName(raw.repo)
  if (reason || raw.repo.includes('/')) {
    throw new PlanError(
      `the server named '${JSON.stringify(`${raw.repo}/${below}`).slice(1, -1)}', which ${reason ?? 'has a / in its repository'}; refusing the whole entry`,
    )
  }
}

function paginate(files: Match[], offset?: number, limit?: number): Match[] {
  if (offset === undefined && limit === undefined) return files
  const from = offset ?? 0
  return files.slice(from, limit === undefined ? undefined : from + limit)
}

/** "'libs/*' matched no file in build 'b/1' (with exclusions)". */
function noMatch(entry: SpecEntry, buildText: string): NoMatchError {
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
  return new NoMatchError(
    `${what}${buildText}${filters.length ? ` (with ${filters.join(', ')})` : ''}`,
  )
}

/** Folders and files at their destinations; names the runner cannot create are refused one each. */
function placeItems(
  entry: SpecEntry,
  p: SpecPattern | undefined,
  kept: Match[],
  folderItems: AqlItem[],
  o: SpecResolveOptions,
): EntryResolved {
  const out: EntryResolved = { downloads: [], folders: [], refused: [] }
  for (const item of folderItems) {
    const relative = specDestination(p, entry.target, entry.flat, item)
    const problem = nameProblem(relative, fullPath(item), o)
    if (problem) out.refused.push(problem)
    else out.folders.push(destination(o.target, relative, entry, fullPath(item)))
  }
  for (const { item, conflicting } of kept) {
    const source = fullPath(item)
    const relative = specDestination(p, entry.target, entry.flat, item)
    const problem = nameProblem(relative, source, o)
    if (problem) out.refused.push(problem)
    else out.downloads.push(specDownload(entry, item, conflicting, relative, o))
  }
  return out
}

/** A conflicting match keeps no listed size or checksums: the download's headers decide. */
function specDownload(
  entry: SpecEntry,
  item: AqlItem,
  conflicting: boolean,
  relative: string,
  o: SpecResolveOptions,
): Download {
  const source = fullPath(item)
  return {
    source,
    url: artifactUrl(o.url, source),
    dest: destination(o.target, relative, entry, source),
    size: conflicting ? undefined : item.size,
    checksums: conflicting ? {} : { sha256: item.sha256, sha1: item.sha1, md5: item.md5 },
    line: entry.position,
    label: specLabel(entry),
    ...(entry.explode ? { extract: true } : {}),
  }
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
