// The File Spec fields a `jf rt download` spec still needed the CLI for: `includeDeps`,
// `excludeArtifacts`, `project` (and the `project` input), `bundle` and `includeDirs`. Their
// parsing and queries directly; each through the whole action against the local server,
// which answers build dependencies, projects, release bundles and folders as Artifactory does.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { useServer } from '../__fixtures__/server.ts'
import { filesIn, succeeded, useAction } from '../__fixtures__/action-harness.ts'
import { aqlItem as itemOfRow, entryQuery, type AqlRow } from '../src/artifactory/aql-query.ts'
import { parseJsonItems } from '../src/artifactory/json-items.ts'
import { runAql } from '../server/aql.ts'
import { aqlItem } from '../__fixtures__/aql-item.ts'
import { spec, specEntry, specRefusal } from '../__fixtures__/file-spec.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const INCLUDE =
  '.include("repo","path","name","size","sha256","actual_sha1","actual_md5","created","modified")'

describe('parsing the new fields', () => {
  it('reads build alone, bundle alone, includeDeps, excludeArtifacts, includeDirs and project', () => {
    expect(specEntry({ build: 'app/1' }).pattern).toBeUndefined()
    expect(specEntry({ bundle: 'rel/1.0' }).bundle).toEqual({ name: 'rel', version: '1.0' })
    // As ParseNameAndVersion: the last / not written \/ splits, \/ is a / of the name or version.
    expect(specEntry({ bundle: 'team\\/rel/1.0\\/rc' }).bundle).toEqual({
      name: 'team/rel',
      version: '1.0/rc',
    })
    const e = specEntry({
      build: 'app',
      includeDeps: 'true',
      excludeArtifacts: 'true',
      includeDirs: true,
      project: 'proj1',
    })
    expect([e.includeDeps, e.excludeArtifacts, e.includeDirs, e.project]).toEqual([
      true,
      true,
      true,
      'proj1',
    ])
  })

  it.each([
    [{ bundle: 'rel' }, "field 'bundle' must be 'name/version', got 'rel'"],
    [{ bundle: 'rel/' }, "field 'bundle' must be 'name/version'"],
    [{ pattern: 'a/b', includeDeps: 'true' }, "'includeDeps' needs 'build'"],
    [{ pattern: 'a/b', excludeArtifacts: 'true' }, "'excludeArtifacts' needs 'build'"],
    [{ pattern: 'a/b', project: 'p1' }, "'project' needs 'build'"],
    [
      { build: 'a/1', excludeArtifacts: 'true' },
      "'excludeArtifacts' without 'includeDeps' selects nothing",
    ],
    [{ build: 'a/1', project: 'Bad Key' }, "field 'project' must be a JFrog Project key"],
    [{ bundle: 'rel/1', limit: 1 }, "'bundle' cannot be combined with 'limit'"],
    [{ build: 'a/1', includeDirs: 'maybe' }, "field 'includeDirs' must be true or false"],
  ])('refuses %j', (entry, message) => {
    expect(specRefusal(spec(entry))).toContain(`Input 'spec' entry 1: ${message}`)
  })
})

describe('the queries', () => {
  it('select a build alone, its dependencies, appended builds, or a bundle', () => {
    const builds = [
      { name: 'app', number: '1' },
      { name: 'lib', number: '2' },
    ]
    expect(entryQuery(specEntry({ build: 'app/1' }), undefined, [builds[0]])).toBe(
      `items.find({"artifact.module.build.name":"app","artifact.module.build.number":"1"})${INCLUDE}`,
    )
    expect(entryQuery(specEntry({ build: 'app/1', includeDeps: 'true' }), undefined, builds)).toBe(
      'items.find({"$or":[' +
        '{"artifact.module.build.name":"app","artifact.module.build.number":"1"},' +
        '{"artifact.module.build.name":"lib","artifact.module.build.number":"2"},' +
        '{"dependency.module.build.name":"app","dependency.module.build.number":"1"},' +
        `{"dependency.module.build.name":"lib","dependency.module.build.number":"2"}]})${INCLUDE}`,
    )
    expect(
      entryQuery(
        specEntry({ build: 'app/1', includeDeps: 'true', excludeArtifacts: 'true' }),
        undefined,
        [builds[0]],
      ),
    ).toBe(
      `items.find({"dependency.module.build.name":"app","dependency.module.build.number":"1"})${INCLUDE}`,
    )
    expect(entryQuery(specEntry({ bundle: 'rel/1.*' }), undefined, undefined)).toBe(
      `items.find({"release_artifact.release.name":"rel","release_artifact.release.version":{"$match":"1.*"}})${INCLUDE}`,
    )
  })

  it('ask for folders with includeDirs, and read them from the answer', () => {
    const q = entryQuery(
      specEntry({ aql: { 'items.find': { repo: 'libs' } }, includeDirs: true }),
      undefined,
      undefined,
    )
    expect(q).toBe(
      'items.find({"$and":[{"repo":"libs"},{"type":"any"}]}).include("repo","path","name","size","sha256","actual_sha1","actual_md5","created","modified","type")',
    )
    const body = {
      results: [
        { repo: 'libs', path: '.', name: '.', type: 'folder' },
        { repo: 'libs', path: 'a', name: 'empty', type: 'folder' },
        { repo: 'libs', path: 'a', name: 'f.txt', type: 'file', size: 3 },
      ],
    }
    const rows = (withFolders: boolean) =>
      parseJsonItems(Buffer.from(JSON.stringify(body)), 'results', (row) =>
        itemOfRow(row as AqlRow, withFolders),
      ).items
    expect(rows(true).map((i) => [i.path, i.name, i.folder ?? false])).toEqual([
      ['a', 'empty', true],
      ['a', 'f.txt', false],
    ])
    expect(rows(false).map((i) => i.name)).toEqual(['f.txt'])
  })
})

describe('the local server', () => {
  const items = [
    aqlItem('libs/a/x.jar', {
      builds: [{ name: 'app', number: '1' }],
      dependencyOf: [{ name: 'other', number: '9' }],
      releases: [{ name: 'rel', version: '1.0' }],
    }),
    aqlItem('libs/a/y.jar', { dependencyOf: [{ name: 'app', number: '1' }] }),
    { ...aqlItem('libs/a/empty'), type: 'folder' as const },
  ]
  const names = (criteria: unknown): unknown => {
    const a = runAql(`items.find(${JSON.stringify(criteria)})`, items)
    return 'error' in a ? a.error : a.results.map((r) => `${r.type}:${r.name}`)
  }

  it('answers dependency and release bundle conditions, each pair for one build or bundle', () => {
    expect(names({ 'dependency.module.build.name': 'app' })).toEqual(['file:y.jar'])
    expect(
      names({ 'dependency.module.build.name': 'app', 'dependency.module.build.number': '9' }),
    ).toEqual([])
    expect(
      names({
        'release_artifact.release.name': 'rel',
        'release_artifact.release.version': { $match: '1.*' },
      }),
    ).toEqual(['file:x.jar'])
  })

  it('finds folders only when the query asks for a type', () => {
    expect(names({ repo: 'libs' })).toEqual(['file:x.jar', 'file:y.jar'])
    expect(names({ repo: 'libs', type: 'any' })).toEqual([
      'file:x.jar',
      'file:y.jar',
      'folder:empty',
    ])
    expect(names({ $and: [{ repo: 'libs' }, { type: 'folder' }] })).toEqual(['folder:empty'])
  })
})

const server = useServer({
  files: {
    'libs/app/app.jar': 'app',
    'libs/deps/dep.jar': 'dependency',
    'libs/tool/tool.bin': 'project tool',
    'libs/rel/r1.bin': 'release one',
    'libs/rel/r2.bin': 'release two',
    'libs/rel/r3.bin': 'release three',
    'libs/tree/full/f.txt': 'in a folder',
  },
  folders: ['libs/tree/empty', 'libs/tree/full/inner'],
  builds: {
    app: [
      {
        number: '1',
        started: '2026-11-01T10:00:00.000+0000',
        artifacts: ['libs/app/app.jar'],
        dependencies: ['libs/deps/dep.jar'],
      },
    ],
    tool: [
      {
        number: '5',
        started: '2026-11-01T10:00:00.000+0000',
        artifacts: ['libs/tool/tool.bin'],
        project: 'proj1',
      },
    ],
  },
  bundles: [
    { name: 'release', version: '1.0', artifacts: ['libs/rel/r1.bin', 'libs/rel/r2.bin'] },
    { name: 'release', version: '2.0', artifacts: ['libs/rel/r3.bin'] },
  ],
})
const action = useAction('artdl-fields-', () => ({ url: server.url }))
const queries = (): string[] =>
  server.requests.filter((r) => r.path === '/api/search/aql').map((r) => r.body as string)
const buildUrls = (): string[] =>
  server.requests.filter((r) => r.path.startsWith('/api/build/')).map((r) => r.url)
const isDir = (rel: string): boolean =>
  fs.statSync(path.join(action.workspace, rel), { throwIfNoEntry: false })?.isDirectory() ?? false

describe('through the action', () => {
  it('includeDeps adds the build dependencies; excludeArtifacts keeps only them', async () => {
    action.inputs.spec = spec(
      { build: 'app/1', includeDeps: 'true', target: 'all/' },
      { build: 'app/1', includeDeps: 'true', excludeArtifacts: 'true', target: 'deps/' },
    )
    await run()
    succeeded()
    expect(filesIn(action.workspace)).toEqual([
      'all/app/app.jar',
      'all/deps/dep.jar',
      'deps/deps/dep.jar',
    ])
    expect(fs.readFileSync(path.join(action.workspace, 'deps/deps/dep.jar'), 'utf8')).toBe(
      'dependency',
    )
  })

  it('project finds a build of a JFrog Project through ?project=KEY', async () => {
    action.inputs.spec = spec({ build: 'tool/5', project: 'proj1', target: 'p/' })
    await run()
    succeeded()
    expect(filesIn(action.workspace)).toEqual(['p/tool/tool.bin'])
    expect(buildUrls()).toEqual(['/artifactory/api/build/tool/5?project=proj1'])
    // Its build info lives in the project's build-info repository.
    expect([...server.files.keys()].filter((k) => k.startsWith('proj1-build-info/'))).toEqual([
      `proj1-build-info/tool/5-${Date.parse('2026-11-01T10:00:00.000+0000')}.json`,
    ])
  })

  it('the project input applies to every build entry without one; outside it the build is unknown', async () => {
    action.inputs.project = 'proj1'
    action.inputs.spec = spec({ build: 'tool', target: 'latest/' })
    await run()
    succeeded()
    expect(filesIn(action.workspace)).toEqual(['latest/tool/tool.bin'])
    expect(buildUrls()).toEqual([
      '/artifactory/api/build/tool?project=proj1',
      '/artifactory/api/build/tool/5?project=proj1',
    ])

    vi.clearAllMocks()
    action.inputs = { ...action.inputs, project: '' }
    await run()
    expect(core.setFailed).toHaveBeenCalled()
    expect(
      core.warning.mock.calls.flat().join('\n') + core.error.mock.calls.flat().join('\n'),
    ).toContain("spec entry 1: build lookup: build 'tool' does not exist")
  })

  it('refuses a bad project input before any request', async () => {
    action.inputs.project = 'Proj 1'
    action.inputs.spec = spec({ build: 'tool' })
    await run()
    expect(core.setFailed).toHaveBeenCalledWith(
      "Input 'project' must be a JFrog Project key (2 to 32 lowercase letters, digits or '-', starting with a letter), got 'Proj 1'",
    )
    expect(server.requests).toEqual([])
  })

  it('bundle selects a release bundle version, alone or with a pattern', async () => {
    action.inputs.spec = spec(
      { bundle: 'release/1.0', target: 'b/', flat: 'true' },
      { pattern: 'libs/rel/*2*', bundle: 'release/*', target: 'two/', flat: 'true' },
    )
    await run()
    succeeded()
    expect(filesIn(action.workspace)).toEqual(['b/r1.bin', 'b/r2.bin', 'two/r2.bin'])
    expect(queries()[0]).toContain(
      '"release_artifact.release.name":"release","release_artifact.release.version":"1.0"',
    )
  })

  it('includeDirs creates the folders found, empty ones too; folders alone are a match', async () => {
    action.inputs.spec = spec(
      { pattern: 'libs/tree/', includeDirs: 'true', target: 'd/' },
      { pattern: 'libs/tree/empty', includeDirs: 'true', target: 'only/' },
    )
    await run()
    succeeded()
    expect(filesIn(action.workspace)).toEqual(['d/tree/full/f.txt'])
    for (const dir of ['d/tree/empty', 'd/tree/full/inner', 'only/tree/empty']) {
      expect(isDir(dir), dir).toBe(true)
    }
    expect(queries().every((q) => q.includes('{"type":"any"}'))).toBe(true)
  })

  it('the local server lists folders, empty ones too, in the File List API with listFolders=1', async () => {
    const list = async (q: string): Promise<unknown> => {
      const res = await fetch(`${server.url}/api/storage/libs/tree?list&deep=1&${q}`)
      const body = (await res.json()) as { files: { uri: string; folder: boolean }[] }
      return body.files.map((f) => `${f.folder ? 'folder' : 'file'}:${f.uri}`).sort()
    }
    expect(await list('listFolders=0')).toEqual(['file:/full/f.txt'])
    expect(await list('listFolders=1')).toEqual([
      'file:/full/f.txt',
      'folder:/empty',
      'folder:/full',
      'folder:/full/inner',
    ])
    // An empty folder exists: listing it is no 404.
    const empty = await fetch(`${server.url}/api/storage/libs/tree/empty?list&deep=1&listFolders=1`)
    expect(empty.status).toBe(200)
    expect(((await empty.json()) as { files: unknown[] }).files).toEqual([])
  })

  it('includeDirs creates nothing in a dry run', async () => {
    action.inputs['dry-run'] = 'true'
    action.inputs.spec = spec({ pattern: 'libs/tree/empty', includeDirs: 'true', target: 'd/' })
    await run()
    succeeded()
    expect(isDir('d')).toBe(false)
  })
})
