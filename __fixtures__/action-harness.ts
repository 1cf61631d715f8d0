// The action run in-process, as the tests drive it: a fresh workspace and step summary for each
// test, the inputs the test sets, and readers of what the action said through the typed
// @actions/core fixture. A test file still mocks '@actions/core' with that fixture itself:
// vi.mock is hoisted per file.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, expect } from 'vitest'
import * as core from './core.ts'

/** Inputs every in-process run starts from: no wait between retries, no progress timer. */
export const QUIET_INPUTS: Readonly<Record<string, string>> = {
  'retry-delay': '0',
  'progress-interval': '0',
}

/** The current test's action: read its properties inside tests and hooks, not before. */
export interface ActionHarness {
  /** This test's workspace (GITHUB_WORKSPACE), removed after the test. */
  workspace: string
  /** What core.getInput answers in this test ('' for any other name); edit or reassign freely. */
  inputs: Record<string, string>
}

/**
 * Registers hooks in the calling suite that give each test a fresh temporary workspace (named
 * `prefix`…) with GITHUB_WORKSPACE and GITHUB_STEP_SUMMARY set, an empty summary, and inputs
 * {@link QUIET_INPUTS} plus `defaults()`, which core.getInput reads; after the test, the workspace
 * goes. `defaults` runs before each test, so it may read servers started in beforeAll.
 */
export function useAction(
  prefix: string,
  defaults: () => Record<string, string> = () => ({}),
): ActionHarness {
  const action: ActionHarness = { workspace: '', inputs: {} }
  beforeEach(async () => {
    action.workspace = await fsp.mkdtemp(path.join(os.tmpdir(), prefix))
    process.env.GITHUB_WORKSPACE = action.workspace
    process.env.GITHUB_STEP_SUMMARY = path.join(action.workspace, 'summary.md')
    core.summary.text = ''
    action.inputs = { ...QUIET_INPUTS, ...defaults() }
    // Reads the property, not a snapshot: tests reassign `inputs` as well as edit it.
    core.getInput.mockImplementation((name: string) => action.inputs[name] ?? '')
  })
  afterEach(async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await fsp.rm(action.workspace, { recursive: true, force: true })
  })
  return action
}

/** Asserts that the run neither failed the step nor wrote an error annotation. */
export function succeeded(): void {
  expect(core.setFailed).not.toHaveBeenCalled()
  expect(core.error).not.toHaveBeenCalled()
}

/** The step log's lines (core.info), in order. */
/** The log's lines: one `core.info` call may carry several (the runner writes held lines together). */
export const logged = (): string[] =>
  core.info.mock.calls.flatMap((c) => String(c[0]).split(/\r?\n/))

/** The error annotations' messages (core.error), in order. */
export const errors = (): string[] => core.error.mock.calls.map((c) => String(c[0]))

/** The first value set for output `name`, if any. */
export const output = (name: string): string | undefined =>
  core.setOutput.mock.calls.find((c) => c[0] === name)?.[1] as string | undefined

/** Everything the action said through any channel: log, annotations, outputs, summary. */
export const everyChannel = (): string =>
  JSON.stringify([
    core.info.mock.calls,
    core.warning.mock.calls,
    core.error.mock.calls,
    core.setFailed.mock.calls,
    core.setOutput.mock.calls,
    core.debug.mock.calls,
    core.summary.text,
  ])

/** The files under `dir` but the step summary, relative and sorted. */
export const filesIn = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'summary.md')
    // '/'-separated on every OS, so expected lists read the same on Windows.
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort()
