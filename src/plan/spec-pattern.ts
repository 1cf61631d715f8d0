// The JFrog CLI's reading of a File Spec `pattern`, `exclusions` and `target`, so that a spec
// migrated from `jf rt download --spec` selects the same files and writes them to the same
// places. Pure: no request, no file system access.
import * as path from 'node:path'
import { PlanError } from '../common/errors.ts'
import { serverText } from '../common/server-text.ts'

/** A compiled spec `pattern`. */
export interface SpecPattern {
  /** The repository as written (a wildcard only in specs that select by other criteria). */
  repo: string
  repoWildcard: boolean
  /** The pattern below the repository without the grouping parentheses, for AQL and listing. */
  below: string
  /** Matches the whole `repo/path` (a virtual repository's results are renamed to `repo` first). */
  regex: RegExp
  /** The n-th `(` of the pattern (1-based) → its group in {@link regex}, for `{n}` placeholders. */
  groups: Map<number, number>
  recursive: boolean
}

/** A listed or found file, split as AQL splits it. */
export interface SpecFile {
  repo: string
  /** Folder below the repository, `.` at its root. */
  path: string
  name: string
}

const WILDCARD = /[*?]/

/**
 * Compiles a spec pattern. `*` matches across folders (also with `recursive: false`, except
 * after the last `/`, where it stays in the file name); `?` is one character of a name. Parentheses capture only when `target`
 * uses their `{n}`; the others are literal characters. A pattern without `/` selects a whole
 * repository; one ending in `/` everything below that folder.
 */
export function compileSpecPattern(
  pattern: string,
  target: string,
  recursive: boolean,
): SpecPattern {
  let text = pattern.replace(/^\/+/, '')
  if (!text.includes('/')) text += '/*'
  else if (text.endsWith('/')) text += '*'
  // Placeholders count every `(` of the pattern, the repository's too, and the capturing
  // parentheses leave every part of the query: `cli-rt(*)/*` asks AQL for repositories `cli-rt*`.
  const grouping = groupingParens(text, target)
  const lastSlash = text.lastIndexOf('/')
  let regex = ''
  let stripped = ''
  const groups = new Map<number, number>()
  let opened = 0
  let group = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    const inName = !recursive && i > lastSlash
    if (c === '(' || c === ')') {
      if (c === '(') opened++
      if (grouping.has(i)) {
        if (c === '(') groups.set(opened, ++group)
        regex += c
        continue
      }
    }
    stripped += c
    if (c === '*') regex += inName ? '[^/]*' : '.*'
    else if (c === '?') regex += '[^/]'
    else regex += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  const slash = stripped.indexOf('/')
  const repo = stripped.slice(0, slash)
  return {
    repo,
    repoWildcard: WILDCARD.test(repo),
    below: stripped.slice(slash + 1),
    regex: new RegExp(`^${regex}$`, 's'),
    groups,
    recursive,
  }
}

/** Indexes of the parentheses that capture: a balanced pair whose `{n}` appears in `target`. */
function groupingParens(text: string, target: string): Set<number> {
  const out = new Set<number>()
  const stack: { index: number; n: number }[] = []
  let n = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') stack.push({ index: i, n: ++n })
    else if (text[i] === ')') {
      const open = stack.pop()
      if (open && target.includes(`{${open.n}}`)) {
        out.add(open.index)
        out.add(i)
      }
    }
  }
  return out
}

/** `repo/path/name` of a file. */
export function fullPath(f: SpecFile): string {
  return f.path === '.' || f.path === '' ? `${f.repo}/${f.name}` : `${f.repo}/${f.path}/${f.name}`
}

/** Whether a file (found in `p.repo`, or anywhere when the repository is a wildcard) matches. */
export function specMatches(p: SpecPattern, f: SpecFile): boolean {
  return p.regex.test(fullPath(f))
}

/** A matcher for `exclusions`: the same syntax as `pattern`, against the whole `repo/path`. */
export function exclusionMatcher(exclusions: string[]): (f: SpecFile) => boolean {
  if (exclusions.length === 0) return () => false
  const res = exclusions.map((e) => {
    const body = [...e.replace(/^\/+/, '')]
      .map((c) => (c === '*' ? '.*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')
    return new RegExp(`^${body}${e.endsWith('/') ? '.*' : ''}$`, 's')
  })
  return (f) => {
    const full = fullPath(f)
    return res.some((re) => re.test(full))
  }
}

/**
 * Where a file goes, as the JFrog CLI decides (relative to the action's `target` unless
 * absolute), with `/` separators:
 * - `target` ending in `/` is a folder; otherwise its last segment names the file;
 * - `flat: false` keeps the file's folders below its repository under the target's folder;
 * - `{n}` is replaced by the n-th parenthesis' capture, and then the hierarchy is not kept;
 * - an empty target (or `.`) is the action's `target` itself.
 */
export function specDestination(
  p: SpecPattern | undefined,
  target: string,
  flat: boolean,
  f: SpecFile,
): string {
  let t = target
  let placeholders = false
  if (p && p.groups.size > 0) {
    const m = p.regex.exec(fullPath(f))
    for (const [n, g] of p.groups) {
      if (!t.includes(`{${n}}`)) continue
      placeholders = true
      t = t.split(`{${n}}`).join(m?.[g] ?? '')
    }
  }
  if (placeholders && isAbsoluteTarget(t) && !isAbsoluteTarget(target)) {
    // A capture such as 'C:/x' (a legal Artifactory name) would make the path absolute on Windows.
    throw new PlanError(
      `the server's name '${serverText(fullPath(f), 200)}' makes the target '${target}' an absolute path; refusing the whole entry`,
    )
  }
  if (placeholders && dotDotSegments(t) > dotDotSegments(target)) {
    // Captures are the server's text: '.' and '.' side by side (or '.' before a '.' the
    // target wrote) form a '..' that would lead the file out of its folder.
    throw new PlanError(
      `the server's name '${serverText(fullPath(f), 200)}' makes the target '${target}' a path with a '..' segment; refusing the whole entry`,
    )
  }
  if (t === '.' || t === './') t = ''
  const cut = Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\'))
  let dir = cut < 0 ? '' : t.slice(0, cut)
  if (cut === 0) dir = t[0]
  const fileName = cut < 0 ? t : t.slice(cut + 1)
  if (!flat && !placeholders && f.path !== '.' && f.path !== '') {
    dir = dir === '' ? f.path : `${dir.replace(/[/\\]+$/, '')}/${f.path}`
  }
  const name = fileName !== '' && fileName !== '.' ? fileName : f.name
  return dir === '' ? name : path.posix.join(dir.replace(/\\/g, '/'), name)
}

/** How many `..` segments a path has, with either separator. */
function dotDotSegments(p: string): number {
  return p.split(/[/\\]/).filter((s) => s === '..').length
}

/** Whether a target is absolute on some runner (`/x`, `\\x`, `C:x`). */
function isAbsoluteTarget(p: string): boolean {
  return /^[/\\]/.test(p) || /^[a-zA-Z]:/.test(p)
}
