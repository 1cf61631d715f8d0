// macOS cannot run here: what differs there is covered by the pure name rules, tested directly.
// Its default file system (APFS) ignores case, and takes NFC `é` and NFD `e` + U+0301 to be
// one name whatever its case sensitivity; Windows (NTFS) ignores case only.
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  defaultCaseInsensitive,
  defaultNormalizationInsensitive,
  firstClash,
  howNamesDiffer,
  nameLengthProblem,
  pathNameProblem,
  sameFileKey,
} from '../src/common/file-names.ts'
import { parseEntries } from '../src/input/entries.ts'
import { checkClashes, planFiles } from '../src/plan/downloads.ts'
import { PlanError } from '../src/common/errors.ts'

const nfc = 'r\u00e9sum\u00e9.txt'
const nfd = nfc.normalize('NFD')
const macos = {
  caseInsensitive: defaultCaseInsensitive('darwin'),
  normalizationInsensitive: defaultNormalizationInsensitive('darwin'),
}
const windows = {
  caseInsensitive: defaultCaseInsensitive('win32'),
  normalizationInsensitive: defaultNormalizationInsensitive('win32'),
}

describe('the platforms’ default folding', () => {
  it('macOS ignores case and normalization; Windows case only; Linux neither', () => {
    expect(macos).toEqual({ caseInsensitive: true, normalizationInsensitive: true })
    expect(windows).toEqual({ caseInsensitive: true, normalizationInsensitive: false })
    expect(defaultCaseInsensitive('linux')).toBe(false)
    expect(defaultNormalizationInsensitive('linux')).toBe(false)
  })
})

describe('sameFileKey', () => {
  it('makes NFC and NFD spellings one file on macOS, two on Windows and Linux', () => {
    expect(nfc).not.toBe(nfd)
    expect(sameFileKey(nfc, macos)).toBe(sameFileKey(nfd, macos))
    expect(sameFileKey(nfc, windows)).not.toBe(sameFileKey(nfd, windows))
    expect(sameFileKey(nfc, {})).not.toBe(sameFileKey(nfd, {}))
  })

  it('makes case variants one file where case does not count', () => {
    expect(sameFileKey('README.md', macos)).toBe(sameFileKey('Readme.md', macos))
    expect(sameFileKey('README.md', windows)).toBe(sameFileKey('Readme.md', windows))
    expect(sameFileKey('README.md', {})).not.toBe(sameFileKey('Readme.md', {}))
    // A case-sensitive APFS volume still ignores normalization.
    const sensitiveApfs = { normalizationInsensitive: true }
    expect(sameFileKey('README.md', sensitiveApfs)).not.toBe(
      sameFileKey('Readme.md', sensitiveApfs),
    )
    expect(sameFileKey(nfc, sensitiveApfs)).toBe(sameFileKey(nfd, sensitiveApfs))
  })
})

describe('howNamesDiffer and firstClash', () => {
  it('says how two names that are one file differ', () => {
    expect(howNamesDiffer('a.md', 'A.md')).toBe('only in case')
    expect(howNamesDiffer(nfc, nfd)).toBe('only in Unicode normalization (NFC and NFD)')
    expect(howNamesDiffer(nfc, nfd.toUpperCase())).toBe(
      'only in case and Unicode normalization (NFC and NFD)',
    )
  })

  it('finds the first pair that is one file, in order, and ignores exact repeats', () => {
    expect(firstClash(['a', 'b', nfd, 'a', nfc], macos)).toEqual([nfd, nfc])
    expect(firstClash(['a', 'b', nfd, nfc], windows)).toBeUndefined()
    expect(firstClash(['x', 'X'], windows)).toEqual(['x', 'X'])
  })
})

describe('planned downloads on macOS', () => {
  const target = path.resolve('/work/target')
  const plan = (paths: string) =>
    planFiles(parseEntries(paths, 'https://acme.test/artifactory'), { target, flat: true })

  it('refuses NFC and NFD spellings of one name, as a case clash is refused', () => {
    const downloads = plan(`libs/a/${nfc}\nlibs/b/${nfd}`)
    expect(() => checkClashes(downloads, macos)).toThrow(PlanError)
    expect(() => checkClashes(downloads, macos)).toThrow(
      `which differ only in Unicode normalization (NFC and NFD) and are one file on this normalization-insensitive target`,
    )
    expect(() => checkClashes(downloads, windows)).not.toThrow()
  })
})

describe('the length of one name', () => {
  it('counts UTF-16 units on Windows and UTF-8 bytes on Linux and macOS', () => {
    const accents = '\u00e9'.repeat(200)
    expect(nameLengthProblem(accents, 'windows')).toBeUndefined()
    expect(nameLengthProblem(accents, 'posix')).toBe(
      'is 400 bytes long; Linux and macOS allow at most 255 bytes (UTF-8) in a file or folder name',
    )
    expect(nameLengthProblem('n'.repeat(255), 'posix')).toBeUndefined()
    expect(nameLengthProblem('n'.repeat(255), 'windows')).toBeUndefined()
    expect(nameLengthProblem('n'.repeat(256), 'windows')).toBe(
      'is 256 characters long; Windows allows at most 255 (UTF-16 units) in a file or folder name',
    )
  })

  it('checks every folder of a path, a long path of short names being fine', () => {
    const deep = Array.from({ length: 40 }, () => 'folder-name').join('/')
    expect(pathNameProblem(deep, 'windows')).toBeUndefined()
    expect(pathNameProblem(`ok/${'x'.repeat(300)}/a.txt`, 'posix')).toMatch(
      /^'x{57}…' is 300 bytes long/,
    )
  })
})
