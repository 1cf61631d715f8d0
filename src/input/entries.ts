import { InputError } from '../common/errors.ts'
import { redactUrl } from '../common/url-credentials.ts'

/** What every meaningful line of the `paths` input has. */
interface EntryBase {
  /** 1-based line number in `paths`, for error messages. */
  line: number
  /** SOURCE as written (a full URL keeps its credentials here; display it through the redactor). */
  source: string
  /** DEST as written, if any. */
  dest?: string
}

/** A SOURCE that names one file: a full URL, or `repo/path` under `url`. */
export interface FileEntry extends EntryBase {
  pattern: false
  /** Absolute URL of the file. */
  url: string
  /** `repo/path` when the file is under `url` (a full URL elsewhere has none). */
  repoPath?: string
}

/** A SOURCE with `*` or `?`: resolved by listing the server at `baseUrl`. */
export interface PatternEntry extends EntryBase {
  pattern: true
  /** `repo/path` with the wildcards, relative to `baseUrl`. */
  repoPath: string
  /** The validated `url` input: the server the pattern is listed from. */
  baseUrl: string
  /** A pattern names no one file. */
  url?: undefined
}

/** One meaningful line of the `paths` input: `pattern` tells which kind. */
export type Entry = FileEntry | PatternEntry

/** The README's only wildcards: brackets and braces are literal characters of a name. */
const GLOB = /[*?]/

/**
 * Parses the `paths` input: `SOURCE` or `SOURCE => DEST` per line; `#` comments and blanks skipped.
 * @param baseUrl the validated `url` input, needed for relative sources
 * @throws InputError naming the line and what is wrong with it
 */
export function parseEntries(text: string, baseUrl: string | undefined): Entry[] {
  const entries: Entry[] = []
  const rows = text.split(/\r?\n/)
  rows.forEach((row, i) => {
    const trimmed = row.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const line = i + 1
    const [rawSource, rawDest, ...rest] = trimmed.split('=>').map((s) => s.trim())
    if (rest.length > 0) throw new InputError(`Input 'paths' line ${line}: more than one '=>'`)
    if (!rawSource) throw new InputError(`Input 'paths' line ${line}: SOURCE is empty`)
    if (rawDest === '') throw new InputError(`Input 'paths' line ${line}: DEST after '=>' is empty`)
    entries.push(parseSource(rawSource, rawDest, line, baseUrl))
  })
  if (entries.length === 0) {
    throw new InputError("Input 'paths' is empty: give at least one SOURCE (one per line)")
  }
  return entries
}

/** One SOURCE: a full URL names its file; anything else is `repo/path` under `url`. */
function parseSource(
  source: string,
  dest: string | undefined,
  line: number,
  baseUrl: string | undefined,
): Entry {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return urlEntry(source, dest, line, baseUrl)
  return repoEntry(source, dest, line, baseUrl)
}

/** A full URL; it has a `repoPath` when it is under `url`, for what needs the repository. */
function urlEntry(
  source: string,
  dest: string | undefined,
  line: number,
  baseUrl: string | undefined,
): FileEntry {
  let parsed: URL
  try {
    parsed = new URL(literalPercent(source))
  } catch {
    throw new InputError(`Input 'paths' line ${line}: '${redactUrl(source)}' is not a valid URL`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InputError(
      `Input 'paths' line ${line}: only http(s) URLs can be downloaded, got '${parsed.protocol}'`,
    )
  }
  if (parsed.pathname === '/' || parsed.pathname.endsWith('/')) {
    throw new InputError(
      `Input 'paths' line ${line}: '${redactUrl(source)}' names a folder, not a file`,
    )
  }
  const repoPath =
    baseUrl && parsed.href.startsWith(`${baseUrl}/`)
      ? decodeURIComponent(parsed.pathname.slice(new URL(`${baseUrl}/`).pathname.length))
      : undefined
  return { line, source, url: parsed.href, repoPath, dest, pattern: false }
}

/** `repo/path` under `url`: one file, or a pattern when it has a wildcard below the repository. */
function repoEntry(
  source: string,
  dest: string | undefined,
  line: number,
  baseUrl: string | undefined,
): Entry {
  const repoPath = source.replace(/^\/+/, '')
  const segments = repoPath.split('/')
  checkSegments(segments, source, line)
  if (!baseUrl) {
    throw new InputError(
      `Input 'paths' line ${line}: '${source}' is relative, so input 'url' is required (or give a full URL)`,
    )
  }
  const pattern = GLOB.test(repoPath)
  if (pattern && GLOB.test(segments[0])) {
    throw new InputError(
      `Input 'paths' line ${line}: the repository ('${segments[0]}') cannot be a pattern`,
    )
  }
  if (pattern) return { line, source: repoPath, repoPath, baseUrl, dest, pattern }
  return { line, source: repoPath, repoPath, url: artifactUrl(baseUrl, repoPath), dest, pattern }
}

/** A repository and a name, and no segment that would climb out of the repository. */
function checkSegments(segments: string[], source: string, line: number): void {
  if (segments.length < 2 || segments.some((s) => s === '')) {
    throw new InputError(
      `Input 'paths' line ${line}: '${source}' must be 'repo/path/to/file' or a full URL`,
    )
  }
  if (segments.some((s) => s === '.' || s === '..')) {
    throw new InputError(
      `Input 'paths' line ${line}: '${source}' must not contain '.' or '..' segments`,
    )
  }
}

/**
 * A `%` that starts no escape (`100%.bin`) is the file's own character: sent as `%25`, so the
 * file is downloaded and nothing decodes the URL into an error.
 */
export function literalPercent(url: string): string {
  return url.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
}

/** The URL of `repo/path/to/file` under Artifactory's base URL, each segment encoded. */
export function artifactUrl(baseUrl: string, repoPath: string): string {
  return `${baseUrl}/${repoPath.split('/').map(encodeURIComponent).join('/')}`
}
