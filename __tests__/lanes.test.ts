import { describe, expect, it } from 'vitest'
import { Lanes } from '../src/engine/lanes.ts'

/** Runs `count` files of `ms` each on lanes for `slots`; what each file saw. */
function files(count: number) {
  let next = 0
  let active = 0
  let most = 0
  const done: number[] = []
  return {
    more: () => next < count,
    one: async (ms = 2, fail?: number): Promise<void> => {
      const i = next++
      most = Math.max(most, ++active)
      await new Promise((resolve) => setTimeout(resolve, ms))
      active--
      if (i === fail) throw new Error(`file ${i} failed`)
      done.push(i)
    },
    get most() {
      return most
    },
    done,
  }
}

describe('lanes', () => {
  it('ends at once with no file to start', async () => {
    const f = files(0)
    await new Lanes(4, f.more).run(() => f.one())
    expect(f.done).toEqual([])
  })

  it('runs every file once, at most slots + spare at a time', async () => {
    const f = files(50)
    await new Lanes(8, f.more).run(() => f.one())
    expect(f.done.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(f.most).toBe(12)
  })

  it('rejects with a file that threw, once the files already started are done', async () => {
    const f = files(20)
    await expect(new Lanes(2, f.more).run(() => f.one(2, 3))).rejects.toThrow('file 3 failed')
    // The files started beside it finished; none started after it.
    expect(f.done).toContain(4)
    expect(f.done.length).toBeLessThan(19)
  })

  it('lets one more file start for each one resting aside', async () => {
    // 1 slot: 5 lanes. The first 7 files rest until the last 3 are done, which only
    // happens if each resting file lets another start.
    let next = 0
    let lastDone = 0
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const lanes = new Lanes(1, () => next < 10)
    await lanes.run(async () => {
      const i = next++
      if (i < 7) return lanes.aside(() => gate)
      await new Promise((resolve) => setTimeout(resolve, 1))
      if (++lastDone === 3) open()
    })
    expect(lastDone).toBe(3)
  })
})
