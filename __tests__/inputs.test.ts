import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { getSettings, InputError, lines } from '../src/input/settings.ts'

const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? ''
const base = { url: 'https://acme.jfrog.io/artifactory/', paths: 'libs/a/b.jar' }
const settings = (extra: Record<string, string> = {}) =>
  getSettings(reader({ ...base, ...extra }), '/ws')

describe('getSettings', () => {
  it('applies the documented defaults', () => {
    const s = settings()
    expect(s).toMatchObject({
      url: 'https://acme.jfrog.io/artifactory',
      target: path.resolve('/ws'),
      flat: true,
      concurrency: 8,
      retries: 3,
      retryDelayMs: 1000,
      timeoutMs: 60_000,
      verify: true,
      skipExisting: true,
      failOnError: true,
      dryRun: false,
      progressIntervalMs: 10_000,
      auth: { kind: 'none' },
    })
    expect(s.entries).toEqual([
      {
        line: 1,
        source: 'libs/a/b.jar',
        repoPath: 'libs/a/b.jar',
        url: 'https://acme.jfrog.io/artifactory/libs/a/b.jar',
        dest: undefined,
        pattern: false,
      },
    ])
  })

  it('resolves target against the workspace unless absolute', () => {
    // path.resolve: '/ws' gets the current drive on Windows.
    expect(settings({ target: 'out/dir' }).target).toBe(path.resolve('/ws/out/dir'))
    expect(settings({ target: '/abs' }).target).toBe(path.resolve('/abs'))
  })

  it.each([
    ['concurrency', '0', "Input 'concurrency' must be from 1 to 64, got 0"],
    ['concurrency', '65', "Input 'concurrency' must be from 1 to 64, got 65"],
    [
      'concurrency',
      'eight',
      "Input 'concurrency' must be a whole number from 1 to 64, got 'eight'",
    ],
    ['concurrency', '2.5', "Input 'concurrency' must be a whole number"],
    ['retries', '21', "Input 'retries' must be from 0 to 20, got 21"],
    ['retries', '-1', "Input 'retries' must be a whole number from 0 to 20, got '-1'"],
    ['retry-delay', '1s', "Input 'retry-delay' must be a whole number"],
    ['timeout', '0', "Input 'timeout' must be from 1 to 3600, got 0"],
    ['flat', 'yes', "Input 'flat' must be 'true' or 'false', got 'yes'"],
    ['shard', '0/4', "Input 'shard' must have 1 <= i <= n, got '0/4'"],
    ['shard', '5/4', "Input 'shard' must have 1 <= i <= n, got '5/4'"],
    ['shard', 'x', "Input 'shard' must look like 'i/n'"],
    ['max-size', 'big', "Input 'max-size' must be a size"],
    ['url', 'not a url', "Input 'url' is not a valid URL"],
    ['url', 'ftp://x/artifactory', "Input 'url' must start with https:// or http://"],
    ['tool-cache', 'tool', "Input 'tool-cache' must look like 'name@version'"],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => settings({ [name]: value })).toThrow(InputError)
    expect(() => settings({ [name]: value })).toThrow(message)
  })

  it('refuses an empty paths input', () => {
    expect(() => settings({ paths: '\n  # only a comment\n' })).toThrow("Input 'paths' is empty")
  })

  it('refuses a relative SOURCE without url, naming the line', () => {
    expect(() => getSettings(reader({ paths: 'https://x.test/f.bin\nlibs/a.jar' }), '/ws')).toThrow(
      "Input 'paths' line 2: 'libs/a.jar' is relative, so input 'url' is required",
    )
  })

  it('accepts full URLs without url', () => {
    const s = getSettings(
      reader({ paths: 'https://files.test/dl/tool.tgz => tools/tool.tgz' }),
      '/ws',
    )
    expect(s.entries[0]).toMatchObject({
      url: 'https://files.test/dl/tool.tgz',
      dest: 'tools/tool.tgz',
      pattern: false,
    })
  })

  it('parses SOURCE => DEST, skips blanks and comments, keeps line numbers', () => {
    const s = settings({ paths: '# header\n\nlibs/a.jar => x/a.jar\n  libs/b/*.jar  =>  jars/ ' })
    expect(s.entries.map((e) => [e.line, e.source, e.dest, e.pattern])).toEqual([
      [3, 'libs/a.jar', 'x/a.jar', false],
      [4, 'libs/b/*.jar', 'jars/', true],
    ])
  })

  it('refuses a pattern in the repository part', () => {
    expect(() => settings({ paths: 'libs-*/a.jar' })).toThrow(
      "the repository ('libs-*') cannot be a pattern",
    )
  })

  it('refuses .. segments in a SOURCE', () => {
    expect(() => settings({ paths: 'libs/../etc/passwd' })).toThrow(
      "must not contain '.' or '..' segments",
    )
  })

  it('chooses one authentication', () => {
    expect(settings({ 'access-token': 't0ken' }).auth).toEqual({ kind: 'bearer', token: 't0ken' })
    expect(settings({ username: 'u', password: 'p' }).auth).toEqual({
      kind: 'basic',
      username: 'u',
      password: 'p',
    })
    expect(settings({ 'oidc-provider-name': 'gh', 'oidc-audience': 'jfrog' }).auth).toEqual({
      kind: 'oidc',
      provider: 'gh',
      audience: 'jfrog',
    })
    expect(() => settings({ 'access-token': 't', username: 'u', password: 'p' })).toThrow(
      'Give only one way to authenticate',
    )
    expect(() => settings({ username: 'u' })).toThrow("Input 'username' needs 'password'")
  })

  it('parses sizes and shards', () => {
    expect(settings({ 'max-size': '2GiB' }).maxSize).toBe(2 * 1024 ** 3)
    expect(settings({ 'split-min-size': '500MB' }).splitMinSize).toBe(500_000_000)
    expect(settings({ shard: '2/4' }).shard).toEqual({ index: 2, count: 4 })
    expect(settings({ 'tool-cache': 'mytool@1.2.3' }).toolCache).toEqual({
      name: 'mytool',
      version: '1.2.3',
    })
  })

  it('does not echo credentials of a bad url', () => {
    expect(() => settings({ url: 'https://user:s3cret@' })).toThrow(/^(?!.*s3cret)/)
  })
})

describe('lines', () => {
  it('drops blanks and comments', () => {
    expect(lines(' a \n\n# c\r\nb')).toEqual(['a', 'b'])
  })
})
