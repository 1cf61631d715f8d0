import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseEntries } from '../src/input/entries.ts'
import { PlanError } from '../src/common/errors.ts'
import { checkClashes, planFiles, plannedBytes } from '../src/plan/downloads.ts'

const url = 'https://acme.test/artifactory'
// '/t' on POSIX, '<drive>:\\t' on Windows; expected paths use the OS's separators.
const T = path.resolve('/t')
const at = (relative: string) => path.join(T, relative)
const plan = (paths: string, flat = true) =>
  planFiles(parseEntries(paths, url), { target: T, flat })

describe('planFiles', () => {
  it('writes target/<file name> when flat', () => {
    expect(plan('libs/com/acme/app.jar').map((d) => [d.source, d.url, d.dest])).toEqual([
      ['libs/com/acme/app.jar', `${url}/libs/com/acme/app.jar`, at('app.jar')],
    ])
  })

  it('writes target/<repo>/<path> when not flat', () => {
    expect(plan('libs/com/acme/app.jar', false)[0].dest).toBe(at('libs/com/acme/app.jar'))
  })

  it('honours DEST as a file, or as a folder when it ends with /', () => {
    expect(plan('libs/a/app.jar => out/renamed.jar')[0].dest).toBe(at('out/renamed.jar'))
    expect(plan('libs/a/app.jar => out/')[0].dest).toBe(at('out/app.jar'))
  })

  it('encodes path segments in the URL', () => {
    expect(plan('libs/with space/a#1.jar')[0].url).toBe(`${url}/libs/with%20space/a%231.jar`)
  })

  it('uses host/path for full URLs when not flat', () => {
    expect(plan('https://files.test/dl/v1/tool.tgz', false)[0].dest).toBe(
      at('files.test/dl/v1/tool.tgz'),
    )
    expect(plan(`${url}/libs/x/y.bin`, false)[0].dest).toBe(at('libs/x/y.bin'))
  })

  it.each(['../evil', 'a/../../evil', '/etc/passwd', 'C:/x'])(
    'refuses DEST %s outside target',
    (dest) => {
      expect(() => plan(`libs/a/app.jar => ${dest}`)).toThrow(PlanError)
      expect(() => plan(`libs/a/app.jar => ${dest}`)).toThrow(/line 1/)
    },
  )
})

describe('checkClashes', () => {
  it('names both entries that write one file', () => {
    const downloads = plan('libs/a/app.jar\nother/b/app.jar')
    expect(() => checkClashes(downloads)).toThrow(
      `'libs/a/app.jar' (line 1) and 'other/b/app.jar' (line 2) would both write ${at('app.jar')}`,
    )
  })

  it('refuses a file where another download needs a folder', () => {
    const downloads = plan('libs/a.jar => x\nlibs/b.jar => x/b.jar')
    expect(() => checkClashes(downloads)).toThrow('needs it to be a folder')
  })

  it('accepts distinct destinations', () => {
    expect(() => checkClashes(plan('libs/a/app.jar\nlibs/b/app.jar => b/app.jar'))).not.toThrow()
  })
})

describe('plannedBytes', () => {
  it('adds known sizes and says whether all were known', () => {
    const [a, b] = plan('libs/a.jar\nlibs/b.jar')
    expect(
      plannedBytes([
        { ...a, size: 5 },
        { ...b, size: 7 },
      ]),
    ).toEqual({ bytes: 12, complete: true })
    expect(plannedBytes([{ ...a, size: 5 }, b])).toEqual({ bytes: 5, complete: false })
  })
})
