import * as path from 'node:path'
import picomatch from 'picomatch'
import { artifactUrl, type PatternEntry } from '../input/entries.ts'
import { PlanError } from '../common/errors.ts'
import { serverText } from '../common/server-text.ts'
import type { Download } from '../engine/download.ts'
import { insideTarget, type PlanSettings } from './downloads.ts'
import { pathNameProblem, rulesOs, unsafeName } from '../common/file-names.ts'
import type { ListedFile, PatternPrefix } from '../artifactory/remote-file.ts'
import { NoMatchError } from './no-match.ts'

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

/** Characters picomatch reads as syntax that the README's plain paths keep literal. */
const LITERAL_SYNTAX = /[[\]{}()!+@]/g

/**
 * A plain path as picomatch must see it: only `*`, `?` and `**` stay wildcards (the README's
 * promise), so `lib[1].jar` and `{a,b}` name files with those very characters in them.
 */
export function literalGlob(pattern: string): string {
  return pattern.replace(LITERAL_SYNTAX, (c) => `\\${c}`)
}

/** A matcher for `repo/path` strings; `**` spans folders, `*` and `?` stay within one. */
export function matcher(patterns: string[]): (repoPath: string) => boolean {
  if (patterns.length === 0) return () => false
  return picomatch(patterns.map(literalGlob), { dot: true })
}

/** What a pattern entry stands for: its downloads, and the matches refused one by one. */
export interface MatchPlan {
  downloads: Download[]
  /**
   * One message per match whose destination cannot exist under the runner's name rules (a
   * Windows device name, say): each fails alone, naming the file and the rule.
   */
  refused: string[]
}

/**
 * The downloads a pattern entry stands for, given the files listed under its prefix. Pure.
 * Names the pattern or `exclude` leaves out never matter, but for a hostile one (`..`, an
 * absolute path, a name outside the listed folder): a server that lists such a name is not
 * trusted for the entry. Throws PlanError (for this entry only) on a hostile name, or when
 * nothing matched.
 */
export function planMatches(
  entry: PatternEntry,
  listed: ListedFile[],
  exclude: string[],
  settings: PlanSettings,
): MatchPlan {
  const isMatch = matcher([entry.repoPath])
  const isExcluded = matcher(exclude)
  const prefixPath = listedFolder(entry.repoPath)
  const downloads: Download[] = []
  const refused: string[] = []
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
      refused.push(
        `the server listed '${serverText(file.path, 200)}', which cannot be written on ${rulesOs(settings.names ?? 'posix')} (as '${serverText(relative, 200)}'): ${problem}; that file is not downloaded (add it to 'exclude' to leave it out)`,
      )
      continue
    }
    downloads.push(listedDownload(entry, file, relative, settings.target))
  }
  if (downloads.length === 0 && refused.length === 0) {
    throw new NoMatchError(
      `'${entry.source}' matched no file${exclude.length ? ' (after exclude)' : ''}`,
    )
  }
  return { downloads, refused }
}

/** `repo/folder` that the entry's files are listed under (`repo` alone at the root). */
function listedFolder(repoPath: string): string {
  const prefix = patternPrefix(repoPath)
  return prefix.folder ? `${prefix.repo}/${prefix.folder}` : prefix.repo
}

/** A matched file as a download; its name was checked against the runner's rules already. */
function listedDownload(
  entry: PatternEntry,
  file: ListedFile,
  relative: string,
  target: string,
): Download {
  return {
    source: file.path,
    url: artifactUrl(entry.baseUrl, file.path),
    // No `names` here: checked by the caller, with a message that names the listed file.
    dest: insideTarget(
      target,
      relative,
      `line ${entry.line} ('${file.path}')`,
      'posix',
      entry.dest === undefined,
    ),
    size: file.size,
    // Only the strongest: the engine verifies with it alone, and 300,000 files hold one
    // string less each.
    checksums: file.sha256 ? { sha256: file.sha256 } : file.sha1 ? { sha1: file.sha1 } : {},
    line: entry.line,
  }
}

function matchDestination(
  entry: PatternEntry,
  repoPath: string,
  below: string,
  flat: boolean,
): string {
  const name = path.posix.basename(repoPath)
  if (entry.dest === undefined) return flat ? name : repoPath
  const dir = entry.dest.replace(/[/\\]+$/, '')
  return `${dir}/${flat ? name : below}`
}
