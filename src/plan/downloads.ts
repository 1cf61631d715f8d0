import * as path from 'node:path'
import { isTempName, TEMP_SUFFIX } from '../engine/temp-name.ts'
import type { Entry, FileEntry } from '../input/entries.ts'
import { PlanError } from '../common/errors.ts'
import {
  howNamesDiffer,
  pathNameProblem,
  rulesOs,
  sameFileKey,
  type NameFolding,
  type NameRules,
} from '../common/file-names.ts'
import type { Download } from '../engine/download.ts'

/** Where a download came from, for messages: "line 3" or "spec entry 2". */
export function origin(d: Download): string {
  return d.label ?? `line ${d.line}`
}

/** Where planning needs to know things: the validated settings' relevant part. */
export interface PlanSettings {
  target: string
  flat: boolean
  /** Which names can exist on the runner; set by the action layer. Default `posix`. */
  names?: NameRules
}

/**
 * Plans the entries that name one file each (patterns are planned after listing, see
 * `patterns.ts`). Pure: no request, no file system access.
 * @throws PlanError for a DEST outside `target`, or a name the runner's OS cannot create
 */
export function planFiles(entries: Entry[], settings: PlanSettings): Download[] {
  return entries
    .filter((e): e is FileEntry => !e.pattern)
    .map((e) => ({
      source: e.source,
      url: e.url,
      dest: fileDestination(e, settings),
      checksums: {},
      line: e.line,
    }))
}

function fileDestination(entry: FileEntry, settings: PlanSettings): string {
  const remotePath = entry.repoPath ?? urlPath(entry.url)
  const name = remotePath.slice(remotePath.lastIndexOf('/') + 1)
  let relative: string
  if (entry.dest !== undefined) {
    relative =
      entry.dest.endsWith('/') || entry.dest.endsWith('\\') ? `${entry.dest}${name}` : entry.dest
  } else {
    relative = settings.flat ? name : remotePath
  }
  return insideTarget(
    settings.target,
    relative,
    `line ${entry.line} ('${entry.dest ?? remotePath}')`,
    settings.names,
  )
}

/** `host/path/of/file` of a URL not under `url`, decoded, for `flat: false`. */
function urlPath(url: string): string {
  const parsed = new URL(url)
  const segments = parsed.pathname
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s))
  return [parsed.hostname, ...segments].join('/')
}

/**
 * Resolves `relative` under `target` and refuses anything that escapes it (`..`, absolute
 * paths), is the target itself, or holds a name that cannot exist under `names` (checked
 * here, before any download, rather than failing at the rename into place). `serverName`: the
 * start of `relative` is a listed name, not a DEST the workflow wrote.
 * @throws PlanError naming `what`
 */
export function insideTarget(
  target: string,
  relative: string,
  what: string,
  names: NameRules = 'posix',
  serverName = false,
): string {
  if (path.isAbsolute(relative)) {
    throw new PlanError(
      `Input 'paths' ${what}: DEST must be relative to 'target', not an absolute path`,
    )
  }
  // Before the drive-letter test: on Windows `a:b.txt` is refused for its colon.
  const problem = pathNameProblem(relative, names)
  if (problem) {
    throw new PlanError(
      `Input 'paths' ${what}: the destination cannot exist on ${rulesOs(names)}: ${problem}`,
    )
  }
  // A DEST the workflow wrote as `C:/x` means a drive on any OS; a listed `a:b.txt` under the
  // posix rules is only a name.
  if (!serverName && /^[a-zA-Z]:/.test(relative)) {
    throw new PlanError(
      `Input 'paths' ${what}: DEST must be relative to 'target', not an absolute path`,
    )
  }
  if (relative.includes('\0')) {
    throw new PlanError(`Input 'paths' ${what}: the destination contains a NUL character`)
  }
  const resolved = path.resolve(target, relative)
  const rel = path.relative(target, resolved)
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new PlanError(
      `Input 'paths' ${what}: the destination resolves outside 'target' (${target})`,
    )
  }
  // A `.x.artdl-part` could be the temporary of `x`: one download would overwrite the other.
  if (isTempName(path.basename(resolved))) {
    throw new PlanError(
      `Input 'paths' ${what}: the destination '${path.basename(resolved)}' is named like this action's temporaries ('.NAME${TEMP_SUFFIX}'); refusing it (add it to 'exclude' or give another DEST)`,
    )
  }
  return resolved
}

/**
 * Refuses a plan in which two downloads write the same file, or one writes where another
 * needs a folder; names both sources. On a target that folds names (`caseInsensitive`: Windows,
 * macOS by default; `normalizationInsensitive`: macOS, where NFC `é` and NFD `e` + U+0301 are
 * one name) destinations that differ only so are the same file, so they clash too.
 * @throws PlanError
 */
export function checkClashes(downloads: Download[], folding: NameFolding = {}): void {
  const key = (p: string): string => sameFileKey(p, folding)
  const byDest = new Map<string, Download>()
  for (const d of downloads) {
    const k = key(d.dest)
    const other = byDest.get(k)
    if (other) {
      const what =
        other.dest === d.dest
          ? `would both write ${d.dest}`
          : `would write ${other.dest} and ${d.dest}, which differ ${howNamesDiffer(other.dest, d.dest)} and are one file on this ${foldingName(other.dest, d.dest)} target`
      throw new PlanError(
        `'${other.source}' (${origin(other)}) and '${d.source}' (${origin(d)}) ${what}; give one of them a DEST (SOURCE => DEST) or use flat: false`,
      )
    }
    byDest.set(k, d)
  }
  // Each folder is looked up once: a folder already seen had its own parents checked then
  // (300,000 files in 300 folders: 300 walks, not 300,000).
  const seen = new Set<string>()
  for (const d of downloads) {
    for (let dir = path.dirname(d.dest); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const k = key(dir)
      if (seen.has(k)) break
      seen.add(k)
      const other = byDest.get(k)
      if (other) {
        const sameCase =
          other.dest === dir
            ? ''
            : ` (as ${dir}, the same name on this ${foldingName(other.dest, dir)} target)`
        throw new PlanError(
          `'${other.source}' (${origin(other)}) writes the file ${other.dest}, but '${d.source}' (${origin(d)}) needs it to be a folder${sameCase}`,
        )
      }
    }
  }
}

/** "case-insensitive", or what else makes two names one on this target, for messages. */
function foldingName(a: string, b: string): string {
  const how = howNamesDiffer(a, b)
  if (how === 'only in case') return 'case-insensitive'
  if (how.includes('case')) return 'case- and normalization-insensitive'
  return 'normalization-insensitive'
}

/** The sum of the known sizes, and whether every size is known. */
export function plannedBytes(downloads: Download[]): { bytes: number; complete: boolean } {
  let bytes = 0
  let complete = true
  for (const d of downloads) {
    if (d.size === undefined) complete = false
    else bytes += d.size
  }
  return { bytes, complete }
}
