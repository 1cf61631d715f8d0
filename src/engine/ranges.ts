// How a large file is cut into ranges when its answer comes: how many, and where.

/** Smallest range worth its own request. */
const MIN_PART = 1024 * 1024

/**
 * How many concurrent ranges a file of `size` bytes is fetched in. Only idle slots are taken:
 * while other files wait, splitting gains nothing (every connection is busy already) and costs
 * a second, out-of-order hashing pass, which made such a run much slower (see README,
 * Benchmark › Why the engine is built this way). Where slots are idle, as for one large file
 * behind a per-connection cap, each range adds a connection's worth of rate.
 */
export function splitWays(size: number, split: number, minSize: number, idle: number): number {
  if (split <= 1 || size < minSize) return 1
  return Math.max(1, Math.min(split, 1 + idle, Math.floor(size / MIN_PART)))
}

/**
 * `ways` equal parts of `size` bytes: the length of the first (which the file's own stream
 * keeps), and the others as [start, end) offsets.
 */
export function partsOf(size: number, ways: number): { first: number; others: [number, number][] } {
  const length = Math.ceil(size / ways)
  const others: [number, number][] = []
  for (let start = length; start < size; start += length)
    others.push([start, Math.min(size, start + length)])
  return { first: length, others }
}
