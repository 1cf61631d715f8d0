// A temporary folder for the tests of a suite: made before them, removed with all it holds after.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'

/** How long one folder lives: a fresh one for each test, or one for the whole suite. */
export interface TempDirOptions {
  /** `'test'` (the default): made before each test, removed after it; `'suite'`: around all. */
  per?: 'test' | 'suite'
}

/**
 * Registers hooks in the calling suite that make a temporary folder named `prefix`… before
 * each test (or, with `per: 'suite'`, before all of them) and remove it, with all it holds,
 * after, and returns a getter of the current folder: call it inside tests and hooks, not before.
 */
export function useTempDir(prefix: string, { per = 'test' }: TempDirOptions = {}): () => string {
  let dir = ''
  const [before, after] = per === 'test' ? [beforeEach, afterEach] : [beforeAll, afterAll]
  before(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix))
  })
  after(async () => {
    await fsp.rm(dir, { recursive: true, force: true })
  })
  return () => {
    if (!dir)
      throw new Error('the temporary folder exists only inside tests and hooks of its suite')
    return dir
  }
}
