// Errors that escape every handler (an uncaught exception, an unhandled rejection): whatever a
// server does, none may, and a test that lets one out fails by name rather than the whole run.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'

/**
 * Registers hooks in the calling suite that collect the errors escaping to the process during
 * each test and fail the test when there are any. Returns the list, for a test that checks it
 * at a point of its own. Register it before hooks that close servers: after-hooks run in
 * reverse, so it checks last.
 */
export function useNoEscapes(): readonly unknown[] {
  const escaped: unknown[] = []
  const onEscape = (e: unknown): void => void escaped.push(e)
  beforeAll(() => {
    process.on('uncaughtException', onEscape)
    process.on('unhandledRejection', onEscape)
  })
  afterAll(() => {
    process.off('uncaughtException', onEscape)
    process.off('unhandledRejection', onEscape)
  })
  beforeEach(() => {
    escaped.length = 0
  })
  afterEach(() => {
    expect(escaped).toEqual([])
  })
  return escaped
}
