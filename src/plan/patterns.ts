import * as path from 'node:path'
import picomatch from 'picomatch'
import { artifactUrl, type Entry } from '../input/entries.ts'
import { PlanError } from '../common/errors.ts'
import { serverText } from '../common/server-text.ts'
import type { Download } from '../engine/download.ts'
import { insideTarget, type PlanSettings } from './downloads.ts'
import { pathNameProblem } from '../common/file-names.ts'

/** A file a listing reported, with what it said about it. */
export interface ListedFile {
  /** `repo/path/to/file` */
  path: string
  size?: number
  /** Lowercase hex: the listing code keeps only well-formed digests (`toDigest`). */
  sha256?: string
  sha1?: string
}

/** The part of a pattern that can be listed: the repository and the longest folder without wildcards. */
export interface PatternPrefix {
  repo: string
  /** Folder inside the repository, '' for its root; no leading or trailing slash. */
  folder: string
}

const GLOB_SEGMENT = /[*?[\]{}]/

/**
 * Splits `libs/com/acme/1.*\/**\/*.jar` into the listable `libs` + `com/acme`.
 *
 * Not `picomatch.scan`: its base differs here, and the prefix also decides where files land
 * (`flat: false` keeps the folders below it), so the two cannot be swapped without moving files.
 * It keeps `b]` and `b}` in the base (no glob alone), keeps `a\*` escaped (a folder that
 * does not exist), keeps a last segment without a glob, and stops at extglobs such as `@(b)`.
 */
export function patternPrefix(repoPath: string): PatternPrefix {
  const [repo, ...rest] = repoPath.split('/')
  const fixed: string[] = []
  // The last segment names files, so it is never part of the folder.
  for (const segment of rest.slice(0, -1)) {
    if (GLOB_SEGMENT.test(segment)) break
    fixed.push(segment)
  }
  return { repo, folder: fixed.join('/') }
}

/**
 * Why a name from the server cannot be trusted as a local path, or undefined when it can:
 * `..`, absolute paths, backslashes, NUL and control characters are refused.
 */
export function unsafeName(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character'
  if (name.includes('\\')) return 'contains a backslash'
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'is an absolute path'
  if (name.split('/').some((s) => s === '..' || s === '.')) return "contains a '.' or '..' segment"
  if (name.split('/').some((s) => s === '')) return 'contains an empty segment'
  return undefined
}

/** A matcher for `repo/path` strings; `**` spans folders, `*` and `?` stay within one. */
export function matcher(patterns: string[]): (repoPath: string) => boolean {
  if (patterns.length === 0) return () => false
  return picomatch(patterns, { dot: true })
}

/**
 * The downloads a pattern entry stands for, given the files listed under its prefix.
 * Pure. Throws PlanError (for this entry only) on an unsafe name, a match whose destination
 * cannot exist under `settings.names` (a Windows device name, say), or no match.
 */
export function planMatches(
  entry: Entry,
  listed: ListedFile[],
  exclude: string[],
  settings: PlanSettings,
  baseUrl: string,
): Download[] {
  const isMatch = matcher([entry.repoPath as string])
  const isExcluded = matcher(exclude)
  const prefix = patternPrefix(entry.repoPath as string)
  const prefixPath = prefix.folder ? `${prefix.repo}/${prefix.folder}` : prefix.repo
  const downloads: Download[] = []
  for (const file of listed) {
    const below = file.path.slice(prefixPath.length + 1)
    const reason = unsafeName(below)
    if (reason || !file.path.startsWith(`${prefixPath}/`)) {
      throw new PlanError(
        `the server listed '${serverText(JSON.stringify(file.path).slice(1, -1))}', which ${reason ?? 'is outside the listed folder'}; refusing the whole entry`,
      )
    }
    if (!isMatch(file.path) || isExcluded(file.path)) continue
    const relative = matchDestination(entry, file.path, below, settings.flat)
    // Only matches are checked: a listing may hold names this OS cannot create that the
    // pattern or 'exclude' leaves out.
    const problem = pathNameProblem(relative, settings.names ?? 'posix')
    if (problem) {
      throw new PlanError(
        `the server listed '${file.path}', which cannot be written on Windows (as '${relative}'): ${problem}; refusing the whole entry (add it to 'exclude' to download the rest)`,
      )
    }
    downloads.push({
      source: file.path,
      url: artifactUrl(baseUrl, file.path),
      // No `names` here: checked just above, with a message that names the listed file.
      dest: insideTarget(settings.target, relative, `line ${entry.line} ('${file.path}')`),
      size: file.size,
      // Only the strongest: the engine verifies with it alone, and 300,000 files hold one
      // string less each.
      checksums: file.sha256 ? { sha256: file.sha256 } : file.sha1 ? { sha1: file.sha1 } : {},
      line: entry.line,
    })
  }
  if (downloads.length === 0) {
    throw new PlanError(
      `'${entry.source}' matched no file${exclude.length ? ' (after exclude)' : ''}`,
    )
  }
  return downloads
}

function matchDestination(entry: Entry, repoPath: string, below: string, flat: boolean): string {
  const name = path.posix.basename(repoPath)
  if (entry.dest === undefined) return flat ? name : repoPath
  const dir = entry.dest.replace(/[/\\]+$/, '')
  return `${dir}/${flat ? name : below}`
}
