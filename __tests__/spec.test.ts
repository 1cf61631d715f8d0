// File Specs end to end: the runner layer in-process (typed @actions/core fixture) against the
// local Artifactory-compatible server with properties, creation times, builds and a virtual
// repository.
import { create as createTar } from 'tar'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { filesIn, logged, output, succeeded, useAction } from '../__fixtures__/action-harness.ts'
import { spec } from '../__fixtures__/file-spec.ts'
import { useServer } from '../__fixtures__/server.ts'
import { startArtifactory } from '../server/index.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const FILES: Record<string, string> = {
  'libs/app/1.0/app-1.0.jar': 'app 1.0',
  'libs/app/1.1/app-1.1.jar': 'app 1.1',
  'libs/app/1.2/app-1.2.jar': 'app 1.2',
  'libs/app/1.2/app-1.2-test.jar': 'app 1.2 tests',
  'libs/app/docs/readme.txt': 'readme',
  'libs/v(1)/lit.jar': 'literal parentheses',
  'libs/top.txt': 'top',
  'libs/tools/cli-linux': 'linux cli',
  'libs/tools/cli-mac': 'mac cli',
  'libs/tools/cli-win.exe': 'windows cli',
  'libs-a/shared/one.bin': 'one from a',
  'libs-b/shared/two.bin': 'two from b',
  // In both members: the virtual serves its first member's.
  'libs-a/shared/dup.bin': 'dup from a',
  'libs-b/shared/dup.bin': 'dup from b, longer',
}

const server = useServer(async () => {
  const src = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-spec-src-'))
  await fsp.mkdir(path.join(src, 'bin'))
  await fsp.writeFile(path.join(src, 'bin', 'tool'), 'unpacked tool')
  // node-tar, not a tar program: Wine has no tar.exe.
  createTar({ gzip: true, sync: true, file: path.join(src, 'b.tgz'), cwd: src }, ['bin'])
  const bundle = await fsp.readFile(path.join(src, 'b.tgz'))
  await fsp.rm(src, { recursive: true, force: true })
  return {
    files: { ...FILES, 'libs/dist/tool.tgz': bundle, 'libs/dist/other.tgz': bundle },
    properties: {
      'libs/tools/cli-linux': { os: ['linux'], release: ['true'] },
      'libs/tools/cli-mac': { os: ['mac', 'linux'], release: ['true'] },
      'libs/tools/cli-win.exe': { os: ['win'], release: ['true'], beta: ['yes'] },
      'libs/app/1.0/app-1.0.jar': { release: ['false'] },
    },
    created: {
      'libs/app/1.0/app-1.0.jar': '2026-01-01T00:00:00.000Z',
      'libs/app/1.1/app-1.1.jar': '2026-03-01T00:00:00.000Z',
      'libs/app/1.2/app-1.2.jar': '2026-02-01T00:00:00.000Z',
    },
    builds: {
      // The latest run is the newest `started`, not the largest number.
      app: [
        {
          number: '10',
          started: '2026-11-01T10:00:00.000+0000',
          artifacts: ['libs/app/1.0/app-1.0.jar'],
        },
        {
          number: '9',
          started: '2026-11-02T10:00:00.000+0000',
          artifacts: ['libs/app/1.1/app-1.1.jar', 'libs/app/docs/readme.txt'],
        },
      ],
    },
    // AQL lists libs-a's copy of dup.bin first; the virtual serves libs-b's.
    virtual: { virt: ['libs-b', 'libs-a'] },
  }
})
const action = useAction('artdl-spec-', () => ({ url: server.url }))

/** The downloaded files: not the step summary, nor spec files the test wrote. */
const files = (dir = action.workspace): string[] => filesIn(dir).filter((f) => !f.endsWith('.json'))
const read = (rel: string): string => fs.readFileSync(path.join(action.workspace, rel), 'utf8')
const queries = (s = server): string[] =>
  s.requests.filter((r) => r.path === '/api/search/aql').map((r) => r.body as string)

describe('plain patterns', () => {
  it('resolve through the File List API with JFrog CLI matching and layout', async () => {
    action.inputs.spec = spec({
      pattern: 'libs/app/*.jar',
      target: 'out/',
      exclusions: ['libs/app/*-test.jar'],
    })
    await run()
    succeeded()
    // flat false keeps the path below the repository, not below the pattern's folder.
    expect(files()).toEqual([
      'out/app/1.0/app-1.0.jar',
      'out/app/1.1/app-1.1.jar',
      'out/app/1.2/app-1.2.jar',
    ])
    expect(read('out/app/1.2/app-1.2.jar')).toBe('app 1.2')
    expect(server.requests.filter((r) => r.path.startsWith('/api/')).map((r) => r.url)).toEqual([
      '/artifactory/api/storage/libs/app?list&deep=1&listFolders=0',
    ])
    expect(logged()).toContain(`1 entry requested → 3 files, 21 B, into ${action.workspace}`)
  })

  it('honour flat, recursive false, a file target, and placeholders with literal parentheses', async () => {
    action.inputs.spec = spec(
      { pattern: 'libs/app/docs/*', target: 'flat/', flat: 'true' },
      { pattern: 'libs/*', target: 'top/', recursive: false },
      { pattern: 'libs/app/1.0/app-1.0.jar', target: 'renamed/app.jar', flat: true },
      { pattern: 'libs/v(1)/(*).jar', target: 'lit/{2}.bin' },
    )
    await run()
    succeeded()
    expect(files()).toEqual(['flat/readme.txt', 'lit/lit.bin', 'renamed/app.jar', 'top/top.txt'])
    expect(read('lit/lit.bin')).toBe('literal parentheses')
  })
})

describe('an absolute spec target', () => {
  it('is used as written, outside target too (issue 14)', async () => {
    const elsewhere = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-spec-abs-'))
    try {
      action.inputs.spec = spec({ pattern: 'libs/top.txt', target: `${elsewhere}/` })
      await run()
      succeeded()
      expect(fs.readFileSync(path.join(elsewhere, 'top.txt'), 'utf8')).toBe('top')
    } finally {
      await fsp.rm(elsewhere, { recursive: true, force: true })
    }
  })
})

describe('entries that match nothing or clash', () => {
  it('fail that entry by its position; the others are downloaded', async () => {
    action.inputs.spec = spec(
      { pattern: 'libs/app/docs/*' },
      { pattern: 'libs/app/*', recursive: false },
    )
    action.inputs['fail-on-error'] = 'false'
    await run()
    expect(files()).toEqual(['app/docs/readme.txt'])
    expect(logged()).toContain(
      "✗ spec entry 2 'libs/app/*': spec entry 2: 'libs/app/*' matched no file",
    )
    expect(core.warning.mock.calls[0][0]).toBe(
      "spec entry 2: 'libs/app/*' matched no file (1 attempt)",
    )
  })

  it('are planned with paths, and a clash between them names both', async () => {
    action.inputs.paths = 'libs/app/docs/readme.txt => docs/readme.txt'
    action.inputs.spec = spec({ pattern: 'libs/tools/cli-linux', target: 'docs/', flat: true })
    await run()
    succeeded()
    expect(files()).toEqual(['docs/cli-linux', 'docs/readme.txt'])
    // The spec entry's size is listed; the paths entry's is not known before its download.
    expect(logged()).toContain(
      `2 entries requested → 2 files, 9 B known so far, into ${action.workspace}`,
    )

    vi.clearAllMocks()
    action.inputs.spec = spec({
      pattern: 'libs/tools/cli-linux',
      target: 'docs/readme.txt',
      flat: true,
    })
    await run()
    expect(core.setFailed).toHaveBeenCalledWith(
      `'libs/app/docs/readme.txt' (line 1) and 'libs/tools/cli-linux' (spec entry 1) would both write ${path.join(action.workspace, 'docs', 'readme.txt')}; give one of them a DEST (SOURCE => DEST) or use flat: false`,
    )
  })
})

describe('inputs', () => {
  it('reads a spec file with spec-vars', async () => {
    await fsp.writeFile(
      path.join(action.workspace, 'dl.json'),
      spec({ pattern: 'libs/app/${ver}/*.jar', target: '${dir}/', flat: true }),
    )
    action.inputs = { ...action.inputs, spec: 'dl.json', 'spec-vars': 'ver=1.1;dir=a\\;b' }
    await run()
    succeeded()
    expect(files()).toEqual(['a;b/app-1.1.jar'])
  })

  it('refuses a bad spec before any request', async () => {
    action.inputs.spec = spec({ pattern: 'libs/app/*' }, { pattern: 'libs/x', symlinks: 'true' })
    await run()
    expect(core.setFailed).toHaveBeenCalledWith(
      "Input 'spec' entry 2: field 'symlinks' is not supported by this action",
    )
    expect(server.requests).toEqual([])
  })
})

describe('dry run and shards', () => {
  it('plans a spec without downloading', async () => {
    action.inputs = {
      ...action.inputs,
      spec: spec({ pattern: 'libs/tools/*', target: 't/' }),
      'dry-run': 'true',
    }
    await run()
    succeeded()
    expect(server.stats.bodyResponses).toBe(0)
    expect(files()).toEqual([])
    expect(JSON.parse(output('files') as string)).toEqual(
      ['cli-linux', 'cli-mac', 'cli-win.exe'].map((f) =>
        path.join(action.workspace, 't', 'tools', f),
      ),
    )
  })

  it('splits a spec plan across shards: disjoint and complete', async () => {
    const seen: string[] = []
    for (const shard of ['1/2', '2/2']) {
      vi.clearAllMocks()
      action.inputs = { ...action.inputs, spec: spec({ pattern: 'libs/app/*' }), shard }
      await run()
      succeeded()
      seen.push(...(JSON.parse(output('files') as string) as string[]))
    }
    expect(seen).toHaveLength(5)
    expect(new Set(seen).size).toBe(5)
  })
})

describe('selections through AQL', () => {
  it('selects a build by number and the latest build by started', async () => {
    action.inputs.spec = spec(
      { pattern: '*', build: 'app/10', target: 'b10/', flat: true },
      { pattern: 'libs/app/*.jar', build: 'app', target: 'latest/', flat: true },
    )
    await run()
    succeeded()
    expect(files()).toEqual(['b10/app-1.0.jar', 'latest/app-1.1.jar'])
    const urls = server.requests.filter((r) => r.path.startsWith('/api/build/')).map((r) => r.url)
    // The latest run's build info is read too: builds appended to it belong to it.
    expect(urls.sort()).toEqual([
      '/artifactory/api/build/app',
      '/artifactory/api/build/app/10',
      '/artifactory/api/build/app/9',
    ])
    expect(queries()).toContain(
      'items.find({"$and":[{"repo":{"$match":"*"}},{"artifact.module.build.name":"app","artifact.module.build.number":"10"}]}).include("repo","path","name","size","sha256","actual_sha1","actual_md5","created","modified")',
    )
  })

  it('says by name that a build does not exist', async () => {
    action.inputs.spec = spec({ pattern: '*', build: 'nope' }, { pattern: '*', build: 'app/77' })
    await run()
    expect(core.error.mock.calls.map((c) => c[0])).toEqual([
      "spec entry 1: build lookup: build 'nope' does not exist (1 attempt)",
      "spec entry 2: build lookup: build 'app/77' does not exist (1 attempt)",
    ])
    expect(files()).toEqual([])
  })

  it('selects by props (every listed value) and drops by excludeProps', async () => {
    action.inputs.spec = spec(
      { pattern: 'libs/tools/*', props: 'os=linux,mac', target: 'both/', flat: true },
      {
        pattern: 'libs/*',
        props: 'release=true',
        excludeProps: 'beta=yes',
        target: 'rel/',
        flat: true,
      },
      { pattern: 'libs/tools/*', props: 'os=l*', target: 'wild/', flat: true },
    )
    await run()
    succeeded()
    expect(files()).toEqual([
      'both/cli-mac',
      'rel/cli-linux',
      'rel/cli-mac',
      'wild/cli-linux',
      'wild/cli-mac',
    ])
    expect(server.requests.some((r) => r.url.includes('?list'))).toBe(false)
  })

  it('downloads the latest with sortBy created, sortOrder desc, limit 1', async () => {
    action.inputs.spec = spec(
      {
        pattern: 'libs/app/*/app-*.jar',
        exclusions: ['*-test.jar'],
        sortBy: ['created'],
        sortOrder: 'desc',
        limit: 1,
        target: 'newest/',
        flat: true,
      },
      {
        pattern: 'libs/app/*/app-1.?.jar',
        sortBy: ['name'],
        offset: 1,
        limit: '1',
        target: 'second/',
        flat: true,
      },
    )
    await run()
    succeeded()
    expect(files()).toEqual(['newest/app-1.1.jar', 'second/app-1.1.jar'])
    const [withExclusions, paged] = queries().sort((a) => (a.includes('"$desc"') ? -1 : 1))
    // With exclusions, offset and limit apply after the local filter.
    expect(withExclusions).toMatch(/\.sort\(\{"\$desc":\["created"\]\}\)$/)
    expect(paged).toMatch(/\.sort\(\{"\$asc":\["name"\]\}\)\.offset\(1\)\.limit\(1\)$/)
  })

  it('resolves an aql entry as written, with target, flat and explode', async () => {
    action.inputs.spec = spec(
      {
        aql: { 'items.find': { repo: 'libs', path: 'dist', name: 'tool.tgz' } },
        target: 'tool/',
        explode: 'true',
      },
      {
        aql: { 'items.find': { repo: 'libs', name: { $match: 'other.*' } } },
        target: 'keep/',
        flat: true,
      },
    )
    await run()
    succeeded()
    expect(files()).toEqual(['keep/other.tgz', 'tool/dist/bin/tool'])
    expect(read('tool/dist/bin/tool')).toBe('unpacked tool')
  })

  it('says when a query is too long for Artifactory, without sending it', async () => {
    action.inputs.spec = spec({ pattern: 'libs/*', props: `k=${'v'.repeat(6000)}` })
    await run()
    expect(core.error.mock.calls[0][0]).toMatch(
      /^spec entry 1: its AQL query is 6150 characters; Artifactory refuses queries over 6000 /,
    )
    expect(queries()).toEqual([])
  })

  it('retries AQL when the server answers 429', async () => {
    const busy = await startArtifactory({ files: FILES, aqlFailures: 2 })
    try {
      action.inputs = {
        ...action.inputs,
        url: busy.url,
        spec: spec({ aql: { 'items.find': { name: 'cli-mac' } } }),
      }
      await run()
      succeeded()
      expect(files()).toEqual(['tools/cli-mac'])
      expect(logged().filter((l) => l.startsWith('retry '))).toEqual([
        'retry 1/3 for AQL search of spec entry 1 in 0.0 s: HTTP 429 Too Many Requests: Too many requests',
        'retry 2/3 for AQL search of spec entry 1 in 0.0 s: HTTP 429 Too Many Requests: Too many requests',
      ])
    } finally {
      await busy.close()
    }
  })
})

describe('virtual repositories', () => {
  it('resolve a spec pattern through AQL and download through the virtual', async () => {
    action.inputs.spec = spec(
      { pattern: 'virt/shared/*', target: 'v/' },
      {
        pattern: 'virt/shared/*.bin',
        sortBy: ['name'],
        sortOrder: 'desc',
        limit: 1,
        target: 'last/',
        flat: true,
      },
    )
    await run()
    succeeded()
    expect(files()).toEqual([
      'last/two.bin',
      'v/shared/dup.bin',
      'v/shared/one.bin',
      'v/shared/two.bin',
    ])
    expect(read('v/shared/two.bin')).toBe('two from b')
    // Listed by both members with different checksums: planned once, verified by the headers.
    expect(read('v/shared/dup.bin')).toBe('dup from b, longer')
    const gets = server.requests.filter((r) => !r.path.startsWith('/api/')).map((r) => r.path)
    expect(gets.sort()).toEqual([
      '/virt/shared/dup.bin',
      '/virt/shared/one.bin',
      '/virt/shared/two.bin',
      '/virt/shared/two.bin',
    ])
    expect(server.requests.find((r) => r.url.includes('?list'))?.status).toBe(400)
  })

  it('resolve a paths pattern, keeping the virtual name in the layout', async () => {
    action.inputs = { ...action.inputs, paths: 'virt/shared/*.bin', flat: 'false' }
    await run()
    succeeded()
    expect(files()).toEqual(['virt/shared/dup.bin', 'virt/shared/one.bin', 'virt/shared/two.bin'])
    expect(read('virt/shared/dup.bin')).toBe('dup from b, longer')
  })
})

describe('cancellation', () => {
  it('stops a spec resolution that is waiting for AQL', async () => {
    const slow = await startArtifactory({
      files: FILES,
      onRequest: (r) => (r.path === '/api/search/aql' ? { kind: 'delay', ms: 5000 } : undefined),
    })
    try {
      action.inputs = {
        ...action.inputs,
        url: slow.url,
        paths: 'libs/app/*/*.jar',
        spec: spec({ pattern: 'libs/*', props: 'release=true' }),
      }
      const running = run()
      while (!slow.requests.some((r) => r.path === '/api/search/aql')) {
        await new Promise((r) => setTimeout(r, 5))
      }
      process.emit('SIGTERM', 'SIGTERM')
      await running
      expect(core.setFailed).toHaveBeenCalledTimes(1)
      expect(String(core.setFailed.mock.calls[0][0])).toContain('cancelled by SIGTERM')
      expect(files()).toEqual([])
    } finally {
      await slow.close()
    }
  })
})

describe('names from the server', () => {
  it('refuses an entry whose listing names a path outside its folder', async () => {
    const hostile = await startArtifactory({
      files: { 'libs/h/ok.bin': 'ok' },
      hostileListing: { 'libs/h': ['/../../escape.bin'] },
    })
    try {
      action.inputs = { ...action.inputs, url: hostile.url, spec: spec({ pattern: 'libs/h/*' }) }
      await run()
      expect(core.error.mock.calls[0][0]).toBe(
        "spec entry 1: the server named 'libs/h/../../escape.bin', which contains a '.' or '..' segment; refusing the whole entry (1 attempt)",
      )
      expect(hostile.stats.bodyResponses).toBe(0)
      expect(files()).toEqual([])
    } finally {
      await hostile.close()
    }
  })
})
