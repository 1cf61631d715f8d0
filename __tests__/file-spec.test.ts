// The pure parts of File Spec support: spec-vars, props, parsing and refusals, the JFrog CLI's
// pattern and target semantics, and the AQL each entry becomes.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSpecVars, substituteSpecVars } from '../src/input/spec-vars.ts'
import { parseProps } from '../src/input/props.ts'
import {
  compileSpecPattern,
  exclusionMatcher,
  specDestination,
  specMatches,
} from '../src/plan/spec-pattern.ts'
import { entryQuery, patternCriteria } from '../src/artifactory/aql-query.ts'
import { getSettings } from '../src/input/settings.ts'
import { PlanError } from '../src/common/errors.ts'
import { aqlTest } from '../server/aql.ts'
import { aqlItem, repoFile } from '../__fixtures__/aql-item.ts'
import { spec, specEntry, specRefusal } from '../__fixtures__/file-spec.ts'

describe('spec-vars', () => {
  it('splits at ; unless escaped, and at the first = only', () => {
    expect([...parseSpecVars('a=1;b=x\\;y;c=k=v; d =2')]).toEqual([
      ['a', '1'],
      ['b', 'x;y'],
      ['c', 'k=v'],
      ['d', '2'],
    ])
    expect(parseSpecVars('')).toEqual(new Map())
  })

  it('refuses a pair without = or with an empty key', () => {
    expect(() => parseSpecVars('a=1;oops')).toThrow("Input 'spec-vars': 'oops' must be 'key=value'")
    expect(() => parseSpecVars('=1')).toThrow("Input 'spec-vars': '=1' has an empty key")
  })

  it('replaces every ${key} once, and names the keys left without a value', () => {
    const vars = parseSpecVars('v=1.2;loop=${v}')
    expect(substituteSpecVars('{"p":"libs/${v}/${v}-${loop}"}', vars)).toBe(
      '{"p":"libs/1.2/1.2-${v}"}',
    )
    expect(() => substituteSpecVars('${v} ${nope} ${other}', vars)).toThrow(
      "Input 'spec': '${nope}', '${other}' have no value; give them in 'spec-vars'",
    )
  })
})

describe('props', () => {
  it('reads key=v1,v2;key2=v3 as pairs that must all be present', () => {
    expect(parseProps('os=linux,mac;release=true')).toEqual([
      { key: 'os', value: 'linux', wildcard: false },
      { key: 'os', value: 'mac', wildcard: false },
      { key: 'release', value: 'true', wildcard: false },
    ])
  })

  it('unescapes \\, \\; \\= and marks wildcards', () => {
    expect(parseProps('a\\=b=x\\,y\\;z;v=1.*')).toEqual([
      { key: 'a=b', value: 'x,y;z', wildcard: false },
      { key: 'v', value: '1.*', wildcard: true },
    ])
  })

  it('says what is wrong', () => {
    expect(parseProps('release')).toBe("'release' must be 'key=value'")
    expect(parseProps('=x')).toBe("'=x' has an empty key")
    expect(parseProps(' ; ')).toBe('is empty')
  })
})

describe('parseFileSpec', () => {
  it('applies the JFrog CLI defaults', () => {
    expect(specEntry({ pattern: 'libs/a/*.jar' })).toEqual({
      position: 1,
      pattern: 'libs/a/*.jar',
      target: '',
      flat: false,
      recursive: true,
      exclusions: [],
      explode: false,
      includeDeps: false,
      excludeArtifacts: false,
      includeDirs: false,
    })
  })

  it('reads every field, case-insensitively, with strings for booleans and numbers', () => {
    const e = specEntry({
      Pattern: 'libs/a/*.jar',
      TARGET: 'out/',
      flat: 'true',
      recursive: 'FALSE',
      exclusions: ['libs/a/*-test.jar'],
      props: 'release=true',
      excludeprops: 'os=win',
      sortBy: ['created', 'name'],
      SortOrder: 'DESC',
      limit: '1',
      offset: 2,
      explode: 'true',
    })
    expect(e).toMatchObject({
      target: 'out/',
      flat: true,
      recursive: false,
      exclusions: ['libs/a/*-test.jar'],
      props: [{ key: 'release', value: 'true', wildcard: false }],
      excludeProps: [{ key: 'os', value: 'win', wildcard: false }],
      sortBy: ['created', 'name'],
      sortOrder: 'desc',
      limit: 1,
      offset: 2,
      explode: true,
    })
    expect(specEntry({ pattern: '*', build: 'app/142' }).build).toEqual({
      name: 'app',
      number: '142',
    })
    expect(specEntry({ pattern: '*', build: 'app' }).build).toEqual({
      name: 'app',
      number: undefined,
    })
    expect(specEntry({ pattern: '*', build: 'team\\/app/7' }).build).toEqual({
      name: 'team/app',
      number: '7',
    })
    expect(specEntry({ aql: { 'items.find': { repo: 'libs' } } }).aql).toEqual({ repo: 'libs' })
  })

  it('numbers entries from 1 in messages', () => {
    expect(specRefusal(spec({ pattern: 'a/b' }, { pattern: 'a/c', flta: true }))).toMatch(
      /^Input 'spec' entry 2: unknown field 'flta'/,
    )
  })

  it('says where invalid JSON is wrong', () => {
    expect(specRefusal('{"files":[\n  {"pattern": "a/b"\n  "target": "x"}]}')).toBe(
      "Input 'spec' is not valid JSON at line 3, column 3: Expected ',' or '}' after property value",
    )
    expect(specRefusal('{"files":[')).toMatch(/^Input 'spec' is not valid JSON at its end \(line 1/)
  })

  it.each([
    'archiveEntries',
    'validateSymlinks',
    'gpg-key',
    'symlinks',
    'include',
    'transitive',
    'bypassArchiveInspection',
  ])('refuses %s as not supported', (field) => {
    expect(specRefusal(spec({ pattern: 'a/b', [field]: 'x' }))).toBe(
      `Input 'spec' entry 1: field '${field}' is not supported by this action`,
    )
  })

  it.each([
    [{ pattern: '*', build: 'b/1', limit: 1 }, "'build' cannot be combined with 'limit'"],
    [{ pattern: '*', build: 'b/1', offset: 1 }, "'build' cannot be combined with 'offset'"],
    [{ pattern: 'a/b', sortOrder: 'desc' }, "'sortOrder' needs 'sortBy'"],
    [
      { aql: { 'items.find': {} }, exclusions: ['a/*'] },
      "'aql' cannot be combined with 'exclusions'",
    ],
    [
      { aql: { 'items.find': {} }, excludeProps: 'a=b' },
      "'aql' cannot be combined with 'excludeProps'",
    ],
    [{ pattern: 'a/b', aql: { 'items.find': {} } }, "give only one of 'pattern' and 'aql'"],
    [{ target: 'x/' }, "give one of 'pattern', 'aql', 'build' and 'bundle'"],
    [
      { pattern: 'a/b', flat: 'yes' },
      'field \'flat\' must be true or false (or "true"/"false"), got "yes"',
    ],
    [{ pattern: 'a/b', limit: 0 }, "field 'limit' must be a whole number of at least 1, got 0"],
    [
      { pattern: 'a/b', offset: '-1' },
      'field \'offset\' must be a whole number of at least 0, got "-1"',
    ],
    [{ pattern: 'a/b', sortBy: ['craeted'] }, "field 'sortBy' cannot sort by 'craeted'"],
    [
      { pattern: 'a/b', sortBy: ['created'], sortOrder: 'up' },
      "field 'sortOrder' must be 'asc' or 'desc'",
    ],
    [{ pattern: 'a/b', props: 'release' }, "field 'props' 'release' must be 'key=value'"],
    [{ pattern: 'a/b', exclusions: [1] }, "field 'exclusions' must be a list of strings"],
    [{ pattern: 'a/../b' }, "field 'pattern' must not contain '.' or '..' segments"],
    [{ pattern: '' }, "field 'pattern' is empty"],
    [{ pattern: 7 }, "field 'pattern' must be a string"],
    [{ aql: 'items.find({})' }, 'field \'aql\' must be {"items.find": {…criteria…}}'],
    [{ pattern: '*', build: 'app/' }, "field 'build' must be 'name/number' or 'name'"],
    [{ pattern: 'a/b', Target: 'x', target: 'y' }, "field 'target' is given twice"],
  ])('refuses %j', (entry, message) => {
    expect(specRefusal(spec(entry))).toContain(`Input 'spec' entry 1: ${message}`)
  })

  it('refuses documents that are not a spec', () => {
    expect(specRefusal('[]')).toBe(`Input 'spec' must be a JSON object {"files": […]}`)
    expect(specRefusal('{"files":[]}')).toBe(`Input 'spec' needs a non-empty "files" array`)
    expect(specRefusal('{"file":[]}')).toBe(
      "Input 'spec': unknown top-level field 'file' (expected 'files')",
    )
  })
})

describe('spec patterns', () => {
  const matches = (pattern: string, paths: string[], recursive = true, target = ''): string[] => {
    const p = compileSpecPattern(pattern, target, recursive)
    return paths.filter((x) => specMatches(p, repoFile(x)))
  }
  const tree = ['libs/a/x.jar', 'libs/a/b/y.jar', 'libs/a/b/c/z.txt', 'libs/ab.jar', 'libs/x.jar']

  it('lets * cross folders, as the JFrog CLI does', () => {
    expect(matches('libs/a/*', tree)).toEqual([
      'libs/a/x.jar',
      'libs/a/b/y.jar',
      'libs/a/b/c/z.txt',
    ])
    expect(matches('libs/a/*.jar', tree)).toEqual(['libs/a/x.jar', 'libs/a/b/y.jar'])
    expect(matches('libs/*/y.jar', tree)).toEqual(['libs/a/b/y.jar'])
    expect(matches('libs/a?.jar', tree)).toEqual(['libs/ab.jar'])
  })

  it('keeps recursive false to the pattern folder', () => {
    expect(matches('libs/a/*', tree, false)).toEqual(['libs/a/x.jar'])
    expect(matches('libs/*.jar', tree, false)).toEqual(['libs/ab.jar', 'libs/x.jar'])
  })

  it('reads a repository alone or a folder ending in / as everything below it', () => {
    expect(matches('libs', tree)).toEqual(tree)
    expect(matches('libs/a/b/', tree)).toEqual(['libs/a/b/y.jar', 'libs/a/b/c/z.txt'])
  })

  it('keeps parentheses without a placeholder literal', () => {
    const names = ['libs/v(1)/a.jar', 'libs/v1/a.jar']
    expect(matches('libs/v(1)/*.jar', names)).toEqual(['libs/v(1)/a.jar'])
    // With {1} in the target, the same parentheses only capture.
    expect(matches('libs/v(1)/*.jar', names, true, 'out/{1}/')).toEqual(['libs/v1/a.jar'])
  })

  it('drops exclusions, whose * crosses folders too', () => {
    const excluded = exclusionMatcher(['libs/a/*.txt', 'libs/x.jar'])
    expect(tree.filter((x) => !excluded(repoFile(x)))).toEqual([
      'libs/a/x.jar',
      'libs/a/b/y.jar',
      'libs/ab.jar',
    ])
  })
})

describe('spec targets', () => {
  const dest = (pattern: string, target: string, flat: boolean, p: string): string =>
    specDestination(compileSpecPattern(pattern, target, true), target, flat, repoFile(p))

  it('keeps the path below the repository unless flat', () => {
    expect(dest('libs/a/*', 'out/', false, 'libs/a/b/x.jar')).toBe('out/a/b/x.jar')
    expect(dest('libs/a/*', 'out/', true, 'libs/a/b/x.jar')).toBe('out/x.jar')
    expect(dest('libs/a/*', '', false, 'libs/a/b/x.jar')).toBe('a/b/x.jar')
    expect(dest('libs/*', '', true, 'libs/x.jar')).toBe('x.jar')
    expect(dest('libs/*', '.', false, 'libs/a/x.jar')).toBe('a/x.jar')
  })

  it('names the file when the target does not end in /', () => {
    expect(dest('libs/a/x.jar', 'out/app.jar', true, 'libs/a/x.jar')).toBe('out/app.jar')
    expect(dest('libs/a/x.jar', 'out/app.jar', false, 'libs/a/x.jar')).toBe('out/a/app.jar')
    expect(dest('libs/a/x.jar', 'app.jar', true, 'libs/a/x.jar')).toBe('app.jar')
  })

  it('inserts placeholders by opening parenthesis, and then keeps no hierarchy', () => {
    expect(dest('libs/(*)/(*).jar', 'out/{2}-{1}.jar', false, 'libs/a/b/x.jar')).toBe(
      'out/x-a/b.jar',
    )
    // The first parentheses are literal: {2} still names the second '('.
    expect(dest('libs/v(1)/(*).jar', 'out/{2}.jar', false, 'libs/v(1)/q.jar')).toBe('out/q.jar')
    expect(dest('libs/a/(*)', 'out/{1}', false, 'libs/a/b/x.jar')).toBe('out/b/x.jar')
  })

  it('refuses captures that join into a .. the target did not write', () => {
    // Each listed name is safe ('.x.' has no '..' segment), but two captures side by side
    // form one: the server's names must not lead a file out of the target.
    expect(() => dest('libs/(*)x(*)', '{1}{2}/', false, 'libs/.x.')).toThrow(
      /the server's name 'libs\/\.x\.' makes the target '\{1\}\{2\}\/' a path with a '\.\.' segment/,
    )
    expect(() => dest('libs/a(*)', '{1}./', false, 'libs/a.')).toThrow(PlanError)
    // Nor a drive letter that makes the path absolute on Windows.
    expect(() => dest('libs/a(*)', '{1}', false, 'libs/aC:/x.jar')).toThrow(/an absolute path/)
    // A '..' the spec wrote itself is its author's choice, as in the JFrog CLI.
    expect(dest('libs/(*).jar', '../out/{1}.jar', false, 'libs/x.jar')).toBe('../out/x.jar')
  })

  it('uses an absolute target as written', () => {
    expect(dest('libs/a/*', '/abs/out/', false, 'libs/a/x.jar')).toBe('/abs/out/a/x.jar')
  })
})

describe('AQL for spec entries', () => {
  const found = (pattern: string, recursive: boolean, paths: string[]): string[] => {
    const crit = patternCriteria(compileSpecPattern(pattern, '', recursive))
    return paths.filter((p) => aqlTest(crit, aqlItem(p)))
  }
  const tree = [
    'libs/a/x.jar',
    'libs/a/b/y.jar',
    'libs/a/bx.jar/q.txt',
    'libs/a/qx/w/zy.jar',
    'libs/x.jar',
    'other/a/x.jar',
  ]

  it('selects what the pattern matches, also where * spans folders', () => {
    for (const [pattern, recursive] of [
      ['libs/a/*', true],
      ['libs/a/*.jar', true],
      ['libs/a/x*y.jar', true],
      ['libs/a/*', false],
      ['libs/*.jar', false],
      ['libs/x.jar', true],
      ['libs', true],
    ] as const) {
      const p = compileSpecPattern(pattern, '', recursive)
      expect(found(pattern, recursive, tree), pattern).toEqual(
        tree.filter((t) => t.startsWith('libs/') && specMatches(p, repoFile(t))),
      )
    }
  })

  it('writes props as @ conditions, excludeProps as $ne in $or, builds, sort, offset, limit', () => {
    const e = specEntry({
      pattern: 'libs/a/*.jar',
      props: 'os=linux,mac;v=1.*',
      excludeProps: 'beta=true;rc=*',
      sortBy: ['created'],
      sortOrder: 'desc',
      limit: 1,
      offset: 3,
    })
    const q = entryQuery(e, compileSpecPattern(e.pattern as string, '', true), {
      name: 'app',
      number: '7',
    })
    expect(q).toBe(
      'items.find({"$and":[{"repo":"libs","$or":[{"path":"a","name":{"$match":"*.jar"}},{"path":{"$match":"a/*"},"name":{"$match":"*.jar"}}]},' +
        '{"@os":{"$eq":"linux"}},{"@os":{"$eq":"mac"}},{"@v":{"$match":"1.*"}},' +
        '{"$or":[{"@beta":{"$ne":"true"}},{"@rc":{"$nmatch":"*"}}]},' +
        '{"artifact.module.build.name":"app","artifact.module.build.number":"7"}]})' +
        '.include("repo","path","name","size","sha256","actual_sha1","actual_md5","created","modified")' +
        '.sort({"$desc":["created"]}).offset(3).limit(1)',
    )
  })

  it('uses an aql entry as written', () => {
    const e = specEntry({ aql: { 'items.find': { repo: 'libs', '@release': 'true' } } })
    expect(entryQuery(e, undefined, undefined)).toBe(
      'items.find({"repo":"libs","@release":"true"}).include("repo","path","name","size","sha256","actual_sha1","actual_md5","created","modified")',
    )
  })
})

describe('the spec inputs', () => {
  const read = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? ''
  const url = 'https://acme.jfrog.io/artifactory'

  it('makes paths optional, reads a file relative to the workspace, and applies spec-vars', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'artdl-spec-'))
    try {
      fs.writeFileSync(path.join(ws, 'dl.json'), '\uFEFF' + spec({ pattern: 'libs/${v}/*' }))
      const s = getSettings(read({ url, spec: 'dl.json', 'spec-vars': 'v=1.0' }), ws)
      expect(s.entries).toEqual([])
      expect(s.spec?.[0].pattern).toBe('libs/1.0/*')
      expect(() => getSettings(read({ url, spec: 'nope.json' }), ws)).toThrow(
        `Input 'spec': cannot read 'nope.json' (${path.join(ws, 'nope.json')}): no such file`,
      )
    } finally {
      fs.rmSync(ws, { recursive: true, force: true })
    }
  })

  it('takes JSON when the value starts with {, together with paths', () => {
    const s = getSettings(
      read({ url, paths: 'libs/a.jar', spec: spec({ pattern: 'libs/*' }) }),
      '/ws',
    )
    expect(s.entries).toHaveLength(1)
    expect(s.spec).toHaveLength(1)
  })

  it('refuses spec-vars without spec, a spec without url, and still needs paths without spec', () => {
    expect(() => getSettings(read({ url, paths: 'a/b', 'spec-vars': 'a=1' }), '/ws')).toThrow(
      "Input 'spec-vars' needs 'spec'",
    )
    expect(() => getSettings(read({ spec: spec({ pattern: 'a/*' }) }), '/ws')).toThrow(
      "Input 'spec' needs input 'url'",
    )
    expect(() => getSettings(read({ url }), '/ws')).toThrow("Input 'paths' is empty")
    expect(() => getSettings(read({ url, spec: '{"files":[{"pattern":"${x}"}]}' }), '/ws')).toThrow(
      "Input 'spec': '${x}' has no value",
    )
  })
})
