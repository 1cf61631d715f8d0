// Credentials reach exactly the servers the workflow named, and a 401 or 403 says whether any
// were sent. Two local servers record the headers they receive.
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { errors, logged, useAction } from '../__fixtures__/action-harness.ts'
import { useServer } from '../__fixtures__/server.ts'
import type { ArtifactoryServer } from '../server/index.ts'
import { credentialOrigins } from '../src/artifactory/credential-origins.ts'
import { credentialsHint, HttpClient } from '../src/net/http-client.ts'
import { parseEntries } from '../src/input/entries.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const files = { 'libs/a.bin': 'from a', 'libs/b.bin': 'from b', 'libs/c.bin': 'also b' }
const a = useServer({ files, auth: { token: 'the-token', username: 'u', password: 'p' } })
const b = useServer({ files, auth: { token: 'the-token' } })
const action = useAction('artdl-cred-')

const authOf = (s: ArtifactoryServer, p: string): (string | undefined)[] =>
  s.requests.filter((r) => r.path === `/${p}`).map((r) => r.headers.authorization)

describe('which servers get credentials', () => {
  it('without url, every full-URL entry’s origin gets them', async () => {
    action.inputs = {
      ...action.inputs,
      paths: `${a.url}/libs/a.bin\n${b.url}/libs/b.bin`,
      'access-token': 'the-token',
    }
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(authOf(a, 'libs/a.bin')).toEqual(['Bearer the-token'])
    expect(authOf(b, 'libs/b.bin')).toEqual(['Bearer the-token'])
  })

  it('with url, full URLs on another origin get none, and the log says so once per origin', async () => {
    action.inputs = {
      ...action.inputs,
      url: a.url,
      paths: `libs/a.bin\n${b.url}/libs/b.bin\n${b.url}/libs/c.bin`,
      'access-token': 'the-token',
      retries: '0',
    }
    await run()
    expect(authOf(a, 'libs/a.bin')).toEqual(['Bearer the-token'])
    expect(authOf(b, 'libs/b.bin')).toEqual([undefined])
    expect(authOf(b, 'libs/c.bin')).toEqual([undefined])
    const said = logged().filter((l) => l.startsWith('credentials are not sent'))
    expect(said).toEqual([
      `credentials are not sent to ${b.origin}: 'url' names another server (${a.origin}), so its files are requested without them`,
    ])
    // b wants a token: its 401 says none was sent there and where they go.
    expect(errors()[0]).toBe(
      `HTTP 401 Unauthorized: Bad credentials (no credentials were sent to ${b.origin}: they go only to ${a.origin}, the server the workflow named) (1 attempt)`,
    )
  })

  it('never to a redirect target on another origin, even one the workflow named', async () => {
    a.setFaults('libs/a.bin', [{ kind: 'redirect', location: `${b.url}/libs/a.bin` }])
    action.inputs = {
      ...action.inputs,
      paths: `${a.url}/libs/a.bin => a.bin\n${b.url}/libs/b.bin`,
      'access-token': 'the-token',
      retries: '0',
    }
    await run()
    expect(authOf(a, 'libs/a.bin')).toEqual(['Bearer the-token'])
    // b requires the token, so the redirected request, sent without it, is refused.
    expect(authOf(b, 'libs/a.bin')).toEqual([undefined])
    expect(authOf(b, 'libs/b.bin')).toEqual(['Bearer the-token'])
    expect(errors()[0]).toContain(`no credentials were sent to ${b.origin}`)
    expect(fs.existsSync(path.join(action.workspace, 'b.bin'))).toBe(true)
  })
})

describe('401 and 403 say whether credentials were sent, and which', () => {
  it('none configured', async () => {
    action.inputs = { ...action.inputs, url: a.url, paths: 'libs/a.bin' }
    await run()
    expect(errors()[0]).toBe(
      `HTTP 401 Unauthorized: Bad credentials (no credentials were sent to ${a.origin}: set access-token, username and password, or oidc-provider-name) (1 attempt)`,
    )
  })

  it('an access token sent and refused', async () => {
    action.inputs = {
      ...action.inputs,
      url: a.url,
      paths: 'libs/a.bin',
      'access-token': 'wrong-token',
    }
    await run()
    expect(errors()[0]).toBe(
      'HTTP 401 Unauthorized: Bad credentials (the access token was sent and refused: check the credentials (valid, not expired, for this server)) (1 attempt)',
    )
  })

  it('a username and password sent and refused', async () => {
    action.inputs = {
      ...action.inputs,
      url: a.url,
      paths: 'libs/a.bin',
      username: 'u',
      password: 'nope',
    }
    await run()
    expect(errors()[0]).toContain('the username and password were sent and refused')
    expect(authOf(a, 'libs/a.bin')[0]).toMatch(/^Basic /)
  })

  it('a 403 after credentials were sent', () => {
    expect(credentialsHint(403, 'https://x.test', { sent: true, label: 'the access token' })).toBe(
      'the access token was sent: check that the user or token may read this repository',
    )
  })
})

describe('credentialOrigins', () => {
  const token = { kind: 'bearer', token: 't' } as const
  it('is the url’s origin with url, the full URLs’ origins without', () => {
    const entries = parseEntries(
      'https://a.test/artifactory/r/x.bin\nhttps://b.test:8443/r/y.bin\nhttps://b.test:8443/r/z.bin',
      undefined,
    )
    expect(credentialOrigins(token, undefined, entries)).toEqual({
      origins: new Set(['https://a.test', 'https://b.test:8443']),
      withheld: [],
    })
    expect(credentialOrigins(token, 'https://a.test/artifactory', entries)).toEqual({
      origins: new Set(['https://a.test']),
      withheld: ['https://b.test:8443'],
    })
    expect(credentialOrigins({ kind: 'none' }, 'https://a.test/artifactory', entries)).toEqual({
      origins: new Set(),
      withheld: [],
    })
  })
})

describe('a request body never follows a redirect to another origin', () => {
  // The OIDC exchange POSTs the job's ID token in its body: a 307 or 308 (or a 301/302 kept as
  // POST) to another origin must not hand that body to a server the workflow did not name.
  it.each([301, 302, 307, 308])('%i from the exchange to another origin', async (status) => {
    const bodies: string[] = []
    const listen = async (handler: http.RequestListener): Promise<http.Server> => {
      const s = http.createServer(handler)
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
      return s
    }
    const portOf = (s: http.Server): number => (s.address() as { port: number }).port
    const other = await listen((req, res) => {
      let text = ''
      req.on('data', (c: Buffer) => (text += c.toString()))
      req.on('end', () => {
        bodies.push(text)
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    const first = await listen((req, res) => {
      req.resume()
      res.writeHead(status, { location: `http://127.0.0.1:${portOf(other)}/token` }).end()
    })
    const client = new HttpClient({ connections: 1, timeoutMs: 5000 })
    try {
      const sent = client.request(`http://127.0.0.1:${portOf(first)}/access/api/v1/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ subject_token: 'the-id-token' }),
      })
      await expect(sent).rejects.toThrow(
        /refused a redirect of a POST with a body to another origin/,
      )
      expect(bodies.join('')).not.toContain('the-id-token')
    } finally {
      await client.close()
      first.close()
      other.close()
    }
  })
})
