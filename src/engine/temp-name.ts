import { createHash } from 'node:crypto'
import * as path from 'node:path'

/** Suffix of temporaries: a run killed hard leaves `.<name>.artdl-part`, which the next run overwrites. */
export const TEMP_SUFFIX = '.artdl-part'

/**
 * The longest file name every file system takes: 255 UTF-8 bytes on Linux and macOS, 255 UTF-16
 * units on Windows. A name's UTF-8 length is never below its UTF-16 length, so bytes decide.
 */
const NAME_MAX_BYTES = 255

/** Hex digits of the full name's SHA-256 in a shortened temporary: no two names share one. */
const HASH_DIGITS = 16

/**
 * The temporary's name for a destination's name: `.<name>.artdl-part`, or, when that would be
 * longer than any file system allows, the name's first characters and a hash of all of it
 * (`.<start>~<hash>.artdl-part`). Pure and the same on every run, so a resume finds it; two
 * names that differ anywhere get two temporaries. No planned name can be one (see
 * {@link isTempName}).
 */
export function tempNameFor(name: string): string {
  const whole = `.${name}${TEMP_SUFFIX}`
  if (Buffer.byteLength(whole) <= NAME_MAX_BYTES) return whole
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_DIGITS)
  const tail = `~${hash}${TEMP_SUFFIX}`
  let room = NAME_MAX_BYTES - 1 - Buffer.byteLength(tail)
  let start = ''
  // By code point, so no character is cut in half.
  for (const ch of name) {
    const bytes = Buffer.byteLength(ch)
    if (bytes > room) break
    start += ch
    room -= bytes
  }
  return `.${start}${tail}`
}

/** The temporary a download is written to, beside its destination (same file system: rename is atomic). */
export function tempPathFor(dest: string): string {
  return path.join(path.dirname(dest), tempNameFor(path.basename(dest)))
}

/**
 * Whether a file name lies in the temporaries' namespace (`.….artdl-part`): such a destination
 * could be another download's temporary, so it is refused before anything is written.
 */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX)
}
