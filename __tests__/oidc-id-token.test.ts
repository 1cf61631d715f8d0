// The job's ID token, fetched by the real `@actions/core` getIDToken (through
// `@actions/http-client` and node:http), with nock answering for the runner's token service on
// a fake host: a 500, a malformed answer, no answer. The token exchange that follows goes to
// the local Artifactory server on 127.0.0.1. Nothing reaches any other network.
import nock from 'nock'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { oidcToken } from '../src/action/oidc.ts'
import { AttemptError } from '../src/common/errors.ts'
import { HttpClient } from '../src/net/http-client.ts'
import type { Settings } from '../src/input/settings.ts'
import { useServer } from '../__fixtures__/server.ts'

const TOKEN_SERVICE = 'http://id-token.runner.test'
const TOKEN_PATH = '/_apis/id-token'

const server = useServer({
  oidc: {
    provider: 'github',
    idToken: 'the-id-token',
    accessToken: 'exchanged-access-token',
    username: 'ci-bot',
  },
})
let http: HttpClient
const saved = { ...process.env }

beforeAll(() => {
  http = new HttpClient({ connections: 2, timeoutMs: 5000 })
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
})
afterAll(async () => {
  await http.close()
  nock.enableNetConnect()
  nock.restore()
})
beforeEach(() => {
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${TOKEN_SERVICE}${TOKEN_PATH}?api-version=2.0`
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'request-token'
  // core writes workflow commands (::add-mask::, ::debug::) to stdout; keep the test log clean.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => {
  vi.restoreAllMocks()
  nock.abortPendingRequests()
  nock.cleanAll()
  process.env = { ...saved }
})

function settings(extra: Partial<Settings> = {}): Settings {
  return {
    url: server.url,
    auth: { kind: 'oidc', provider: 'github', audience: 'jfrog-github' },
    retries: 0,
    retryDelayMs: 0,
    timeoutMs: 5000,
    ...extra,
  } as Settings
}

async function token(s = settings(), signal = new AbortController().signal) {
  const secrets: string[] = []
  const retries: string[] = []
  const result = oidcToken(s, http, {
    redact: (t) => t,
    addSecret: (x) => secrets.push(x),
    signal,
    say: (l) => retries.push(l),
  })
  return { result, secrets, retries }
}

const exchanges = () => server.requests.filter((r) => r.path.startsWith('/access/api/v1/oidc'))

describe('the job ID token (real @actions/core, nock for the token service)', () => {
  it('is requested with the request token and audience, masked, and exchanged', async () => {
    const scope = nock(TOKEN_SERVICE, {
      reqheaders: { authorization: 'Bearer request-token' },
    })
      .get(TOKEN_PATH)
      .query({ 'api-version': '2.0', audience: 'jfrog-github' })
      .reply(200, { value: 'the-id-token' })
    const { result, secrets } = await token()
    await expect(result).resolves.toBe('exchanged-access-token')
    expect(scope.isDone()).toBe(true)
    expect(secrets).toEqual(['the-id-token', 'exchanged-access-token'])
    expect(exchanges()).toHaveLength(1)
  })

  it('fails on a 500 with the status, on one line, before any exchange', async () => {
    const scope = nock(TOKEN_SERVICE)
      .get(TOKEN_PATH)
      .query(true)
      .reply(500, 'internal error\n::error::forged by the server')
    const { result } = await token()
    const error = await result.then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    expect(error?.message).toMatch(/^OIDC: could not get the job's ID token: .*500/)
    // The server's text stays inside the line: it cannot start a workflow command.
    expect(error?.message).not.toContain('\n')
    expect(error?.message).toContain('internal error ::error::forged by the server')
    expect(scope.isDone()).toBe(true)
    expect(exchanges()).toHaveLength(0)
  })

  it('gets past a 503 that @actions/http-client retries', async () => {
    const scope = nock(TOKEN_SERVICE)
      .get(TOKEN_PATH)
      .query(true)
      .reply(503, 'busy')
      .get(TOKEN_PATH)
      .query(true)
      .reply(200, { value: 'the-id-token' })
    const { result } = await token()
    await expect(result).resolves.toBe('exchanged-access-token')
    expect(scope.isDone()).toBe(true)
  })

  it.each([
    ['JSON without the token', { token: 'x' }],
    ['HTML', '<html>Sign in</html>'],
    ['an empty body', ''],
  ])('fails on a malformed answer (%s), before any exchange', async (_, body) => {
    const scope = nock(TOKEN_SERVICE).get(TOKEN_PATH).query(true).reply(200, body)
    const { result } = await token()
    await expect(result).rejects.toThrow(
      /^OIDC: could not get the job's ID token: .*do not have ID Token field/,
    )
    expect(scope.isDone()).toBe(true)
    expect(exchanges()).toHaveLength(0)
  })

  it('fails when the token service does not answer within the timeout', async () => {
    // nock holds the answer for a minute; the `timeout` input (here 200 ms) ends the wait.
    const scope = nock(TOKEN_SERVICE)
      .get(TOKEN_PATH)
      .query(true)
      .delay(60_000)
      .reply(200, { value: 'too-late' })
    const { result, secrets } = await token(settings({ timeoutMs: 200 }))
    await expect(result).rejects.toThrow(
      "OIDC: could not get the job's ID token: no answer within 200 ms",
    )
    expect(scope.isDone()).toBe(true)
    expect(secrets).toEqual([])
    expect(exchanges()).toHaveLength(0)
  })

  it('stops waiting when the run is cancelled, with the cancellation as the reason', async () => {
    nock(TOKEN_SERVICE).get(TOKEN_PATH).query(true).delay(60_000).reply(200, { value: 'late' })
    const controller = new AbortController()
    const reason = new AttemptError('cancelled', 'cancelled by SIGTERM')
    const { result } = await token(settings({ timeoutMs: 60_000 }), controller.signal)
    // Abort once the request has reached the token service.
    await vi.waitFor(() => expect(nock.pendingMocks()).toHaveLength(0))
    controller.abort(reason)
    await expect(result).rejects.toBe(reason)
    expect(exchanges()).toHaveLength(0)
  })
})
