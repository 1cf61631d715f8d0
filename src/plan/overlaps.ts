// Entries that overlap: two File Spec entries (or `paths` lines) that reach the same file and
// write it to the same place ask for one download, as `jf rt download` makes one.
import type { Download } from '../engine/download.ts'

/**
 * The downloads with every repeat of an earlier one (the same URL to the same destination)
 * left out, in their order; a repeat that asks to unpack the archive makes the kept one unpack
 * it. Only different sources writing one destination are left for the clash check.
 */
export function mergeOverlaps(downloads: Download[]): Download[] {
  const kept = new Map<string, Download>()
  const out: Download[] = []
  for (const d of downloads) {
    const key = `${d.dest}\0${d.url}`
    const first = kept.get(key)
    if (!first) {
      kept.set(key, d)
      out.push(d)
    } else if (d.extract && !first.extract) {
      const merged = { ...first, extract: true }
      out[out.indexOf(first)] = merged
      kept.set(key, merged)
    }
  }
  return out
}
