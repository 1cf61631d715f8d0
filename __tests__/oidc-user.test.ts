// The `oidc-user` output when the token exchange's answer names no user: read from the access
// token's `sub` claim, as jfrog/setup-jfrog-cli reads it. Through run(), against the local server.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { logged, output, useAction } from '../__fixtures__/action-harness.ts'
import { jwt } from '../__fixtures__/jwt.ts'
import { startArtifactory } from '../server/index.ts'
import { userOfAccessToken } from '../src/artifactory/oidc.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const action = useAction('artdl-oidc-user-')

beforeEach(() => {
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = 'https://id-token.invalid/'
  core.getIDToken.mockResolvedValue('the-id-token')
})
afterEach(() => {
  delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL
})

async function exchange(accessToken: string, username?: string): Promise<void> {
  const server = await startArtifactory({
    files: { 'libs/a.bin': 'a' },
    oidc: { provider: 'github', idToken: 'the-id-token', accessToken, username },
  })
  try {
    action.inputs = {
      ...action.inputs,
      url: server.url,
      paths: 'libs/a.bin',
      'oidc-provider-name': 'github',
    }
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    const download = server.requests.find((r) => r.path === '/libs/a.bin')
    expect(download?.headers.authorization).toBe(`Bearer ${accessToken}`)
  } finally {
    await server.close()
  }
}

describe('oidc-user without a username in the exchange answer', () => {
  it('is the name after /users/ in the access token subject', async () => {
    const token = jwt({ sub: 'jfrt@01h8z3k2/users/ci-bot', scp: 'applied-permissions/user' })
    await exchange(token)
    expect(output('oidc-user')).toBe('ci-bot')
    expect(logged()).toContain(
      "OIDC: exchanged the job's ID token with provider 'github' for user 'ci-bot'",
    )
  })

  it('is the subject as it is when it is not a JFrog user path', async () => {
    await exchange(jwt({ sub: 'repo:octo/app:ref:refs/heads/main' }))
    expect(output('oidc-user')).toBe('repo:octo/app:ref:refs/heads/main')
  })

  it('is the answer’s username when it has one', async () => {
    await exchange(jwt({ sub: 'jfrt@01h8z3k2/users/from-token' }), 'from-answer')
    expect(output('oidc-user')).toBe('from-answer')
  })

  it('is not set when the access token is no JWT, and the run still succeeds', async () => {
    await exchange('an-opaque-reference-token')
    expect(output('oidc-user')).toBeUndefined()
  })
})

describe('userOfAccessToken', () => {
  it('reads base64url payloads, with or without padding and with - and _', () => {
    // "~~~" in a claim makes base64url use '-' or '_' where base64 has '+' or '/'.
    const token = jwt({ sub: 'jfrt@x/users/a~~~b', note: '???>>>' })
    expect(token.split('.')[1]).toMatch(/[-_]/)
    expect(userOfAccessToken(token)).toBe('a~~~b')
    expect(userOfAccessToken(`${token.split('.')[0]}.${token.split('.')[1]}==.sig`)).toBe('a~~~b')
  })

  it.each([
    ['two parts', 'a.b'],
    ['a payload that is not JSON', 'a.bm90IGpzb24.c'],
    ['no sub', jwt({ iss: 'x' })],
    ['a sub that is not a string', jwt({ sub: 42 })],
    ['a user path that ends in a slash', jwt({ sub: 'jfrt@x/users/' })],
  ])('gives undefined for %s', (_, token) => {
    expect(userOfAccessToken(token)).toBeUndefined()
  })
})
