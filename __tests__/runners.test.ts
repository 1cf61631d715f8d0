// What differs between runner OSes: the case probe of the target, Windows names and case
// clashes through the whole action (in-process, @actions/core replaced by typed fixtures,
// against the local Artifactory-compatible server), and the tool cache for any version.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { logged, output, useAction } from '../__fixtures__/action-harness.ts'
import { useServer } from '../__fixtures__/server.ts'
import { probeCaseInsensitive } from '../src/plan/case-probe.ts'
import { toolCacheFolder, toolCacheVersion } from '../src/action/tool-cache.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const server = useServer()
const action = useAction('artdl-runners-', () => ({ url: server.url }))

/** Requests for file bodies, not listings. */
const fileRequests = (): string[] =>
  server.requests.filter((r) => !r.path.startsWith('/api/')).map((r) => r.path)

/** Runs the action as if on `platform`: only the action layer reads process.platform. */
async function runAs(platform: NodeJS.Platform): Promise<void> {
  const real = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor
  Object.defineProperty(process, 'platform', { ...real, value: platform })
  try {
    await run()
  } finally {
    Object.defineProperty(process, 'platform', real)
  }
}

describe('the case probe', () => {
  const leftovers = async (dir: string) =>
    (await fsp.readdir(dir)).filter((f) => f.toLowerCase().includes('artdl-case-probe'))

  it.runIf(process.platform === 'linux')(
    'finds a Linux target case-sensitive (Linux only)',
    async () => {
      expect(await probeCaseInsensitive(action.workspace, 'linux')).toEqual({
        caseInsensitive: false,
        normalizationInsensitive: false,
        how: 'probe',
      })
    },
  )

  it.runIf(process.platform === 'win32' || process.platform === 'darwin')(
    'finds the default Windows and macOS runner disks case-insensitive (Windows and macOS only)',
    async () => {
      expect(await probeCaseInsensitive(action.workspace, process.platform)).toEqual({
        caseInsensitive: true,
        // APFS and HFS+ compare NFC and NFD spellings as one name; NTFS does not.
        normalizationInsensitive: process.platform === 'darwin',
        how: 'probe',
      })
    },
  )

  it('asks the file system, not the platform name', async () => {
    const { caseInsensitive, normalizationInsensitive } = await probeCaseInsensitive(
      action.workspace,
      process.platform,
    )
    const other = process.platform === 'darwin' ? 'linux' : 'darwin'
    expect(await probeCaseInsensitive(action.workspace, other)).toEqual({
      caseInsensitive,
      normalizationInsensitive,
      how: 'probe',
    })
  })

  it('probes the nearest existing parent of a target not created yet, and leaves nothing', async () => {
    const target = path.join(action.workspace, 'not', 'yet', 'there')
    const probe = await probeCaseInsensitive(target, process.platform)
    expect(probe.how).toBe('probe')
    expect(fs.existsSync(path.join(action.workspace, 'not'))).toBe(false)
    expect(await leftovers(action.workspace)).toEqual([])
  })

  it('writes nothing in a dry run and takes the platform default', async () => {
    expect(await probeCaseInsensitive(action.workspace, 'win32', { write: false })).toEqual({
      caseInsensitive: true,
      normalizationInsensitive: false,
      how: 'default',
      reason: 'a dry run writes nothing',
    })
    expect(await probeCaseInsensitive(action.workspace, 'linux', { write: false })).toMatchObject({
      caseInsensitive: false,
      normalizationInsensitive: false,
      how: 'default',
    })
    expect(await probeCaseInsensitive(action.workspace, 'darwin', { write: false })).toMatchObject({
      caseInsensitive: true,
      normalizationInsensitive: true,
      how: 'default',
    })
    expect(await leftovers(action.workspace)).toEqual([])
  })

  // Permission bits do not stop root, and Windows ignores them.
  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)(
    'falls back to the platform default when it cannot write there (skipped as root and on Windows: permission bits do not stop them)',
    async () => {
      const locked = path.join(action.workspace, 'locked')
      await fsp.mkdir(locked)
      await fsp.chmod(locked, 0o555)
      try {
        const probe = await probeCaseInsensitive(path.join(locked, 'out'), 'darwin')
        expect(probe).toMatchObject({ caseInsensitive: true, how: 'default' })
        expect(probe.reason).toMatch(/^could not create a probe file in /)
      } finally {
        await fsp.chmod(locked, 0o755)
      }
    },
  )
})

describe('a listing with a name Windows cannot create', () => {
  beforeEach(() => {
    server.setFile('src/lib/main.c', 'int main;')
    server.setFile('src/lib/aux.c', 'int aux;')
    server.setFile('libs/ok.txt', 'ok')
  })

  it('fails that file alone on Windows, naming the file and the rule, and downloads the rest', async () => {
    action.inputs = { ...action.inputs, paths: 'src/lib/*.c => c/\nlibs/ok.txt' }
    await runAs('win32')
    const message =
      "the server listed 'src/lib/aux.c', which cannot be written on Windows (as 'c/aux.c'): 'aux.c' uses 'aux', a device name reserved on Windows; that file is not downloaded (add it to 'exclude' to leave it out)"
    expect(logged()).toContain(`✗ line 1 'src/lib/*.c': ${message}`)
    expect(core.error.mock.calls.map((c) => c[0])).toContainEqual(expect.stringContaining(message))
    expect(fileRequests().sort()).toEqual(['/libs/ok.txt', '/src/lib/main.c'])
    expect(fs.readFileSync(path.join(action.workspace, 'ok.txt'), 'utf8')).toBe('ok')
    expect(fs.readFileSync(path.join(action.workspace, 'c', 'main.c'), 'utf8')).toBe('int main;')
    expect(fs.existsSync(path.join(action.workspace, 'c', 'aux.c'))).toBe(false)
    expect(output('failed')).toBe('1')
    expect(core.setFailed).toHaveBeenCalled()
  })

  it('names every forbidden match of a pattern, not only the first', async () => {
    server.setFile('dev/CON.txt', 'c')
    server.setFile('dev/nul.txt', 'n')
    server.setFile('dev/ok.txt', 'o')
    action.inputs = { ...action.inputs, paths: 'dev/*.txt' }
    await runAs('win32')
    const errors = core.error.mock.calls.map((c) => String(c[0]))
    expect(errors.filter((e) => e.includes("'dev/CON.txt', which cannot be written"))).toHaveLength(
      1,
    )
    expect(errors.filter((e) => e.includes("'dev/nul.txt', which cannot be written"))).toHaveLength(
      1,
    )
    expect(output('failed')).toBe('2')
    expect(fileRequests()).toEqual(['/dev/ok.txt'])
  })

  it('ignores a drive-like listed name that is not selected; a selected one fails alone on Windows and downloads on Linux', async () => {
    server.setFile('generic/drive/a:b.txt', 'drive')
    server.setFile('generic/drive/ok.txt', 'ok')
    action.inputs = { ...action.inputs, paths: 'generic/drive/ok.*' }
    await runAs('win32')
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(fileRequests()).toEqual(['/generic/drive/ok.txt'])
    vi.clearAllMocks()
    server.reset()
    await fsp.rm(path.join(action.workspace, 'ok.txt'))
    action.inputs = { ...action.inputs, paths: 'generic/drive/*' }
    await runAs('win32')
    expect(core.error.mock.calls.map((c) => String(c[0]))).toContainEqual(
      expect.stringContaining("'a:b.txt' contains ':', which Windows does not allow in file names"),
    )
    expect(fileRequests()).toEqual(['/generic/drive/ok.txt'])
    if (process.platform !== 'win32') {
      vi.clearAllMocks()
      server.reset()
      await fsp.rm(path.join(action.workspace, 'ok.txt'))
      await runAs('linux')
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(fs.readFileSync(path.join(action.workspace, 'a:b.txt'), 'utf8')).toBe('drive')
    }
  })

  it('downloads the rest of the entry when exclude leaves the name out', async () => {
    action.inputs = { ...action.inputs, paths: 'src/lib/*.c => c/', exclude: '**/aux.c' }
    await runAs('win32')
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(fileRequests()).toEqual(['/src/lib/main.c'])
  })

  it('downloads such names on Linux and macOS', async () => {
    action.inputs = { ...action.inputs, paths: 'src/lib/*.c => c/' }
    await runAs('linux')
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(fileRequests().sort()).toEqual(['/src/lib/aux.c', '/src/lib/main.c'])
  })

  it('refuses an explicit file Windows cannot create before any request', async () => {
    action.inputs = { ...action.inputs, paths: 'libs/ok.txt\nlibs/ok.txt => out/report?.txt' }
    await runAs('win32')
    expect(core.setFailed).toHaveBeenCalledWith(
      "Input 'paths' line 2 ('out/report?.txt'): the destination cannot exist on Windows: 'report?.txt' contains '?', which Windows does not allow in file names",
    )
    expect(server.requests).toEqual([])
  })
})

describe('a case clash', () => {
  beforeEach(() => {
    server.setFile('libs/a/README.txt', 'a')
    server.setFile('libs/b/readme.txt', 'b')
  })

  it('is refused before any download on a case-insensitive target', async () => {
    // A dry run does not probe, so the Windows default (insensitive) applies even here.
    action.inputs = {
      ...action.inputs,
      paths: 'libs/a/README.txt\nlibs/b/readme.txt',
      'dry-run': 'true',
    }
    await runAs('win32')
    expect(core.setFailed).toHaveBeenCalledWith(
      `'libs/a/README.txt' (line 1) and 'libs/b/readme.txt' (line 2) would write ${path.join(action.workspace, 'README.txt')} and ${path.join(action.workspace, 'readme.txt')}, which differ only in case and are one file on this case-insensitive target; give one of them a DEST (SOURCE => DEST) or use flat: false`,
    )
    expect(server.requests).toEqual([])
  })

  it('is refused for names from listings too', async () => {
    action.inputs = { ...action.inputs, paths: 'libs/*/*.txt', 'dry-run': 'true' }
    await runAs('darwin')
    expect(core.setFailed).toHaveBeenCalledWith(expect.stringContaining('differ only in case'))
    expect(fileRequests()).toEqual([])
  })

  it.runIf(process.platform === 'linux')(
    'is no clash where the probe finds the target case-sensitive, whatever the platform says (Linux only: the case-sensitive disk)',
    async () => {
      action.inputs = { ...action.inputs, paths: 'libs/a/README.txt\nlibs/b/readme.txt' }
      await runAs('darwin')
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(fs.readFileSync(path.join(action.workspace, 'README.txt'), 'utf8')).toBe('a')
      expect(fs.readFileSync(path.join(action.workspace, 'readme.txt'), 'utf8')).toBe('b')
    },
  )
})

describe('the tool cache', () => {
  let cache: string
  beforeEach(() => {
    cache = path.join(action.workspace, 'runner-tool-cache')
    process.env.RUNNER_TOOL_CACHE = cache
    process.env.RUNNER_TEMP = path.join(action.workspace, 'runner-temp')
    server.setFile('tools/tool.bin', 'the tool')
  })
  afterEach(() => {
    delete process.env.RUNNER_TOOL_CACHE
    delete process.env.RUNNER_TEMP
  })

  /** One run in a fresh action.workspace, as a second job on the same runner would be. */
  async function runInFreshWorkspace(toolCache: string): Promise<void> {
    const ws = await fsp.mkdtemp(path.join(action.workspace, 'ws-'))
    process.env.GITHUB_WORKSPACE = ws
    vi.clearAllMocks()
    server.reset()
    action.inputs = {
      ...action.inputs,
      paths: 'tools/tool.bin',
      target: 'tool',
      'tool-cache': toolCache,
    }
    await run()
  }

  it.each([
    ['protoc@25.1', '25.1'],
    ['jdk@21', '21'],
    ['tool@2024-01', '2024-01'],
    ['tool@1.2.3', '1.2.3'],
    ['tool@v1.2.3', '1.2.3'],
    ['tool@1.2.3-rc.1', '1.2.3-rc.1'],
  ])('stores %s under %s, then hits it without a request', async (spec, folder) => {
    const [name, version] = spec.split('@')
    const expected = path.join(cache, name, folder, os.arch())
    await runInFreshWorkspace(spec)
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(output('cache-hit')).toBe('false')
    expect(output('path')).toBe(expected)
    expect(toolCacheFolder(cache, name, version, os.arch())).toBe(expected)
    expect(fs.readFileSync(path.join(expected, 'tool.bin'), 'utf8')).toBe('the tool')

    await runInFreshWorkspace(spec)
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(output('cache-hit')).toBe('true')
    expect(output('path')).toBe(expected)
    expect(JSON.parse(output('files') as string)).toEqual([path.join(expected, 'tool.bin')])
    expect(server.requests).toEqual([])
  })

  it('takes a version as exact, not as a range: jdk@21 is not the 21.0.5 another action cached', async () => {
    const other = path.join(cache, 'jdk', '21.0.5', os.arch())
    await fsp.mkdir(other, { recursive: true })
    await fsp.writeFile(`${other}.complete`, '')
    await runInFreshWorkspace('jdk@21')
    expect(output('cache-hit')).toBe('false')
    expect(server.requests.map((r) => r.path)).toContain('/tools/tool.bin')
    expect(output('path')).toBe(path.join(cache, 'jdk', '21', os.arch()))
  })

  it('misses a folder whose copy never completed (no .complete marker)', async () => {
    await fsp.mkdir(path.join(cache, 'protoc', '25.1', os.arch()), { recursive: true })
    await runInFreshWorkspace('protoc@25.1')
    expect(output('cache-hit')).toBe('false')
    expect(fs.existsSync(path.join(cache, 'protoc', '25.1', `${os.arch()}.complete`))).toBe(true)
  })

  it('says before any download that RUNNER_TOOL_CACHE is missing', async () => {
    delete process.env.RUNNER_TOOL_CACHE
    await runInFreshWorkspace('protoc@25.1')
    expect(core.setFailed).toHaveBeenCalledWith(
      "Input 'tool-cache' needs RUNNER_TOOL_CACHE, which runners set; it is not set",
    )
    expect(server.requests).toEqual([])
  })

  it.each(['..@1', 'tool@..', '.@1'])('refuses %s, which would leave the cache', async (spec) => {
    await runInFreshWorkspace(spec)
    expect(core.setFailed).toHaveBeenCalledWith(
      `Input 'tool-cache' must not use '.' or '..' as name or version, got '${spec}'`,
    )
    expect(server.requests).toEqual([])
  })

  it('names folders as @actions/tool-cache does, for every kind of version', async () => {
    const tc = await import('@actions/tool-cache')
    const src = path.join(action.workspace, 'src')
    await fsp.mkdir(src)
    await fsp.writeFile(path.join(src, 'f'), 'x')
    for (const version of [
      '1.2.3',
      'v1.2.3',
      'vv1.2.3',
      '1.2.3+build.5',
      '1.2.3-rc.1+b',
      '1.2.3-0abc.0',
      '01.2.3',
      '1.2.3-01',
      '1.2',
      '25.1',
      '21',
      'v21',
      '2024-01',
      '2024.01.15',
      '1.2.3.4',
      'latest',
    ]) {
      const stored = await tc.cacheDir(src, 'probe', version, 'x64')
      expect([version, toolCacheFolder(cache, 'probe', version, 'x64')]).toEqual([version, stored])
    }
    expect(toolCacheVersion('2024.01.15')).toBe('2024.01.15')
    expect(toolCacheVersion('v1.2.3+b4')).toBe('1.2.3')
  })
})
