/**
 * The file-name rules of the runner's operating system, as pure functions of the rules rather
 * than of `process.platform`: the action layer picks the rules once ({@link nameRulesFor}) and
 * passes them down, so the Windows rules are unit-tested on any OS.
 */

/** Which names can exist: `windows` (NTFS through Win32) or `posix` (anything but NUL and `/`). */
export type NameRules = 'posix' | 'windows'

/** The rules for a `process.platform` value. */
export function nameRulesFor(platform: NodeJS.Platform): NameRules {
  return platform === 'win32' ? 'windows' : 'posix'
}

/**
 * Whether names on this platform's usual file systems ignore case (NTFS, and APFS/HFS+ as
 * macOS formats them by default). Only a fallback: the action probes the real target, since
 * a macOS volume can be case-sensitive and a Windows folder can be made so.
 */
export function defaultCaseInsensitive(platform: NodeJS.Platform): boolean {
  return platform === 'win32' || platform === 'darwin'
}

// Device names Win32 resolves in every folder, with or without an extension. COM0/LPT0 and the
// superscript digits are in Microsoft's list ("Naming Files, Paths, and Namespaces"); CONIN$
// and CONOUT$ open the console (CreateFile's documentation).
const RESERVED = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$)$/i
// `/` and `\` are separators, split off before a segment is checked.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[<>:"|?*\u0000-\u001f]/

/**
 * Why Windows cannot create a file or folder called `name` (one path segment), or undefined
 * when it can. Pure.
 */
export function windowsNameProblem(name: string): string | undefined {
  const bad = FORBIDDEN.exec(name)
  if (bad) {
    const ch = bad[0]
    return ch < ' '
      ? 'contains a control character, which Windows does not allow in file names'
      : `contains '${ch}', which Windows does not allow in file names`
  }
  // Win32 drops a trailing dot or space, so the file would get another name than planned.
  if (/[. ]$/.test(name)) {
    return `ends with a ${name.endsWith('.') ? 'dot' : 'space'}, which Windows removes from file names`
  }
  // `NUL.txt` and `con .tar.gz` are the device too: Win32 compares the part before the first
  // dot, trailing spaces dropped, ignoring case.
  const stem = name.split('.')[0].replace(/ +$/, '')
  if (RESERVED.test(stem)) return `uses '${stem}', a device name reserved on Windows`
  return undefined
}

/** The longest file or folder name NTFS, ext4 and APFS take (in their own units, see below). */
export const MAX_NAME_LENGTH = 255

/**
 * Why one file or folder name is too long under `rules`, or undefined: Windows counts UTF-16
 * units (NTFS), Linux and macOS count UTF-8 bytes (ext4, APFS). Windows reports a longer name as
 * ERROR_INVALID_NAME, which Node turns into ENOENT, so it would fail late and misleadingly. Pure.
 */
export function nameLengthProblem(name: string, rules: NameRules): string | undefined {
  if (rules === 'windows') {
    return name.length > MAX_NAME_LENGTH
      ? `is ${name.length} characters long; Windows allows at most ${MAX_NAME_LENGTH} (UTF-16 units) in a file or folder name`
      : undefined
  }
  const bytes = Buffer.byteLength(name, 'utf8')
  return bytes > MAX_NAME_LENGTH
    ? `is ${bytes} bytes long; Linux and macOS allow at most ${MAX_NAME_LENGTH} bytes (UTF-8) in a file or folder name`
    : undefined
}

/** The OS a name problem under `rules` is about, for messages: "Windows" or "Linux and macOS". */
export function rulesOs(rules: NameRules): string {
  return rules === 'windows' ? 'Windows' : 'Linux and macOS'
}

/**
 * Why the relative path `relative` (segments split at `/`, and at `\` under the Windows rules)
 * cannot be created under `rules`, naming the segment; undefined when it can. `.`, `..` and empty
 * segments are left to the check that keeps paths inside the target. Pure.
 */
export function pathNameProblem(relative: string, rules: NameRules): string | undefined {
  for (const segment of relative.split(rules === 'windows' ? /[/\\]/ : '/')) {
    if (segment === '' || segment === '.' || segment === '..') continue
    const problem =
      nameLengthProblem(segment, rules) ??
      (rules === 'windows' ? windowsNameProblem(segment) : undefined)
    if (problem) return `${shownSegment(segment)} ${problem}`
  }
  return undefined
}

/**
 * A segment quoted for a message: escaped, since a name decoded from a URL may hold characters
 * that would break a log line, and shortened past 60 characters.
 */
function shownSegment(segment: string): string {
  const escaped = JSON.stringify(segment).slice(1, -1)
  return `'${escaped.length > 60 ? `${escaped.slice(0, 57)}…` : escaped}'`
}

/**
 * Why a name from a server or an archive cannot be trusted as a relative local path, on any OS,
 * or undefined when it can: `..` and `.` segments, a leading `/`, empty segments, backslashes,
 * NUL and control characters. A drive-like `a:b.txt` is not among them: under the posix rules
 * it is an ordinary name, and under the Windows rules {@link pathNameProblem} refuses its `:`.
 * Pure.
 */
export function unsafeName(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character'
  if (name.includes('\\')) return 'contains a backslash'
  if (name.startsWith('/')) return 'is an absolute path'
  if (name.split('/').some((s) => s === '..' || s === '.')) return "contains a '.' or '..' segment"
  if (name.split('/').some((s) => s === '')) return 'contains an empty segment'
  return undefined
}

/** Which differences between names the target's file system ignores. */
export interface NameFolding {
  /** `Readme.md` and `README.md` are one file (NTFS, APFS and HFS+ by default). */
  caseInsensitive?: boolean
  /**
   * Names that differ only in Unicode normalization (NFC `é` and NFD `e` + U+0301) are one
   * file: APFS and HFS+ compare them so, whatever their case sensitivity.
   */
  normalizationInsensitive?: boolean
}

/** Whether this platform's usual file system treats NFC and NFD spellings as one name (macOS). */
export function defaultNormalizationInsensitive(platform: NodeJS.Platform): boolean {
  return platform === 'darwin'
}

/**
 * The key under which names are one file on a target that folds as `folding` says: equal keys,
 * one file. A simple lower-casing, as NTFS and APFS compare most names; the rare letters whose
 * folding differs (Turkish dotted I, say) are left to the file system. Pure.
 */
export function sameFileKey(name: string, folding: NameFolding): string {
  const normal = folding.normalizationInsensitive ? name.normalize('NFC') : name
  return folding.caseInsensitive ? normal.toLowerCase() : normal
}

/**
 * How two different names with one {@link sameFileKey} differ, for a clash message: "only in
 * case", "only in Unicode normalization (NFC and NFD)", or both. Pure.
 */
export function howNamesDiffer(a: string, b: string): string {
  if (a.normalize('NFC') === b.normalize('NFC'))
    return 'only in Unicode normalization (NFC and NFD)'
  if (a.toLowerCase() === b.toLowerCase()) return 'only in case'
  return 'only in case and Unicode normalization (NFC and NFD)'
}

/**
 * The first two names of `names` that are one file under `folding` (as given, in order), or
 * undefined. Pure: the one clash rule for planned downloads and archive members alike.
 */
export function firstClash(
  names: Iterable<string>,
  folding: NameFolding,
): [string, string] | undefined {
  const seen = new Map<string, string>()
  for (const name of names) {
    const key = sameFileKey(name, folding)
    const other = seen.get(key)
    if (other !== undefined && other !== name) return [other, name]
    if (other === undefined) seen.set(key, name)
  }
  return undefined
}
