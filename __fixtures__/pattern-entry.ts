import { parseEntries, type PatternEntry } from '../src/input/entries.ts'

/** The one `paths` line `text` as a pattern entry under `url`; throws when it is no pattern. */
export function patternEntry(text: string, url: string): PatternEntry {
  const [entry] = parseEntries(text, url)
  if (!entry.pattern) throw new Error(`'${text}' is not a pattern`)
  return entry
}
