// Archive members get the runner's name rules, as downloads do: a name Windows cannot create
// or would change refuses the archive, naming the member; two members that are one file on
// the target (a case or normalization clash) too. Zips are made in the test (no python3).
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDir } from '../__fixtures__/temp-dir.ts'
import { zipBytes } from '../__fixtures__/zip.ts'
import { tarOf } from '../__fixtures__/tar.ts'
import { checkMembers, type Member } from '../src/extract/members.ts'
import { extractArchive } from '../src/extract/archive.ts'
import { AttemptError } from '../src/common/errors.ts'

const dir = useTempDir('artdl-xnames-')

const files = (...names: string[]): Member[] => names.map((name) => ({ name, type: 'file' }))

describe('member names under the Windows rules', () => {
  it.each([
    ['data/aux.txt', "'aux.txt' uses 'aux', a device name reserved on Windows"],
    ['ab:c.txt', "'ab:c.txt' contains ':', which Windows does not allow in file names"],
    ['trail.', "'trail.' ends with a dot, which Windows removes from file names"],
    ['what?.txt', "'what?.txt' contains '?'"],
    ['dir /x.txt', "'dir ' ends with a space"],
  ])('refuses %s, naming the member and the rule', (name, rule) => {
    const check = () => checkMembers('a.tar', files('ok.txt', name), { names: 'windows' })
    expect(check).toThrow(AttemptError)
    expect(check).toThrow(
      `refused to extract a.tar: member '${name}' cannot be written on Windows: ${rule}`,
    )
  })

  it('accepts the same names under the posix rules', () => {
    expect(() =>
      checkMembers('a.tar', files('data/aux.txt', 'ab:c.txt', 'trail.', 'what?.txt')),
    ).not.toThrow()
  })

  it('still refuses a drive-like member on every OS: node-tar would strip the drive', () => {
    expect(() => checkMembers('a.tar', files('C:/x'))).toThrow("member 'C:/x' is an absolute path")
  })

  it('fails the archive before writing anything, with no silent rename of ":" or "?"', async () => {
    const file = path.join(dir(), 'names.tar')
    await fsp.writeFile(
      file,
      tarOf([
        { path: 'ok.txt', body: 'x' },
        { path: 'ab:c.txt', body: 'x' },
      ]),
    )
    await expect(extractArchive(file, undefined, {}, { names: 'windows' })).rejects.toThrow(
      "refused to extract names.tar: member 'ab:c.txt' cannot be written on Windows",
    )
    expect(fs.readdirSync(dir())).toEqual([])
  })
})

describe('members that are one file on the target', () => {
  it('names both members of a case clash on a case-insensitive target', () => {
    expect(() =>
      checkMembers('docs.zip', files('Readme.md', 'src/a.c', 'README.md'), {
        caseInsensitive: true,
      }),
    ).toThrow(
      "refused to extract docs.zip: a case clash: members 'Readme.md' and 'README.md' differ only in case and are one file on this target",
    )
    expect(() => checkMembers('docs.zip', files('Readme.md', 'README.md'))).not.toThrow()
  })

  it('lets folders that differ in case merge, but not files within them', () => {
    const members: Member[] = [
      { name: 'Docs/', type: 'directory' },
      { name: 'docs/', type: 'directory' },
      { name: 'Docs/a.md', type: 'file' },
      { name: 'docs/b.md', type: 'file' },
    ]
    expect(() => checkMembers('d.zip', members, { caseInsensitive: true })).not.toThrow()
    expect(() =>
      checkMembers('d.zip', [...members, { name: 'docs/A.md', type: 'file' }], {
        caseInsensitive: true,
      }),
    ).toThrow("members 'Docs/a.md' and 'docs/A.md' differ only in case")
  })

  it('names NFC and NFD spellings of one name as a clash where normalization does not count (APFS)', () => {
    const nfc = 'caf\u00e9.txt'
    const nfd = 'cafe\u0301.txt'
    expect(() =>
      checkMembers('u.zip', files(nfc, nfd), { normalizationInsensitive: true }),
    ).toThrow(
      `a name clash: members '${nfc}' and '${nfd}' differ only in Unicode normalization (NFC and NFD)`,
    )
    expect(() => checkMembers('u.zip', files(nfc, nfd), { caseInsensitive: true })).not.toThrow()
  })

  it('refuses a zip with Readme.md and README.md: a case clash, not a raw EEXIST', async () => {
    const file = path.join(dir(), 'docs.zip')
    await fsp.writeFile(
      file,
      zipBytes([
        { name: 'Readme.md', body: 'one' },
        { name: 'README.md', body: 'two' },
      ]),
    )
    const error = await extractArchive(file, undefined, {}, { caseInsensitive: true }).catch(
      (e: unknown) => e as Error,
    )
    expect(error).toBeInstanceOf(AttemptError)
    expect((error as Error).message).toBe(
      "refused to extract docs.zip: a case clash: members 'Readme.md' and 'README.md' differ only in case and are one file on this target",
    )
    expect(fs.readdirSync(dir())).toEqual([])
  })
})
