// The JFrog CLI's own download tests, replayed through the whole action against the local
// server loaded with each test's layout (artifactory_test.go, buildinfo_test.go and their
// testdata/filespecs): the files each test asserts, and nothing else. Plus the pure rules
// behind them: placeholders in the repository, overlapping entries, appended builds.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { useServer } from '../__fixtures__/server.ts'
import { expectSameBytes } from '../__fixtures__/bytes.ts'
import { filesIn, succeeded, useAction } from '../__fixtures__/action-harness.ts'
import { spec } from '../__fixtures__/file-spec.ts'
import { startArtifactory } from '../server/index.ts'
import { compileSpecPattern, specDestination } from '../src/plan/spec-pattern.ts'
import { patternCriteria } from '../src/artifactory/aql-query.ts'
import { mergeOverlaps } from '../src/plan/overlaps.ts'
import { checkClashes } from '../src/plan/downloads.ts'
import type { Download } from '../src/engine/download.ts'
import { collectBuilds, MAX_BUILDS } from '../src/plan/build-set.ts'
import { splitBuildId } from '../src/artifactory/builds.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const REPO1 = 'cli-rt1-1760000000'
const REPO2 = 'cli-rt2-1760000000'
const A = ['a1.in', 'a2.in', 'a3.in']
const B = ['b1.in', 'b2.in', 'b3.in']
const C = ['c1.in', 'c2.in', 'c3.in']
const content = (name: string): string => `content of ${name}\n`

// SplitUploadSpecA/B uploaded flat into REPO1/data/ (ByBuildNoPattern, AppendedBuild); the same
// specs with --recursive=true --flat=false lay testdata/a out below REPO1/data/ (Exclusions).
const FILES: Record<string, string> = {
  ...Object.fromEntries([...A, ...B].map((n) => [`${REPO1}/data/${n}`, content(n)])),
  ...Object.fromEntries([
    ...A.map((n) => [`${REPO1}/data/testdata/a/${n}`, content(n)]),
    ...B.map((n) => [`${REPO1}/data/testdata/a/b/${n}`, content(n)]),
    ...C.map((n) => [`${REPO1}/data/testdata/a/b/c/${n}`, content(n)]),
  ]),
}

const server = useServer({
  files: FILES,
  builds: {
    'cli-build1': [
      {
        number: '10',
        started: '2026-11-01T10:00:00.000+0000',
        artifacts: A.map((n) => `${REPO1}/data/${n}`),
      },
      {
        number: '11',
        started: '2026-11-01T11:00:00.000+0000',
        artifacts: B.map((n) => `${REPO1}/data/${n}`),
      },
      {
        number: '12',
        started: '2026-11-01T12:00:00.000+0000',
        artifacts: A.map((n) => `${REPO1}/data/${n}`),
      },
    ],
    // `jf rt ba cli-build2 13 cli-build1 12`, then `jf rt bp cli-build2 13`.
    'cli-build2': [
      {
        number: '13',
        started: '2026-11-01T13:00:00.000+0000',
        artifacts: [],
        appended: ['cli-build1/12'],
      },
    ],
  },
})
const action = useAction('artdl-cli-', () => ({ url: server.url }))
const sameContent = (rel: string): void =>
  expectSameBytes(
    fs.readFileSync(path.join(action.workspace, rel)),
    Buffer.from(content(path.basename(rel))),
  )

describe('the JFrog CLI download tests', () => {
  it('TestArtifactoryDownloadByBuildNoPatternUsingSpec: a build alone selects all its artifacts', async () => {
    // testdata/filespecs/build_download_spec_no_pattern.json
    action.inputs.spec = spec({ target: 'out/download/aql_by_build/', build: 'cli-build1/10' })
    await run()
    succeeded()
    const expected = A.map((n) => `out/download/aql_by_build/data/${n}`)
    expect(filesIn(action.workspace)).toEqual(expected)
    for (const f of expected) sameContent(f)
  })

  it('TestArtifactoryDownloadPlaceholderInRepo: a capture in the repository part', async () => {
    // `jf rt dl "cli-rt(*)-<ts>" out/a/{1}/ --flat=true`
    action.inputs.spec = spec({
      pattern: 'cli-rt(*)-1760000000',
      target: 'out/a/{1}/',
      flat: 'true',
    })
    // The test's own repositories: one file in each.
    const own = await startArtifactory({
      files: {
        [`${REPO1}/path/a1.in`]: content('a1.in'),
        [`${REPO2}/path/a2.in`]: content('a2.in'),
      },
    })
    try {
      action.inputs.url = own.url
      await run()
    } finally {
      await own.close()
    }
    succeeded()
    expect(filesIn(action.workspace)).toEqual(['out/a/1/a1.in', 'out/a/2/a2.in'])
    sameContent('out/a/1/a1.in')
    const queries = own.requests.filter((r) => r.path === '/api/search/aql').map((r) => r.body)
    expect(queries).toHaveLength(1)
    // The parentheses are gone from the repository condition the server sees.
    expect(queries[0]).toContain('{"repo":{"$match":"cli-rt*-1760000000"}}')
  })

  it('TestArtifactoryDownloadExclusionsBySpecOverride: overlapping entries download each file once', async () => {
    // testdata/filespecs/download_spec_exclusions.json, with the command line's
    // --exclusions=*a1.in;*a2.in;*c2.in in place of each entry's own.
    const exclusions = ['*a1.in', '*a2.in', '*c2.in']
    const target = 'out/download/aql_by_artifacts/data/'
    action.inputs.spec = spec(
      {
        pattern: `${REPO1}/data/testdata/a/`,
        target,
        recursive: 'false',
        flat: 'true',
        exclusions,
      },
      {
        pattern: `${REPO1}/data/testdata/a/b/`,
        target,
        recursive: 'true',
        flat: 'true',
        exclusions,
      },
      {
        pattern: `${REPO1}/data/testdata/a/b/c/`,
        target,
        recursive: 'false',
        flat: 'true',
        exclusions,
      },
      {
        pattern: `${REPO1}/data/testdata/a/b/`,
        target,
        recursive: 'true',
        flat: 'true',
        exclusions,
      },
    )
    await run()
    succeeded()
    const expected = ['a3.in', 'b1.in', 'b2.in', 'b3.in', 'c1.in', 'c3.in'].map(
      (n) => `${target}${n}`,
    )
    expect(filesIn(action.workspace)).toEqual(expected)
    for (const f of expected) sameContent(f)
    // c1.in is reached by three entries and b1.in by two: one request each.
    const gets = server.requests.filter((r) => r.method === 'GET' && !r.path.startsWith('/api/'))
    expect(gets.map((r) => r.path).sort()).toEqual([
      `/${REPO1}/data/testdata/a/a3.in`,
      ...['b1.in', 'b2.in', 'b3.in'].map((n) => `/${REPO1}/data/testdata/a/b/${n}`),
      ...['c1.in', 'c3.in'].map((n) => `/${REPO1}/data/testdata/a/b/c/${n}`),
    ])
  })

  it('TestDownloadAppendedBuild: the artifacts of a build appended with build-append', async () => {
    // `jf rt dl cli-rt1-<ts> out/download/simple_by_build/ --build=cli-build2/13`
    action.inputs.spec = spec({
      pattern: REPO1,
      target: 'out/download/simple_by_build/',
      build: 'cli-build2/13',
    })
    await run()
    succeeded()
    expect(filesIn(action.workspace)).toEqual(
      A.map((n) => `out/download/simple_by_build/data/${n}`),
    )
    const builds = server.requests.filter((r) => r.path.startsWith('/api/build/')).map((r) => r.url)
    expect(builds).toEqual([
      '/artifactory/api/build/cli-build2/13',
      '/artifactory/api/build/cli-build1/12',
    ])
  })
})

describe('placeholders in the repository part', () => {
  it('leave the query without parentheses and number captures by their opening parenthesis', () => {
    const p = compileSpecPattern('cli-rt(*)-1760000000/(*)/*', 'out/{1}/{2}/', true)
    expect(p.repo).toBe('cli-rt*-1760000000')
    expect(p.repoWildcard).toBe(true)
    expect(p.below).toBe('*/*')
    expect(JSON.stringify(patternCriteria(p))).toBe(
      '{"repo":{"$match":"cli-rt*-1760000000"},"$or":[{"path":{"$match":"*"},"name":{"$match":"*"}},{"path":{"$match":"*/*"},"name":{"$match":"*"}}]}',
    )
    const f = { repo: 'cli-rt2-1760000000', path: 'path/deep', name: 'a2.in' }
    expect(specDestination(p, 'out/{1}/{2}/', false, f)).toBe('out/2/path/deep/a2.in')
    expect(specDestination(p, 'out/{2}/{1}/', false, f)).toBe('out/path/deep/2/a2.in')
  })

  it('are literal parentheses when the target has no {n} for them', () => {
    const p = compileSpecPattern('cli-rt(1)/(*).in', 'out/{2}.txt', true)
    expect(p.repo).toBe('cli-rt(1)')
    expect(p.repoWildcard).toBe(false)
    expect(
      specDestination(p, 'out/{2}.txt', true, { repo: 'cli-rt(1)', path: '.', name: 'x.in' }),
    ).toBe('out/x.txt')
  })
})

describe('overlapping entries', () => {
  const d = (source: string, dest: string, extra: Partial<Download> = {}): Download => ({
    source,
    url: `https://a.example/artifactory/${source}`,
    dest,
    checksums: {},
    line: 1,
    ...extra,
  })

  it('reaching one file for one destination are one download', () => {
    const merged = mergeOverlaps([
      d('r/a.in', '/t/a.in', { label: 'spec entry 1' }),
      d('r/b.in', '/t/b.in'),
      d('r/a.in', '/t/a.in', { label: 'spec entry 2', extract: true }),
    ])
    expect(merged.map((m) => [m.source, m.dest, m.label, m.extract])).toEqual([
      ['r/a.in', '/t/a.in', 'spec entry 1', true],
      ['r/b.in', '/t/b.in', undefined, undefined],
    ])
    expect(() => checkClashes(merged)).not.toThrow()
  })

  it('from two different sources to one destination still clash', () => {
    const merged = mergeOverlaps([d('r/x/a.in', '/t/a.in'), d('r/y/a.in', '/t/a.in')])
    expect(merged).toHaveLength(2)
    expect(() => checkClashes(merged)).toThrow(
      "'r/x/a.in' (line 1) and 'r/y/a.in' (line 1) would both write /t/a.in",
    )
  })
})

describe('appended builds', () => {
  it('belong to the build, recursively, each run once, also in a cycle', async () => {
    const graph: Record<string, string[]> = {
      'app/1': ['lib/2', 'tools/3'],
      'lib/2': ['base/4', 'app/1'],
      'tools/3': ['base/4'],
      'base/4': ['lib/2'],
    }
    const seen: string[] = []
    const builds = await collectBuilds({ name: 'app', number: '1' }, async (b) => {
      seen.push(`${b.name}/${b.number}`)
      return (graph[`${b.name}/${b.number}`] ?? []).map((id) => splitBuildId(id) as never)
    })
    expect(builds.map((b) => `${b.name}/${b.number}`)).toEqual([
      'app/1',
      'lib/2',
      'tools/3',
      'base/4',
    ])
    expect(seen).toEqual(['app/1', 'lib/2', 'tools/3', 'base/4'])
  })

  it('stop at a bound rather than follow a server that never ends', async () => {
    let n = 0
    await expect(
      collectBuilds({ name: 'b', number: '0' }, async () => [{ name: 'b', number: String(++n) }]),
    ).rejects.toThrow(`has more than ${MAX_BUILDS} appended builds`)
  })

  it('are named by module ids split at the last unescaped /', () => {
    expect(splitBuildId('cli-build1/12')).toEqual({ name: 'cli-build1', number: '12' })
    expect(splitBuildId('team/app/7')).toEqual({ name: 'team/app', number: '7' })
    expect(splitBuildId('app/1\\/2')).toEqual({ name: 'app', number: '1/2' })
    expect(splitBuildId('no-number')).toBeUndefined()
    expect(splitBuildId('app/')).toBeUndefined()
  })
})
