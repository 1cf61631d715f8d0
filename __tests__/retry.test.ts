import { describe, expect, it } from 'vitest'
import { AttemptError } from '../src/common/errors.ts'
import {
  classify,
  isRetryable,
  parseRetryAfter,
  retryDelay,
  retryPolicy,
} from '../src/net/retry.ts'

const http = (status: number, retryAfterMs?: number) =>
  new AttemptError('http', `HTTP ${status}`, { status, retryAfterMs })

describe('isRetryable', () => {
  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(isRetryable(http(status))).toBe(true)
  })
  it.each([400, 401, 403, 404, 416])('does not retry HTTP %i', (status) => {
    expect(isRetryable(http(status))).toBe(false)
  })
  it('retries network and checksum failures, not disk, size or unsafe ones', () => {
    expect(isRetryable(new AttemptError('network', 'reset'))).toBe(true)
    expect(isRetryable(new AttemptError('checksum', 'mismatch'))).toBe(true)
    expect(isRetryable(new AttemptError('disk', 'ENOSPC'))).toBe(false)
    expect(isRetryable(new AttemptError('size', 'too big'))).toBe(false)
    expect(isRetryable(new AttemptError('unsafe', 'https→http'))).toBe(false)
  })
})

describe('retryDelay', () => {
  it('grows exponentially with jitter between half and all of the step', () => {
    const low = retryPolicy(5, 1000, () => 0)
    const high = retryPolicy(5, 1000, () => 0.999999)
    expect([1, 2, 3].map((n) => retryDelay(http(503), n, low))).toEqual([500, 1000, 2000])
    expect([1, 2, 3].map((n) => retryDelay(http(503), n, high))).toEqual([1000, 2000, 4000])
  })
  it('is capped at 30 s', () => {
    expect(
      retryDelay(
        http(503),
        12,
        retryPolicy(20, 1000, () => 0.999999),
      ),
    ).toBe(30_000)
  })
  it('lets Retry-After win', () => {
    expect(retryDelay(http(429, 7000), 1, retryPolicy(3, 1000))).toBe(7000)
  })
  it('is zero with a zero base (tests)', () => {
    expect(retryDelay(http(503), 3, retryPolicy(3, 0))).toBe(0)
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT')
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
  })
})

describe('classify', () => {
  it('names network errors by their code', () => {
    const e = classify(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
    expect(e.kind).toBe('network')
    expect(e.message).toContain('connection reset')
  })
  it('treats disk errors as final', () => {
    const e = classify(Object.assign(new Error('no space'), { code: 'ENOSPC' }))
    expect(e.kind).toBe('disk')
    expect(e.message).toContain('no space left')
  })
  it('fails local write failures at once, saying the file could not be written', () => {
    const cases: [string, RegExp][] = [
      ['EFBIG', /larger than the file system or a limit \(ulimit -f\)/],
      ['ENAMETOOLONG', /name is too long/],
      ['EDQUOT', /no space left/],
      ['EROFS', /read-only/],
      ['EACCES', /permission denied/],
      ['ENOENT', /target folder no longer exists/],
      ['EBUSY', /in use by another program/],
    ]
    for (const [code, text] of cases) {
      const e = classify(Object.assign(new Error(`${code}: write`), { code }))
      expect(e.kind, code).toBe('disk')
      expect(isRetryable(e), code).toBe(false)
      expect(e.message, code).toMatch(/^the file could not be written: /)
      expect(e.message, code).toMatch(text)
    }
  })
  it('finds the code of a wrapped cause', () => {
    const inner = Object.assign(new Error('x'), { code: 'EFBIG' })
    expect(classify(new Error('wrapped', { cause: inner })).kind).toBe('disk')
  })
})

describe('AdaptiveLimit', async () => {
  const { AdaptiveLimit } = await import('../src/engine/queue.ts')
  it('halves on repeated push-back and grows back by one per full round of successes', () => {
    const limit = new AdaptiveLimit(16)
    for (let i = 0; i < 3; i++) limit.record(true)
    expect(limit.value).toBe(16)
    expect(limit.record(true)).toBe(true)
    expect(limit.value).toBe(8)
    for (let i = 0; i < 8; i++) limit.record(false)
    expect(limit.value).toBe(9)
    expect(limit.min).toBe(8)
  })
  it('ignores sparse faults', () => {
    const limit = new AdaptiveLimit(16)
    for (let i = 0; i < 200; i++) limit.record(i % 10 === 0)
    expect(limit.value).toBe(16)
  })
  it('never goes below 1 nor above the maximum', () => {
    const limit = new AdaptiveLimit(4)
    for (let i = 0; i < 100; i++) limit.record(true)
    expect(limit.value).toBe(1)
    for (let i = 0; i < 1000; i++) limit.record(false)
    expect(limit.value).toBe(4)
  })
})

describe('redirect safety', async () => {
  const { redirectRefusal, mayAuthenticate } = await import('../src/net/http-client.ts')
  it('refuses https → http and non-http schemes, allows the rest', () => {
    expect(
      redirectRefusal(new URL('https://a.test/x'), new URL('http://b.test/y?sig=s3cret')),
    ).toBe('refused a redirect from https to http (http://b.test/y?sig=***)')
    expect(redirectRefusal(new URL('https://a.test/x'), new URL('file:///etc/passwd'))).toContain(
      'file URL',
    )
    expect(
      redirectRefusal(new URL('https://a.test/x'), new URL('https://s3.test/y')),
    ).toBeUndefined()
    expect(redirectRefusal(new URL('http://a.test/x'), new URL('http://b.test/y'))).toBeUndefined()
  })
  it('sends credentials only to their own origin', () => {
    const acme = new Set(['https://acme.test'])
    expect(mayAuthenticate(new URL('https://acme.test/artifactory/x'), acme)).toBe(true)
    expect(mayAuthenticate(new URL('https://acme.test:8443/x'), acme)).toBe(false)
    expect(mayAuthenticate(new URL('http://acme.test/x'), acme)).toBe(false)
    expect(mayAuthenticate(new URL('https://s3.test/x'), acme)).toBe(false)
    expect(mayAuthenticate(new URL('https://acme.test/x'), undefined)).toBe(false)
    const two = new Set(['https://acme.test', 'https://mirror.test:8443'])
    expect(mayAuthenticate(new URL('https://mirror.test:8443/x'), two)).toBe(true)
    expect(mayAuthenticate(new URL('https://mirror.test/x'), two)).toBe(false)
  })
})

describe('splitWays', async () => {
  const { splitWays } = await import('../src/engine/ranges.ts')
  const MiB = 1024 * 1024
  it('splits only large files, only into idle slots, never into parts under 1 MiB', () => {
    expect(splitWays(100 * MiB, 8, 16 * MiB, 7)).toBe(8)
    expect(splitWays(100 * MiB, 8, 16 * MiB, 2)).toBe(3)
    expect(splitWays(100 * MiB, 8, 16 * MiB, 0)).toBe(1)
    expect(splitWays(10 * MiB, 8, 16 * MiB, 7)).toBe(1)
    expect(splitWays(3 * MiB, 8, 1 * MiB, 7)).toBe(3)
    expect(splitWays(100 * MiB, 1, 16 * MiB, 7)).toBe(1)
  })
})
