// The runner holds the action's own lines and writes them together: the log must read exactly
// as if each had been written alone, in the same order as the lines written around them.
import * as os from 'node:os'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'

vi.mock('@actions/core', () => core)
const { startRunner } = await import('../src/action/runner.ts')

/** Everything written to the log, as its lines, in order, whichever call wrote them. */
function log(): string[] {
  const calls = [...core.info.mock.calls, ...core.debug.mock.calls, ...core.warning.mock.calls]
  const order = [
    ...core.info.mock.invocationCallOrder,
    ...core.debug.mock.invocationCallOrder,
    ...core.warning.mock.invocationCallOrder,
  ]
  return calls
    .map((c, i) => ({ text: String(c[0]), at: order[i] }))
    .sort((a, b) => a.at - b.at)
    .flatMap((c) => c.text.split(os.EOL))
}

afterEach(() => vi.clearAllMocks())

describe('the lines the runner holds', () => {
  it('reach the log in order, before any line written another way', async () => {
    const runner = startRunner()
    runner.info('✓ a')
    runner.info('✓ b')
    expect(core.info).not.toHaveBeenCalled()
    runner.say('a line with server text')
    runner.info('✓ c')
    runner.debug?.('GET …')
    runner.info('✓ d')
    runner.dispose()
    expect(log()).toEqual(['✓ a', '✓ b', 'a line with server text', '✓ c', 'GET …', '✓ d'])
  })

  it('are written once the event loop turns, without waiting for a timer or I/O', async () => {
    const runner = startRunner()
    runner.info('✓ a')
    await new Promise((resolve) => setImmediate(resolve))
    expect(log()).toEqual(['✓ a'])
    runner.dispose()
  })

  it('are written at once when many are held, and never lost', () => {
    const runner = startRunner()
    const lines = Array.from({ length: 2000 }, (_, i) => `✓ libs/file-${i}.bin → file-${i}.bin`)
    for (const line of lines) runner.info(line)
    // Written in batches while they were being held, not all at the end.
    expect(core.info.mock.calls.length).toBeGreaterThan(1)
    runner.flush()
    expect(log()).toEqual(lines)
    runner.dispose()
  })
})
