/**
 * How many files are started at once: as many as there are slots, plus a few for the files
 * between two slots (verifying, renaming), plus one for each file that needs no slot for a
 * while (sleeping before a retry, being unpacked). A started file holds its state, closures
 * and promises while it waits for a slot, and the young generation of V8's heap copies all of
 * it at every scavenge: a fixed 4 × concurrency kept three quarters of the started files
 * waiting (see README, Benchmark › Why the engine is built this way).
 */
export class Lanes {
  /** Files started and not finished. */
  private active = 0
  /** Of those, the files that hold no slot and want none for now (see {@link aside}). */
  private resting = 0
  private readonly base: number
  private readonly more: () => boolean
  private startOne?: () => Promise<void>
  private finished?: () => void
  private failed?: (error: unknown) => void
  /** The first error a file threw (boxed: a thrown `undefined` is an error too). */
  private failure?: { error: unknown }

  /**
   * @param slots requests allowed at once (the queue's concurrency)
   * @param more whether a file is left to start
   */
  constructor(slots: number, more: () => boolean) {
    this.base = slots + spare(slots)
    this.more = more
  }

  /**
   * Starts files with `startOne` (it takes the next file of the plan and resolves once that is
   * done) until none is left; resolves once every started file is done, rejects with the first
   * error `startOne` threw once the others are done.
   */
  run(startOne: () => Promise<void>): Promise<void> {
    this.startOne = startOne
    return new Promise<void>((resolve, reject) => {
      this.finished = resolve
      this.failed = reject
      this.fill()
    })
  }

  /**
   * Runs `wait` (a file's sleep before a retry, its post-processing) as time the file needs
   * no slot: meanwhile another file may start, so that the slots never idle behind it.
   */
  async aside<T>(wait: () => Promise<T>): Promise<T> {
    this.resting++
    this.fill()
    try {
      return await wait()
    } finally {
      this.resting--
    }
  }

  private fill(): void {
    while (!this.failure && this.active < this.limit() && this.more()) {
      this.active++
      void this.lane()
    }
    if (this.active === 0) {
      if (this.failure) this.failed?.(this.failure.error)
      else this.finished?.()
    }
  }

  private limit(): number {
    return this.base + this.resting
  }

  /** Transfers files one after another while this lane is within the limit. */
  private async lane(): Promise<void> {
    try {
      do await this.startOne?.()
      while (!this.failure && this.active <= this.limit() && this.more())
    } catch (error) {
      this.failure ??= { error }
    }
    this.active--
    this.fill()
  }
}

/** Lanes beyond the slots: a quarter of them, at least 4. */
function spare(slots: number): number {
  return Math.max(4, Math.ceil(slots / 4))
}
