// OIDC through the bundle, as the runner runs it (a child process with INPUT_* variables): the
// job's ID token exchanged for an access token, masked; a job that cannot request one, and a
// refused exchange, said plainly; an exchange whose answer names no user sets `oidc-user` from the
// access token's `sub` claim.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useBundle } from '../__fixtures__/bundle.ts'
import { jwt } from '../__fixtures__/jwt.ts'
import { useServer } from '../__fixtures__/server.ts'
import { startArtifactory } from '../server/index.ts'
import { runAction } from '../scripts/runner.ts'

const bundle = useBundle('artdl-oidc-e2e-')
const server = useServer({
  files: { 'libs/a.txt': 'hello' },
  auth: { token: 'static-token' },
  oidc: {
    provider: 'github',
    idToken: 'the-id-token',
    accessToken: 'exchanged-access-token',
    username: 'ci-bot',
  },
})

describe('OIDC', () => {
  const idTokenEnv = () => ({
    ACTIONS_ID_TOKEN_REQUEST_URL: `${server.origin}/_id-token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
  })

  it('exchanges the job ID token and downloads with the access token, masked', async () => {
    const run = await runAction({
      workspace: bundle.workspace,
      inputs: {
        url: server.url,
        paths: 'libs/a.txt',
        'oidc-provider-name': 'github',
        'oidc-audience': 'jfrog-aud',
      },
      env: idTokenEnv(),
    })
    expect(run.code).toBe(0)
    expect(fs.readFileSync(path.join(bundle.workspace, 'a.txt'), 'utf8')).toBe('hello')
    expect(run.outputs['oidc-user']).toBe('ci-bot')
    expect(run.stdout).toContain('::add-mask::exchanged-access-token')
    expect(run.stdout.replaceAll('::add-mask::exchanged-access-token', '')).not.toContain(
      'exchanged-access-token',
    )
    const download = server.requests.find((r) => r.path === '/libs/a.txt')
    expect(download?.headers.authorization).toBe('Bearer exchanged-access-token')
    const idRequest = server.requests.find((r) => r.url.startsWith('/_id-token'))
    expect(idRequest?.url).toContain('audience=jfrog-aud')
  })

  it('says to add id-token: write when the job cannot request an ID token', async () => {
    const run = await runAction({
      workspace: bundle.workspace,
      inputs: { url: server.url, paths: 'libs/a.txt', 'oidc-provider-name': 'github' },
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("add 'permissions: id-token: write'")
    expect(server.requests).toHaveLength(0)
  })

  it('reports a refused exchange with status and message, and downloads nothing', async () => {
    const run = await runAction({
      workspace: bundle.workspace,
      inputs: { url: server.url, paths: 'libs/a.txt', 'oidc-provider-name': 'not-configured' },
      env: idTokenEnv(),
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::OIDC token exchange.*HTTP 401/)
    expect(run.stdout).toContain('invalid subject token')
    expect(run.stdout.replaceAll('::add-mask::the-id-token', '')).not.toContain('the-id-token')
    expect(server.requests.some((r) => r.path === '/libs/a.txt')).toBe(false)
  })

  it("sets oidc-user from the access token's sub when the exchange names no user", async () => {
    const accessToken = jwt({ sub: 'jfac@01abc/users/release-bot' })
    const nameless = await startArtifactory({
      files: { 'libs/a.txt': 'hello' },
      oidc: { provider: 'github', idToken: 'the-id-token', accessToken },
    })
    try {
      const run = await runAction({
        workspace: bundle.workspace,
        inputs: { url: nameless.url, paths: 'libs/a.txt', 'oidc-provider-name': 'github' },
        env: {
          ACTIONS_ID_TOKEN_REQUEST_URL: `${nameless.origin}/_id-token?api-version=2.0`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
        },
      })
      expect(run.code).toBe(0)
      expect(run.outputs['oidc-user']).toBe('release-bot')
      expect(await fsp.readFile(path.join(bundle.workspace, 'a.txt'), 'utf8')).toBe('hello')
    } finally {
      await nameless.close()
    }
  })
})
