// Idle slots taking over the tail of a large file's running stream: which stream, and where
// it is cut. The scheduler only decides; the stream's owner (file-transfer.ts) cuts its own
// stream short and fetches the new parts.

/** A running stream of a large file (whole, or one of its ranges) whose tail may be taken. */
export interface TailStream {
  /** File offset up to which it has written. */
  readonly at: number
  /** File offset where it stops. */
  readonly end: number
  /** Bytes it wrote so far, and since when: its rate. */
  readonly received: number
  readonly startedAt: number
  /** How many more ranges its file may be fetched in. */
  readonly spareParts: number
  /** Ends the stream at `keep` (a file offset) and fetches `parts` ([start, end)) beside it. */
  handOver(keep: number, parts: readonly [number, number][]): void
}

/**
 * Smallest range taken from a running stream's tail: smaller than a planned part, since at the
 * end of a run on a slow link every connection counts: with the planned part's size a small
 * file kept too few ranges (the demo; see README, Benchmark › Why the engine is built this way).
 */
const TAIL_MIN_PART = 256 * 1024

/**
 * A stream's tail is taken only if it would otherwise still run this long: between streams
 * that share one fast link a new range gains nothing and costs a request and a read-back
 * (taking tails as the first files finished made large files on loopback slower; see README,
 * Benchmark › Why the engine is built this way).
 */
const TAIL_MIN_MS = 1000

/**
 * A margin past what a stream has written, for the bytes in its buffers and its write in flight
 * (at most the sink's PAUSE_ABOVE); should it still overshoot, it writes the same bytes the new
 * range brings.
 */
const MARGIN = 1024 * 1024

/**
 * Hands the tail of the stream that would finish last (a whole file, or one of its ranges) to
 * the slots nobody needs any more.
 *
 * Why: a file splits when its first answer arrives, into the slots idle then. One that starts
 * while every slot is busy streams alone, and at the end of a run it is often the last one
 * left, at one connection's rate while the other slots sit idle (the demo's archive; see
 * README, Benchmark › Why the engine is built this way). Its remaining bytes are cut into
 * ranges: the running stream keeps the first, the idle slots fetch the others, and the hash
 * reads them back in file order, as for any split file.
 */
export class TailScheduler {
  /** The streams running now whose tails may be taken. */
  readonly #open = new Set<TailStream>()
  readonly #idleSlots: () => number
  readonly #enabled: () => boolean
  readonly #now: () => number

  /**
   * `idleSlots`: slots of the queue that nothing runs in or waits for; `enabled`: whether tails
   * are taken now (once no file is left to start).
   */
  constructor(idleSlots: () => number, enabled: () => boolean, now: () => number = Date.now) {
    this.#idleSlots = idleSlots
    this.#enabled = enabled
    this.#now = now
  }

  /** Offers `stream` until the returned function is called (when it ends). */
  offer(stream: TailStream): () => void {
    this.#open.add(stream)
    return () => this.#open.delete(stream)
  }

  /** A slot was freed: it may take a tail. */
  slotFreed(): void {
    if (!this.#enabled()) return
    const idle = this.#idleSlots()
    if (idle <= 0) return
    const best = this.#slowest()
    if (!best) return
    const from = best.at + MARGIN
    const ways = Math.min(
      best.spareParts + 1,
      1 + idle,
      Math.floor((best.end - from) / TAIL_MIN_PART),
    )
    if (ways < 2) return
    const partSize = Math.ceil((best.end - from) / ways)
    const keep = from + partSize
    const parts: [number, number][] = []
    for (let start = keep; start < best.end; start += partSize)
      parts.push([start, Math.min(best.end, start + partSize)])
    best.handOver(keep, parts)
  }

  /** The stream that would finish last at its own rate, if it has enough left to share. */
  #slowest(): TailStream | undefined {
    const now = this.#now()
    let best: TailStream | undefined
    let bestMs = TAIL_MIN_MS
    for (const t of this.#open) {
      if (t.spareParts <= 0) continue
      const rate = t.received / Math.max(1, now - t.startedAt)
      const ms = rate > 0 ? (t.end - t.at) / rate : Infinity
      if (ms >= bestMs) {
        best = t
        bestMs = ms
      }
    }
    if (!best || best.end - best.at < MARGIN + 2 * TAIL_MIN_PART) return undefined
    return best
  }
}
