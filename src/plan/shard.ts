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
  if (!sorted.every((d) => d.size !== undefined)) {
    return sorted.filter((_, i) => i % count === index - 1)
  }
  const load = new Array<number>(count).fill(0)
  const owner = new Map<Download, number>()
  const bySize = sorted
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (b.d.size as number) - (a.d.size as number) || a.i - b.i)
  for (const { d } of bySize) {
    let lightest = 0
    for (let s = 1; s < count; s++) if (load[s] < load[lightest]) lightest = s
    load[lightest] += d.size as number
    owner.set(d, lightest)
  }
  return sorted.filter((d) => owner.get(d) === index - 1)
}
