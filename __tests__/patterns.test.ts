import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { aqlQuery } from '../src/artifactory/aql.ts'
import { patternEntry } from '../__fixtures__/pattern-entry.ts'
import { matcher, patternPrefix, planMatches } from '../src/plan/patterns.ts'
import type { ListedFile } from '../src/artifactory/remote-file.ts'
import { pathNameProblem, unsafeName } from '../src/common/file-names.ts'
import type { Download } from '../src/engine/download.ts'
import { shardPlan } from '../src/plan/shard.ts'

const url = 'https://acme.test/artifactory'
// '/t' on POSIX, '<drive>:\\t' on Windows; expected paths use the OS's separators.
const T = path.resolve('/t')
const at = (relative: string) => path.join(T, relative)

describe('patternPrefix', () => {
  it.each([
    ['libs/com/acme/app/1.4.*/**/*.jar', { repo: 'libs', folder: 'com/acme/app' }],
    ['libs/*.jar', { repo: 'libs', folder: '' }],
    ['libs/a/b/c?.txt', { repo: 'libs', folder: 'a/b' }],
    ['libs/**', { repo: 'libs', folder: '' }],
    // Where picomatch.scan's base differs (see patternPrefix): a folder stops at any of *?[]{}
    // and never takes the last segment.
    ['libs/a/b]/x*.jar', { repo: 'libs', folder: 'a' }],
    ['libs/a/b}/x*.jar', { repo: 'libs', folder: 'a' }],
    ['libs/a\\*/x*.jar', { repo: 'libs', folder: '' }],
    ['libs/a/b/c]', { repo: 'libs', folder: 'a/b' }],
  ])('%s lists %o', (pattern, prefix) => {
    expect(patternPrefix(pattern)).toEqual(prefix)
  })
})

describe('matcher', () => {
  const m = matcher(['libs/com/**/*.jar'])
  it('lets ** span folders and * stay in one', () => {
    expect(m('libs/com/a/b/c.jar')).toBe(true)
    expect(m('libs/com/c.jar')).toBe(true)
    expect(m('libs/com/c.pom')).toBe(false)
    expect(matcher(['libs/*.jar'])('libs/a/b.jar')).toBe(false)
    expect(matcher(['libs/a?.jar'])('libs/ab.jar')).toBe(true)
    expect(matcher(['libs/a?.jar'])('libs/abc.jar')).toBe(false)
  })
})

describe('unsafeName', () => {
  it.each(['../x', 'a/../b', '/abs', 'a\\b', 'a\u0000b', 'a\nb', 'a//b'])('refuses %j', (name) => {
    expect(unsafeName(name)).toBeDefined()
  })
  it('leaves a drive-like name to the OS rules: ordinary on posix, its colon refused on Windows', () => {
    expect(unsafeName('C:/x')).toBeUndefined()
    expect(unsafeName('a:b.txt')).toBeUndefined()
    expect(pathNameProblem('C:/x', 'posix')).toBeUndefined()
    expect(pathNameProblem('C:/x', 'windows')).toBe(
      "'C:' contains ':', which Windows does not allow in file names",
    )
  })
  it('accepts ordinary names', () => {
    expect(unsafeName('com/acme/app-1.0.jar')).toBeUndefined()
    expect(unsafeName('.hidden/x..y')).toBeUndefined()
  })
})

describe('planMatches', () => {
  const listed: ListedFile[] = [
    { path: 'libs/com/acme/app/1.4.0/app.jar', size: 10, sha256: 'a'.repeat(64) },
    { path: 'libs/com/acme/app/1.4.0/app.pom', size: 1 },
    { path: 'libs/com/acme/app/1.4.1/sub/app-tests.jar', size: 20 },
    { path: 'libs/com/acme/app/1.5.0/app.jar', size: 30 },
  ]
  const plan = (paths: string, flat = true, exclude: string[] = []): Download[] =>
    planMatches(patternEntry(paths, url), listed, exclude, { target: T, flat }).downloads

  it('keeps matches with their listed size and checksum', () => {
    const ds = plan('libs/com/acme/app/1.4.*/**/*.jar', false)
    expect(ds.map((d) => [d.source, d.dest, d.size])).toEqual([
      ['libs/com/acme/app/1.4.0/app.jar', at('libs/com/acme/app/1.4.0/app.jar'), 10],
      [
        'libs/com/acme/app/1.4.1/sub/app-tests.jar',
        at('libs/com/acme/app/1.4.1/sub/app-tests.jar'),
        20,
      ],
    ])
    expect(ds[0].checksums.sha256).toBe('a'.repeat(64))
    expect(ds[0].url).toBe(`${url}/libs/com/acme/app/1.4.0/app.jar`)
  })

  it('writes file names only when flat, under DEST as a folder', () => {
    expect(plan('libs/com/acme/app/1.4.*/**/*.jar => jars/').map((d) => d.dest)).toEqual([
      at('jars/app.jar'),
      at('jars/app-tests.jar'),
    ])
  })

  it('keeps the path below the wildcard-free prefix with DEST and flat: false', () => {
    expect(plan('libs/com/acme/app/1.4.*/**/*.jar => jars', false).map((d) => d.dest)).toEqual([
      at('jars/1.4.0/app.jar'),
      at('jars/1.4.1/sub/app-tests.jar'),
    ])
  })

  it('drops excluded matches', () => {
    expect(
      plan('libs/com/acme/**/*.jar', true, [
        'libs/**/*-tests.jar',
        'libs/com/acme/app/1.5.*/**',
      ]).map((d) => d.source),
    ).toEqual(['libs/com/acme/app/1.4.0/app.jar'])
  })

  it('is an error when nothing matches', () => {
    expect(() => plan('libs/com/acme/**/*.war')).toThrow("'libs/com/acme/**/*.war' matched no file")
  })

  it('refuses the whole entry when the server lists a hostile name', () => {
    const hostile = [...listed, { path: 'libs/com/acme/../../etc/passwd' }]
    expect(() =>
      planMatches(patternEntry('libs/com/acme/**', url), hostile, [], { target: T, flat: false }),
    ).toThrow(
      "the server listed 'libs/com/acme/../../etc/passwd', which contains a '.' or '..' segment",
    )
  })
})

describe('aqlQuery', () => {
  it('asks for files under the prefix with the fields the plan uses', () => {
    expect(aqlQuery({ repo: 'libs', folder: 'com/acme' })).toBe(
      'items.find({"repo":"libs","$or":[{"path":{"$match":"com/acme"}},{"path":{"$match":"com/acme/*"}}],"type":"file"}).include("repo","path","name","size","sha256")',
    )
  })
})

describe('shardPlan', () => {
  const d = (name: string, size?: number): Download => ({
    source: name,
    url: `${url}/${name}`,
    dest: `/t/${name}`,
    size,
    checksums: {},
    line: 1,
  })
  const sized = Array.from({ length: 50 }, (_, i) =>
    d(`f${String(i).padStart(2, '0')}`, ((i * 7919) % 97) * 1000 + 1),
  )

  it('partitions: shards are disjoint and cover everything', () => {
    for (const n of [1, 2, 3, 7]) {
      const shards = Array.from({ length: n }, (_, i) => shardPlan(sized, i + 1, n))
      const all = shards.flat().map((x) => x.dest)
      expect(new Set(all).size).toBe(sized.length)
      expect(all).toHaveLength(sized.length)
    }
  })

  it('balances by bytes when every size is known', () => {
    const shards = Array.from({ length: 4 }, (_, i) => shardPlan(sized, i + 1, 4))
    const loads = shards.map((s) => s.reduce((n, x) => n + (x.size as number), 0))
    const max = Math.max(...sized.map((x) => x.size as number))
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(max)
  })

  it('balances by count when a size is unknown, and is independent of input order', () => {
    const mixed = [...sized.slice(0, 9), d('nosize')]
    const shards = Array.from({ length: 3 }, (_, i) =>
      shardPlan(mixed, i + 1, 3).map((x) => x.dest),
    )
    expect(shards.map((s) => s.length)).toEqual([4, 3, 3])
    expect(shardPlan([...mixed].reverse(), 2, 3).map((x) => x.dest)).toEqual(shards[1])
  })
})
