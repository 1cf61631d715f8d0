import type { Download } from '../engine/download.ts'

/** Deterministic order every shard agrees on, whatever order listings came back in. */
export function sortPlan(downloads: Download[]): Download[] {
  return [...downloads].sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0))
}

/**
 * The part of the plan shard `index` (1-based) of `count` downloads. Every file lands in
 * exactly one shard. When every size is known, shards are balanced by bytes (largest first,
 * each to the lightest shard); otherwise by count (round robin).
 */
export function shardPlan(downloads: Download[], index: number, count: number): Download[] {
  const sorted = sortPlan(downloads)
  if (count === 1) return sorted
  const sizes = knownSizes(sorted)
  if (!sizes) return sorted.filter((_, i) => i % count === index - 1)
  const owners = shardsBySize(sizes, count)
  return sorted.filter((_, i) => owners[i] === index - 1)
}

/** Every download's size, or undefined when one is not known. */
function knownSizes(downloads: Download[]): number[] | undefined {
  const sizes: number[] = []
  for (const d of downloads) {
    if (d.size === undefined) return undefined
    sizes.push(d.size)
  }
  return sizes
}

/** The shard (0-based) of each size: largest first, each to the lightest shard. */
function shardsBySize(sizes: number[], count: number): number[] {
  const load = new Array<number>(count).fill(0)
  const owners = new Array<number>(sizes.length)
  const bySize = sizes.map((size, i) => ({ size, i })).sort((a, b) => b.size - a.size || a.i - b.i)
  for (const { size, i } of bySize) {
    let lightest = 0
    for (let s = 1; s < count; s++) if (load[s] < load[lightest]) lightest = s
    load[lightest] += size
    owners[i] = lightest
  }
  return owners
}
