import { randomBytes } from 'node:crypto'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { defaultCaseInsensitive, defaultNormalizationInsensitive } from '../common/file-names.ts'

/** What {@link probeCaseInsensitive} found, and how. */
export interface CaseProbe {
  caseInsensitive: boolean
  /** NFC and NFD spellings of a name are one file (APFS and HFS+ compare names so). */
  normalizationInsensitive: boolean
  /** `probe`: a file was created and looked up; `default`: the platform's usual answer. */
  how: 'probe' | 'default'
  /** Why the probe was not made, or failed, when `how` is `default`. */
  reason?: string
}

/**
 * Whether names that differ only in case, or only in Unicode normalization, are one file in
 * `target`. Asks the file system itself, once: a macOS volume may be case-sensitive and a
 * Windows folder may be made so (`fsutil file setCaseSensitiveInfo`), so the platform alone can
 * be wrong. Creates an empty file with a lower-case name holding an NFC `é` in `target`, or in
 * its nearest existing parent (the target may not exist yet), looks it up by its upper-case
 * name and by its NFD spelling, and removes it.
 *
 * Falls back to the platform's default (Windows and macOS insensitive to case, macOS to
 * normalization) when writing is not
 * wanted (a dry run writes nothing) or the probe fails (a read-only parent, say).
 */
export async function probeCaseInsensitive(
  target: string,
  platform: NodeJS.Platform,
  { write = true }: { write?: boolean } = {},
): Promise<CaseProbe> {
  const fallback = (reason: string): CaseProbe => ({
    caseInsensitive: defaultCaseInsensitive(platform),
    normalizationInsensitive: defaultNormalizationInsensitive(platform),
    how: 'default',
    reason,
  })
  if (!write) return fallback('a dry run writes nothing')
  let dir: string
  try {
    dir = await nearestExistingDir(target)
  } catch (error) {
    return fallback(`no existing folder at or above ${target}: ${(error as Error).message}`)
  }
  const lower = path.join(dir, `.artdl-case-probe-${randomBytes(6).toString('hex')}-\u00e9.tmp`)
  const upper = path.join(dir, path.basename(lower).toUpperCase())
  const decomposed = path.join(dir, path.basename(lower).normalize('NFD'))
  try {
    await fsp.writeFile(lower, '', { flag: 'wx' })
  } catch (error) {
    return fallback(`could not create a probe file in ${dir}: ${(error as Error).message}`)
  }
  try {
    const [a, b, c] = await Promise.all([
      fsp.stat(lower, { bigint: true }),
      statIfThere(upper),
      statIfThere(decomposed),
    ])
    // Same file, not merely a file by that name.
    const same = (o: typeof b): boolean => o !== undefined && a.ino === o.ino && a.dev === o.dev
    return { caseInsensitive: same(b), normalizationInsensitive: same(c), how: 'probe' }
  } catch (error) {
    return fallback(`could not look up the probe file: ${(error as Error).message}`)
  } finally {
    await fsp.rm(lower, { force: true }).catch(() => undefined)
  }
}

/** The file's identity, or undefined when no file has that name. */
function statIfThere(file: string): Promise<import('node:fs').BigIntStats | undefined> {
  return fsp.stat(file, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
}

/** `dir` itself when it is a folder, else the closest folder above it that exists. */
async function nearestExistingDir(dir: string): Promise<string> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const stat = await fsp.stat(d).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined
      throw error
    })
    if (stat?.isDirectory()) return d
    if (path.dirname(d) === d) throw new Error('the root does not exist')
  }
}
