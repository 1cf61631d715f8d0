// The Windows naming rules and the case rule, on any OS: the rules are passed in.
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveQuietly } from '../__fixtures__/plan.ts'
import { PlanError } from '../src/common/errors.ts'
import { parseEntries } from '../src/input/entries.ts'
import { checkClashes, planFiles, type PlanSettings } from '../src/plan/downloads.ts'
import {
  defaultCaseInsensitive,
  nameRulesFor,
  pathNameProblem,
  windowsNameProblem,
} from '../src/common/file-names.ts'
import { patternEntry } from '../__fixtures__/pattern-entry.ts'
import { planMatches } from '../src/plan/patterns.ts'
import type { ListedFile } from '../src/artifactory/remote-file.ts'
import { getSettings } from '../src/input/settings.ts'

const url = 'https://acme.test/artifactory'
const target = path.resolve('/t')
const windows: PlanSettings = { target, flat: true, names: 'windows' }
const posix: PlanSettings = { target, flat: true, names: 'posix' }

describe('windowsNameProblem', () => {
  it.each([
    ['CON', /'CON', a device name reserved on Windows/],
    ['con', /'con', a device name/],
    ['Nul.txt', /'Nul', a device name/],
    ['aux.tar.gz', /'aux', a device name/],
    ['PRN', /device name/],
    ['COM1', /device name/],
    ['com9.log', /device name/],
    ['LPT1', /device name/],
    ['lpt5.txt', /device name/],
    ['COM¹', /device name/],
    ['LPT³.bin', /device name/],
    ['CON .txt', /'CON', a device name/],
    ['conin$', /'conin\$', a device name/],
    ['CONOUT$.log', /'CONOUT\$', a device name/],
    ['a<b', /contains '<'/],
    ['a>b', /contains '>'/],
    ['a:b', /contains ':'/],
    ['a"b', /contains '"'/],
    ['a|b', /contains '\|'/],
    ['a?b', /contains '\?'/],
    ['a*b', /contains '\*'/],
    ['a\tb', /control character/],
    ['a\u001fb', /control character/],
    ['trailing.', /ends with a dot/],
    ['trailing ', /ends with a space/],
  ])('refuses %j', (name, reason) => {
    expect(windowsNameProblem(name)).toMatch(reason)
  })

  it.each([
    'CONSOLE',
    'icon.png',
    'con-fig.txt',
    'COM10',
    'LPT',
    'aux_',
    'CONIN',
    'con$',
    'my.nul',
    '.hidden',
    'a b.txt',
    'x..y',
    'ünïcödé.txt',
  ])('accepts %j', (name) => {
    expect(windowsNameProblem(name)).toBeUndefined()
  })
})

describe('pathNameProblem', () => {
  it('checks every segment, split at / and \\, and names the one at fault', () => {
    expect(pathNameProblem('docs/aux/readme.txt', 'windows')).toMatch(/^'aux' uses 'aux'/)
    expect(pathNameProblem('docs\\CON\\x', 'windows')).toMatch(/^'CON' uses/)
    expect(pathNameProblem('a./b', 'windows')).toMatch(/^'a\.' ends with a dot/)
    expect(pathNameProblem('ok/fine.txt', 'windows')).toBeUndefined()
  })

  it('leaves ., .. and empty segments to the check that keeps paths inside target', () => {
    expect(pathNameProblem('./a/../b//c.txt', 'windows')).toBeUndefined()
  })

  it('escapes characters that would break a log line', () => {
    expect(pathNameProblem('a\nb', 'windows')).toBe(
      "'a\\nb' contains a control character, which Windows does not allow in file names",
    )
  })

  it('accepts everything under the posix rules', () => {
    expect(pathNameProblem('CON/aux.txt/a:b?', 'posix')).toBeUndefined()
  })
})

describe('the platform decides the rules', () => {
  it('picks the Windows rules on win32 only', () => {
    expect(nameRulesFor('win32')).toBe('windows')
    expect(nameRulesFor('linux')).toBe('posix')
    expect(nameRulesFor('darwin')).toBe('posix')
  })

  it('takes Windows and macOS to be case-insensitive unless probed', () => {
    expect(defaultCaseInsensitive('win32')).toBe(true)
    expect(defaultCaseInsensitive('darwin')).toBe(true)
    expect(defaultCaseInsensitive('linux')).toBe(false)
  })

  it('carries the rules from the platform into the settings', () => {
    const read = (name: string) => ({ url, paths: 'libs/a.txt' })[name] ?? ''
    expect(getSettings(read, target, 'win32').names).toBe('windows')
    expect(getSettings(read, target, 'linux').names).toBe('posix')
    expect(getSettings(read, target).names).toBe('posix')
  })

  it('refuses a tool-cache name or version Windows cannot create as a folder, on Windows', () => {
    const read = (toolCache: string) => (name: string) =>
      ({ url, paths: 'libs/a.txt', 'tool-cache': toolCache })[name] ?? ''
    expect(() => getSettings(read('nul@1.0'), target, 'win32')).toThrow(
      "Input 'tool-cache' names a folder Windows cannot create: 'nul' uses 'nul', a device name reserved on Windows",
    )
    expect(() => getSettings(read('tool@1.0.'), target, 'win32')).toThrow(
      "Input 'tool-cache' names a folder Windows cannot create: '1.0.' ends with a dot",
    )
    expect(getSettings(read('nul@1.0'), target, 'linux').toolCache).toEqual({
      name: 'nul',
      version: '1.0',
    })
  })
})

describe('explicit files on Windows', () => {
  const plan = (paths: string, settings = windows) => planFiles(parseEntries(paths, url), settings)

  it.each([
    ['libs/dev/CON', "line 1 ('libs/dev/CON'): the destination cannot exist on Windows: 'CON'"],
    ['libs/a.txt => out/nul.txt', "line 1 ('out/nul.txt')"],
    ['libs/a.txt => out/what?.txt', "'what?.txt' contains '?'"],
    ['libs/a.txt => out./a.txt', "'out.' ends with a dot"],
    [`${url}/libs/x/a%3Ab.txt`, "'a:b.txt' contains ':'"],
  ])('refuses %s before any download, naming the file and the reason', (paths, message) => {
    expect(() => plan(paths)).toThrow(PlanError)
    expect(() => plan(paths)).toThrow(message)
  })

  it('plans the same names under the posix rules', () => {
    expect(plan('libs/dev/CON', posix)[0].dest).toBe(path.join(target, 'CON'))
    expect(plan('libs/a.txt => out/what?.txt', posix)[0].dest).toBe(
      path.join(target, 'out', 'what?.txt'),
    )
  })

  it('checks the destination, not the source, when DEST renames the file', () => {
    expect(plan('libs/dev/CON => con-dev.txt')[0].dest).toBe(path.join(target, 'con-dev.txt'))
  })
})

describe('names from a listing on Windows', () => {
  const listed: ListedFile[] = [
    { path: 'src/lib/main.c', size: 1 },
    { path: 'src/lib/aux.c', size: 1 },
    { path: 'src/lib/notes.txt', size: 1 },
  ]
  const match = (pattern: string, exclude: string[] = [], settings = windows) =>
    planMatches(patternEntry(pattern, url), listed, exclude, settings)

  it('fails only the match that cannot exist, naming the file and the rule', () => {
    const plan = match('src/lib/*.c')
    expect(plan.downloads.map((d) => d.source)).toEqual(['src/lib/main.c'])
    expect(plan.refused).toEqual([
      "the server listed 'src/lib/aux.c', which cannot be written on Windows (as 'aux.c'): 'aux.c' uses 'aux', a device name reserved on Windows; that file is not downloaded (add it to 'exclude' to leave it out)",
    ])
  })

  it('names every match that cannot exist, not only the first', () => {
    const many: ListedFile[] = [
      { path: 'dev/CON.txt', size: 1 },
      { path: 'dev/ok.txt', size: 1 },
      { path: 'dev/nul.txt', size: 1 },
      { path: 'dev/what?.txt', size: 1 },
    ]
    const plan = planMatches(patternEntry('dev/*.txt', url), many, [], windows)
    expect(plan.downloads.map((d) => d.source)).toEqual(['dev/ok.txt'])
    expect(plan.refused.map((m) => m.split("'")[1])).toEqual([
      'dev/CON.txt',
      'dev/nul.txt',
      'dev/what?.txt',
    ])
  })

  it('fails nothing else when every match is refused: not "matched no file"', () => {
    const plan = planMatches(patternEntry('src/lib/aux.*', url), listed, [], windows)
    expect(plan.downloads).toEqual([])
    expect(plan.refused).toHaveLength(1)
  })

  it('ignores names the pattern or exclude leaves out', () => {
    expect(match('src/lib/*.txt').downloads.map((d) => d.source)).toEqual(['src/lib/notes.txt'])
    expect(match('src/lib/*.c', ['**/aux.c']).downloads.map((d) => d.source)).toEqual([
      'src/lib/main.c',
    ])
    expect(match('src/lib/*.c', ['**/aux.c']).refused).toEqual([])
  })

  it('treats a drive-like listed name by the runner OS: refused alone on Windows, never when not selected', () => {
    const drive: ListedFile[] = [
      { path: 'generic/drive/a:b.txt', size: 1 },
      { path: 'generic/drive/ok.txt', size: 1 },
    ]
    const plan = (pattern: string, exclude: string[], settings: typeof windows) =>
      planMatches(patternEntry(pattern, url), drive, exclude, settings)
    // Not selected: no effect on either OS.
    for (const settings of [windows, posix]) {
      expect(plan('generic/drive/ok.*', [], settings)).toEqual({
        downloads: [expect.objectContaining({ source: 'generic/drive/ok.txt' })],
        refused: [],
      })
      expect(plan('generic/drive/*', ['**/a:b.txt'], settings).refused).toEqual([])
    }
    const win = plan('generic/drive/*', [], windows)
    expect(win.downloads.map((d) => d.source)).toEqual(['generic/drive/ok.txt'])
    expect(win.refused).toEqual([
      "the server listed 'generic/drive/a:b.txt', which cannot be written on Windows (as 'a:b.txt'): 'a:b.txt' contains ':', which Windows does not allow in file names; that file is not downloaded (add it to 'exclude' to leave it out)",
    ])
  })

  // The posix rules on a Linux or macOS host: Node's Windows paths would read 'a:' as a drive.
  it.skipIf(process.platform === 'win32')(
    'plans a drive-like listed name as an ordinary file on Linux and macOS (skipped on Windows, whose paths read it as a drive)',
    () => {
      const drive: ListedFile[] = [
        { path: 'generic/drive/a:b.txt', size: 1 },
        { path: 'generic/drive/ok.txt', size: 1 },
      ]
      const linux = planMatches(patternEntry('generic/drive/*', url), drive, [], posix)
      expect(linux.refused).toEqual([])
      expect(linux.downloads.map((d) => d.dest)).toEqual([
        path.join(target, 'a:b.txt'),
        path.join(target, 'ok.txt'),
      ])
    },
  )

  it('checks the folders a non-flat destination creates', () => {
    const folders: ListedFile[] = [{ path: 'src/lib/con/x.c', size: 1 }]
    expect(
      planMatches(patternEntry('src/lib/**', url), folders, [], { ...windows, flat: false })
        .refused,
    ).toEqual([expect.stringContaining("'con' uses 'con', a device name reserved on Windows")])
  })

  it('downloads them all under the posix rules', () => {
    expect(match('src/lib/*.c', [], posix).downloads).toHaveLength(2)
  })
})

describe('case clashes', () => {
  const plan = (paths: string) => planFiles(parseEntries(paths, url), posix)

  it('refuses two destinations that differ only in case on a case-insensitive target', () => {
    const downloads = plan('libs/a/README.txt\nlibs/b/readme.txt')
    expect(() => checkClashes(downloads, { caseInsensitive: true })).toThrow(PlanError)
    expect(() => checkClashes(downloads, { caseInsensitive: true })).toThrow(
      `'libs/a/README.txt' (line 1) and 'libs/b/readme.txt' (line 2) would write ${path.join(target, 'README.txt')} and ${path.join(target, 'readme.txt')}, which differ only in case and are one file on this case-insensitive target`,
    )
  })

  it('accepts them on a case-sensitive target', () => {
    const downloads = plan('libs/a/README.txt\nlibs/b/readme.txt')
    expect(() => checkClashes(downloads, { caseInsensitive: false })).not.toThrow()
    expect(() => checkClashes(downloads)).not.toThrow()
  })

  it('refuses a file whose name is a needed folder in another case', () => {
    const downloads = plan('libs/a.bin => Out\nlibs/b.bin => out/b.bin')
    expect(() => checkClashes(downloads)).not.toThrow()
    expect(() => checkClashes(downloads, { caseInsensitive: true })).toThrow(
      `'libs/a.bin' (line 1) writes the file ${path.join(target, 'Out')}, but 'libs/b.bin' (line 2) needs it to be a folder (as ${path.join(target, 'out')}, the same name on this case-insensitive target)`,
    )
  })

  it('still names an exact clash as before', () => {
    const downloads = plan('libs/a/x.bin\nlibs/b/x.bin')
    expect(() => checkClashes(downloads, { caseInsensitive: true })).toThrow(
      `would both write ${path.join(target, 'x.bin')}`,
    )
  })
})

describe('spec entries on Windows', () => {
  // A spec entry's matches get the same check as a 'paths' pattern's: a listed 'CON' or
  // 'a:b.txt' (legal names in Artifactory) cannot be written on a Windows runner.
  it('fail only the match that cannot be written, naming the file; posix writes it', async () => {
    const { startArtifactory } = await import('../server/index.ts')
    const { HttpClient } = await import('../src/net/http-client.ts')
    const { parseFileSpec } = await import('../src/input/file-spec.ts')
    const server = await startArtifactory({
      files: { 'libs/dev/CON': 'c', 'libs/dev/ok.txt': 'o', 'libs/other/a.txt': 'a' },
    })
    const http = new HttpClient({ connections: 2, timeoutMs: 30_000 })
    try {
      const plan = (names: 'windows' | 'posix') =>
        resolveQuietly(
          {
            url: server.url,
            entries: [],
            exclude: [],
            spec: parseFileSpec(
              JSON.stringify({
                files: [{ pattern: 'libs/dev/*' }, { pattern: 'libs/other/*' }],
              }),
            ),
            target,
            flat: false,
            names,
          },
          http,
        )
      const win = await plan('windows')
      expect(win.downloads.map((d) => d.source).sort()).toEqual([
        'libs/dev/ok.txt',
        'libs/other/a.txt',
      ])
      expect(win.failures.map((f) => f.message)).toEqual([
        expect.stringMatching(
          /^spec entry 1: the server named 'libs\/dev\/CON', which cannot be written on Windows .*'CON' uses 'CON', a device name/,
        ),
      ])
      const posix = await plan('posix')
      expect(posix.downloads.map((d) => d.source).sort()).toEqual([
        'libs/dev/CON',
        'libs/dev/ok.txt',
        'libs/other/a.txt',
      ])
    } finally {
      await http.close()
      await server.close()
    }
  })
})
