// The plan's requests when they fail or come back trimmed, through the action: each failure is
// named once ("AQL search: HTTP 429 …", "listing: HTTP 500 …", a refused OIDC exchange), and a
// trimmed AQL answer fails its entry rather than download part of it.
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { errors, logged, useAction } from '../__fixtures__/action-harness.ts'
import { aqlItem } from '../__fixtures__/aql-item.ts'
import { spec } from '../__fixtures__/file-spec.ts'
import { runAql, type AqlItem } from '../server/aql.ts'
import { trimmedAnswer } from '../src/artifactory/aql-query.ts'
import { startArtifactory, startProxy, type ArtifactoryOptions } from '../server/index.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

describe('through the action', () => {
  const action = useAction('artdl-plan-failures-')

  /** Runs the action against a server of its own; resolves what it logged and annotated. */
  async function runAgainst(options: ArtifactoryOptions, extra: Record<string, string>) {
    const s = await startArtifactory(options)
    try {
      action.inputs = { ...action.inputs, url: s.url, ...extra }
      await run()
      return {
        logged: logged(),
        errors: errors(),
        requests: s.requests.map((r) => `${r.method} ${r.path.split('?')[0]} ${r.status}`),
      }
    } finally {
      await s.close()
    }
  }

  it('names an AQL search that failed once ("AQL search: HTTP 429 …")', async () => {
    const { errors, logged } = await runAgainst(
      { files: { 'libs/a.bin': 'a' }, listApi: false, aqlFailures: 5 },
      { paths: 'libs/*.bin', retries: '1' },
    )
    expect(logged).toContain(
      'retry 1/1 for AQL search of libs/ in 0.0 s: HTTP 429 Too Many Requests: Too many requests',
    )
    expect(errors[0]).toBe('AQL search: HTTP 429 Too Many Requests: Too many requests (2 attempts)')
  })

  it.each([
    ['http', false],
    ['https', true],
  ] as const)(
    'names an https:// proxy whose certificate is not trusted, not the server (%s target)',
    async (_, tls) => {
      const proxy = await startProxy({ hosts: { 'artifactory.internal': '127.0.0.1' }, tls: true })
      process.env.HTTPS_PROXY = proxy.url
      process.env.HTTP_PROXY = proxy.url
      try {
        const s = await startArtifactory({ files: { 'libs/a.bin': 'a' }, tls: tls || undefined })
        try {
          action.inputs = {
            ...action.inputs,
            url: `${tls ? 'https' : 'http'}://artifactory.internal:${s.port}/artifactory`,
            paths: 'libs/a.bin',
          }
          await run()
        } finally {
          await s.close()
        }
        const proxyHost = new URL(proxy.url).host
        expect(errors()[0]).toMatch(
          new RegExp(
            `^the proxy's certificate for ${proxyHost.replace(/\./g, '\\.')} is not trusted \\([A-Z_]+\\): set input 'ca-certificates' `,
          ),
        )
        expect(errors()[0]).not.toContain('artifactory.internal')
      } finally {
        delete process.env.HTTPS_PROXY
        delete process.env.HTTP_PROXY
        await proxy.close()
      }
    },
  )

  it('names a refused OIDC exchange once', async () => {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = 'https://id-token.invalid/'
    core.getIDToken.mockResolvedValue('another-id-token')
    try {
      await runAgainst(
        {
          files: { 'libs/a.bin': 'a' },
          auth: {},
          oidc: { provider: 'github', idToken: 'the-id-token', accessToken: 'exchanged' },
        },
        { paths: 'libs/a.bin', retries: '0', 'oidc-provider-name': 'github' },
      )
    } finally {
      delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL
    }
    const failed = String(core.setFailed.mock.calls[0]?.[0])
    expect(failed).toMatch(/^OIDC token exchange: provider 'github' refused: HTTP 40[13] /)
  })

  it('names a listing that failed once ("listing: HTTP 500 …")', async () => {
    const { errors } = await runAgainst(
      {
        files: { 'libs/a.bin': 'a' },
        onRequest: (r) =>
          r.path.startsWith('/api/storage/') ? { kind: 'status', status: 500 } : undefined,
      },
      { paths: 'libs/*.bin', retries: '0' },
    )
    expect(errors[0]).toBe('listing: HTTP 500 Internal Server Error (1 attempt)')
  })

  const three = { 'libs/a.bin': 'a', 'libs/b.bin': 'b', 'libs/c.bin': 'c' }

  it('fails a spec entry whose AQL answer the server trimmed, rather than download part', async () => {
    const { errors, requests } = await runAgainst(
      { files: three, aqlMaxResults: 2 },
      { spec: spec({ aql: { 'items.find': { repo: 'libs' } }, target: 'out/' }) },
    )
    expect(errors[0]).toBe(
      "spec entry 1: AQL search: the server returned 2 results and trimmed the rest (its limit is 2): narrow the entry's pattern or aql, or add limit (1 attempt)",
    )
    expect(requests.filter((r) => r.startsWith('GET /libs/'))).toEqual([])
  })

  it('takes a trimmed-looking answer when the entry asked for that limit', async () => {
    const { errors, requests } = await runAgainst(
      { files: three, aqlMaxResults: 2 },
      { spec: spec({ aql: { 'items.find': { repo: 'libs' } }, target: 'out/', limit: 2 }) },
    )
    expect(errors).toEqual([])
    expect(requests.filter((r) => r.startsWith('GET /libs/')).sort()).toEqual([
      'GET /libs/a.bin 200',
      'GET /libs/b.bin 200',
    ])
  })

  it('fails a pattern listed by AQL (no File List API) when its answer was trimmed', async () => {
    const { errors, requests } = await runAgainst(
      { files: three, listApi: false, aqlMaxResults: 2 },
      { paths: 'libs/*.bin' },
    )
    expect(errors[0]).toBe(
      'AQL search: the server returned 2 results and trimmed the rest (its limit is 2): narrow the pattern (1 attempt)',
    )
    expect(requests.filter((r) => r.startsWith('GET /libs/'))).toEqual([])
  })
})

describe("the test server's AQL hard limit", () => {
  const item = (name: string): AqlItem => aqlItem(`libs/${name}`)
  const items = ['a', 'b', 'c'].map(item)
  const q = 'items.find({"repo":"libs"}).include("name")'

  it('trims as Artifactory does, and says so in range', () => {
    expect(runAql(q, items, {}, 6000, 2)).toEqual({
      results: [
        { repo: 'libs', path: '.', name: 'a', type: 'file' },
        { repo: 'libs', path: '.', name: 'b', type: 'file' },
      ],
      range: {
        start_pos: 0,
        end_pos: 2,
        total: 2,
        limit: 2,
        notification: 'AQL query reached the search hard limit, results are trimmed.',
      },
    })
  })

  it('leaves an answer within the limit, or a query that asks for less, alone', () => {
    expect(runAql(q, items, {}, 6000, 3)).toMatchObject({ range: { total: 3 } })
    expect(runAql(q, items, {}, 6000, 3)).not.toHaveProperty('range.limit')
    expect(runAql(`${q}.limit(1)`, items, {}, 6000, 2)).toMatchObject({
      range: { total: 1, limit: 1 },
    })
    expect(runAql(`${q}.limit(1)`, items, {}, 6000, 2)).not.toHaveProperty('range.notification')
  })
})

describe('trimmedAnswer', () => {
  it('reads a trimmed answer from its limit, its notification, or its total', () => {
    expect(trimmedAnswer({ limit: 500000 }, 500000, undefined, 'fix')?.message).toBe(
      'the server returned 500000 results and trimmed the rest (its limit is 500000): fix',
    )
    expect(trimmedAnswer({ limit: 500000 }, 500000, 600000, 'fix')?.kind).toBe('size')
    expect(
      trimmedAnswer({ notification: 'results are trimmed.' }, 7, undefined, 'fix')?.message,
    ).toBe('the server returned 7 results and trimmed the rest: fix')
    expect(trimmedAnswer({ total: 9 }, 5, undefined, 'fix')?.message).toBe(
      'the server returned 5 of 9 results (trimmed): fix',
    )
  })

  it('takes whole answers, and the limit the query asked for', () => {
    expect(trimmedAnswer(undefined, 5, undefined, 'fix')).toBeUndefined()
    expect(
      trimmedAnswer({ start_pos: 0, end_pos: 5, total: 5 }, 5, undefined, 'fix'),
    ).toBeUndefined()
    expect(trimmedAnswer({ total: 10, limit: 10 }, 10, 10, 'fix')).toBeUndefined()
    expect(trimmedAnswer({ total: 3, limit: 500000 }, 3, undefined, 'fix')).toBeUndefined()
  })
})
