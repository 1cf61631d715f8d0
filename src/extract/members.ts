import * as path from 'node:path'
import { AttemptError } from '../common/errors.ts'
import {
  firstClash,
  howNamesDiffer,
  pathNameProblem,
  rulesOs,
  unsafeName,
  type NameFolding,
  type NameRules,
} from '../common/file-names.ts'
import { serverText } from '../common/server-text.ts'

/** One member of an archive, as the library read it. */
export interface Member {
  name: string
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'
  /** Where a link points (a symlink: relative to the member's folder; a hard link: to the archive's root). */
  link?: string
}

/** The target's rules for the names members get: which names exist, which are one file. */
export interface MemberRules extends NameFolding {
  /** Which names the runner's OS can create (default `posix`). */
  names?: NameRules
}

/** A member's name as a message may show it: the archive's author chose it. */
export const shownName = (name: string): string => serverText(name, 200)

/** The first non-empty line of a library's message. */
export function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim()) ?? text
}

/** A member's name without `./` in front or `/` behind, as it lands under the folder. */
const clean = (m: Member): string => m.name.replace(/\/+$/, '').replace(/^(\.\/)+/, '')

/**
 * Refuses the archive, naming the member and the rule, when a member would land outside the
 * folder (whatever its type), has a name the runner's OS cannot create or would change, or is
 * one file with another member on this target (`Readme.md` and `README.md` where case does not
 * count). The same name rules as downloads ({@link pathNameProblem}): node-tar would otherwise
 * swap `:` and `?` for look-alike characters on Windows, a rename nobody asked for.
 */
export function checkMembers(name: string, members: Member[], rules: MemberRules = {}): void {
  // A link is checked by where it points from its own folder as named; a member below a link
  // is written where the link leads on disk, which such a check cannot see (links that each
  // stay inside chain out). node-tar refuses them too; the zip unpacker would follow them.
  const links = new Set(
    // Without case: on Windows and macOS 'A' is the folder of 'a/x'.
    members
      .filter((m) => m.type === 'symlink' || m.type === 'hardlink')
      .map((m) => clean(m).toLowerCase()),
  )
  const refuse = (m: Member, why: string): never => {
    throw new AttemptError(
      'unsafe',
      `refused to extract ${name}: member '${shownName(m.name)}' ${why}`,
    )
  }
  for (const m of members) {
    const cleanName = clean(m)
    if (cleanName === '' || cleanName === '.') continue
    // node-tar strips a drive (`C:/x`, `a:b`) on every OS: the member would land under another name.
    const reason =
      unsafeName(cleanName) ?? (/^[a-zA-Z]:/.test(cleanName) ? 'is an absolute path' : undefined)
    if (reason) refuse(m, reason)
    const problem = pathNameProblem(cleanName, rules.names ?? 'posix')
    if (problem) refuse(m, `cannot be written on ${rulesOs(rules.names ?? 'posix')}: ${problem}`)
    const under = links.size ? linkAbove(cleanName, links) : undefined
    if (under !== undefined) refuse(m, `lies under the link '${shownName(under)}'`)
    if (m.type !== 'symlink' && m.type !== 'hardlink') continue
    const target = m.link ?? ''
    const from = m.type === 'symlink' ? path.posix.dirname(cleanName) : '.'
    const resolved = path.posix.normalize(path.posix.join(from, target))
    if (
      target === '' ||
      target.startsWith('/') ||
      /^[a-zA-Z]:/.test(target) ||
      target.includes('\\') ||
      resolved === '..' ||
      resolved.startsWith('../')
    ) {
      throw new AttemptError(
        'unsafe',
        `refused to extract ${name}: link '${shownName(m.name)}' points outside the archive ('${shownName(target)}')`,
      )
    }
  }
  checkClash(name, members, rules)
}

/** Refuses two members that are one file on this target (folders merge, and are left out). */
function checkClash(name: string, members: Member[], folding: NameFolding): void {
  if (!folding.caseInsensitive && !folding.normalizationInsensitive) return
  const clash = firstClash(members.filter((m) => m.type !== 'directory').map(clean), folding)
  if (!clash) return
  const [a, b] = clash
  const how = howNamesDiffer(a, b)
  throw new AttemptError(
    'unsafe',
    `refused to extract ${name}: a ${how === 'only in case' ? 'case' : 'name'} clash: members '${shownName(a)}' and '${shownName(b)}' differ ${how} and are one file on this target`,
  )
}

/** The first folder of `name` that is one of `links`, or undefined. */
function linkAbove(name: string, links: ReadonlySet<string>): string | undefined {
  for (let cut = name.indexOf('/'); cut > 0; cut = name.indexOf('/', cut + 1)) {
    const folder = name.slice(0, cut)
    if (links.has(folder.toLowerCase())) return folder
  }
  return undefined
}
