// The bundled action as the end-to-end tests run it: a build of src/ as it is on disk (built once
// per content and shared, scripts/fresh-bundle.ts), a scratch folder for the test file and a
// fresh workspace in it for each test.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { freshBundle } from '../scripts/fresh-bundle.ts'

/** The current test's folders: read them inside tests and hooks, not before. */
export interface BundleHarness {
  /** This test's workspace (GITHUB_WORKSPACE), inside {@link scratch}. */
  readonly workspace: string
  /** A folder for the whole test file (fixtures, caches), removed after it. */
  readonly scratch: string
}

/**
 * Registers hooks in the calling file that build the bundle before its tests (runAction runs
 * it), make a scratch folder named `prefix`… and a fresh workspace in it before each test, and
 * remove the scratch folder, workspaces and all, after the file.
 */
export function useBundle(prefix: string): BundleHarness {
  let scratch = ''
  let workspace = ''
  beforeAll(() => freshBundle(), 300_000)
  beforeAll(async () => {
    scratch = await fsp.mkdtemp(path.join(os.tmpdir(), prefix))
  })
  afterAll(async () => {
    await fsp.rm(scratch, { recursive: true, force: true })
  })
  beforeEach(async () => {
    workspace = await fsp.mkdtemp(path.join(scratch, 'ws-'))
  })
  return {
    get workspace() {
      return workspace
    },
    get scratch() {
      return scratch
    },
  }
}
