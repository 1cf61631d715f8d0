// `if-no-files-found` (named as in actions/upload-artifact): an entry that selects nothing —
// a pattern without a match, a build, repository or folder that does not exist — fails it
// (`error`), warns once naming it (`warn`), or passes (`ignore`); the other entries download.
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { useServer } from '../__fixtures__/server.ts'
import { filesIn, output, useAction } from '../__fixtures__/action-harness.ts'
import { startArtifactory } from '../server/index.ts'
import { readIfNoFilesFound } from '../src/input/cli-inputs.ts'
import { InputError } from '../src/common/errors.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

describe('the input', () => {
  it('is error by default, and error, warn or ignore in any case', () => {
    expect(readIfNoFilesFound('')).toBe('error')
    expect(readIfNoFilesFound('Warn')).toBe('warn')
    expect(readIfNoFilesFound('ignore')).toBe('ignore')
    expect(() => readIfNoFilesFound('skip')).toThrow(
      new InputError("Input 'if-no-files-found' must be 'error', 'warn' or 'ignore', got 'skip'"),
    )
  })
})

const server = useServer({
  files: { 'libs/a/one.txt': 'one' },
  builds: { empty: [{ number: '1', started: '2026-11-01T10:00:00.000+0000', artifacts: [] }] },
})
const action = useAction('artdl-nofiles-', () => ({ url: server.url }))
// The CLI's empty selections: an empty build, a missing build, repository and folder, and a
// pattern without a match; and a `paths` pattern without a match.
const EMPTY = [
  { build: 'empty/1' },
  { build: 'missing/3' },
  { pattern: 'no-such-repo/*' },
  { pattern: 'libs/no/such/folder/' },
  { pattern: 'libs/a/*.bin' },
]
const setUp = (policy: string): void => {
  action.inputs.spec = JSON.stringify({
    files: [{ pattern: 'libs/a/one.txt', target: 'got/' }, ...EMPTY],
  })
  action.inputs.paths = 'libs/a/*.zip'
  if (policy) action.inputs['if-no-files-found'] = policy
}

describe('entries that select nothing', () => {
  it('fail the run by default (error), the others downloaded', async () => {
    setUp('')
    await run()
    expect(filesIn(action.workspace)).toEqual(['got/a/one.txt'])
    expect(core.setFailed).toHaveBeenCalledWith('6 of 7 downloads failed')
  })

  it('warn: one warning each naming the entry, and success', async () => {
    setUp('warn')
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(core.error).not.toHaveBeenCalled()
    expect(filesIn(action.workspace)).toEqual(['got/a/one.txt'])
    expect(core.warning.mock.calls.map((c) => c[0])).toEqual([
      "line 1: 'libs/a/*.zip' matched no file",
      "spec entry 2: found no file in build 'empty/1'",
      "spec entry 3: build lookup: build 'missing/3' does not exist",
      "spec entry 4: 'no-such-repo/*' matched no file",
      "spec entry 5: 'libs/no/such/folder/' matched no file",
      "spec entry 6: 'libs/a/*.bin' matched no file",
    ])
    expect(JSON.parse(output('files') as string)).toHaveLength(1)
  })

  it('ignore: success without a warning', async () => {
    setUp('ignore')
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(core.warning).not.toHaveBeenCalled()
    expect(core.error).not.toHaveBeenCalled()
    expect(filesIn(action.workspace)).toEqual(['got/a/one.txt'])
  })

  it('ignore: a run that selects nothing at all succeeds with no file', async () => {
    action.inputs.spec = JSON.stringify({ files: EMPTY })
    action.inputs['if-no-files-found'] = 'ignore'
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(filesIn(action.workspace)).toEqual([])
  })

  it('still fail for a server error, whatever the input says', async () => {
    action.inputs.spec = JSON.stringify({ files: [{ build: 'app/1' }] })
    action.inputs['if-no-files-found'] = 'ignore'
    action.inputs.retries = '0'
    const broken = await startArtifactory({
      onRequest: (r) =>
        r.path.startsWith('/api/build/')
          ? { kind: 'status', status: 500, body: 'boom' }
          : undefined,
    })
    try {
      action.inputs.url = broken.url
      await run()
    } finally {
      await broken.close()
    }
    expect(core.setFailed).toHaveBeenCalledWith('1 of 1 downloads failed')
  })
})
