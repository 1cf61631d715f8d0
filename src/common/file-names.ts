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

/**
 * Why the relative path `relative` (segments split at `/`, and at `\` under the Windows rules)
 * cannot be created under `rules`, naming the segment; undefined when it can. `.`, `..` and empty
 * segments are left to the check that keeps paths inside the target. Pure.
 */
export function pathNameProblem(relative: string, rules: NameRules): string | undefined {
  if (rules === 'posix') return undefined
  for (const segment of relative.split(/[/\\]/)) {
    if (segment === '' || segment === '.' || segment === '..') continue
    const problem = windowsNameProblem(segment)
    // Escaped: a name decoded from a URL may hold characters that would break a log line.
    if (problem) return `'${JSON.stringify(segment).slice(1, -1)}' ${problem}`
  }
  return undefined
}
