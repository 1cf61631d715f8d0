// The parts of undici the action runs (src/net/undici.ts): the bundle carries them and not
// undici's entry point, the bundle still tunnels HTTPS through a CONNECT proxy (which needs the
// dispatcher methods the entry point would have added), and `request` reads its URL as
// undici's own top-level `request` does.
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useBundle } from '../__fixtures__/bundle.ts'
import { useServer } from '../__fixtures__/server.ts'
import { startProxy, tlsFixtures } from '../server/index.ts'
import { freshBundle } from '../scripts/fresh-bundle.ts'
import { runAction } from '../scripts/runner.ts'
import { Agent, request } from '../src/net/undici.ts'

const bundle = useBundle('artdl-undici-parts-')
const server = useServer({ tls: true, files: { 'libs/t.bin': 'through the tunnel' } })

describe('the bundle', () => {
  it("carries undici's dispatchers and request, not its entry point, fetch, WebSocket, mocks or global dispatcher", async () => {
    const map = JSON.parse(
      fs.readFileSync(path.join(path.dirname(await freshBundle()), 'index.js.map'), 'utf8'),
    ) as { sources: string[] }
    const parts = map.sources
      .filter((s) => s.includes('node_modules/undici/'))
      .map((s) => s.slice(s.indexOf('node_modules/undici/') + 'node_modules/undici/'.length))
    expect(parts).toEqual(
      expect.arrayContaining([
        'lib/api/api-request.js',
        'lib/dispatcher/agent.js',
        'lib/dispatcher/pool.js',
        'lib/dispatcher/proxy-agent.js',
        'lib/core/connect.js',
      ]),
    )
    const unwanted = parts.filter((p) =>
      /^(index\.js|lib\/global\.js|lib\/mock\/|lib\/web\/(websocket|eventsource|cache|cookies)\/|lib\/web\/fetch\/index\.js)/.test(
        p,
      ),
    )
    expect(unwanted).toEqual([])
  })

  it('downloads over HTTPS through a CONNECT proxy', async () => {
    const proxy = await startProxy({ hosts: { 'artifactory.internal': '127.0.0.1' } })
    try {
      const run = await runAction({
        workspace: bundle.workspace,
        inputs: {
          url: `https://artifactory.internal:${server.port}/artifactory`,
          paths: 'libs/t.bin',
          'ca-certificates': tlsFixtures.ca,
        },
        env: { HTTPS_PROXY: proxy.url },
      })
      expect(run.code).toBe(0)
      expect(fs.readFileSync(path.join(bundle.workspace, 't.bin'), 'utf8')).toBe(
        'through the tunnel',
      )
      expect(proxy.requests.map((r) => `${r.method} ${r.target}`)).toContain(
        `CONNECT artifactory.internal:${server.port}`,
      )
    } finally {
      await proxy.close()
    }
  })
})

describe('request', () => {
  let echo: http.Server
  let origin = ''
  const agent = new Agent({ connections: 1 })
  beforeAll(async () => {
    echo = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => res.end(JSON.stringify({ method: req.method, url: req.url, body })))
    })
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await agent.close()
    await new Promise((resolve) => echo.close(resolve))
  })
  const asked = async (res: Awaited<ReturnType<typeof request>>) => res.body.json()

  it('sends the path and query of a URL or string, GET by default, PUT with a body, or the method given', async () => {
    expect(await asked(await request(new URL(`${origin}/a/b?c=d`), { dispatcher: agent }))).toEqual(
      { method: 'GET', url: '/a/b?c=d', body: '' },
    )
    expect(await asked(await request(`${origin}/x`, { dispatcher: agent, body: 'hi' }))).toEqual({
      method: 'PUT',
      url: '/x',
      body: 'hi',
    })
    expect(
      await asked(await request(`${origin}/y`, { dispatcher: agent, method: 'DELETE' })),
    ).toEqual({ method: 'DELETE', url: '/y', body: '' })
  })

  it('refuses what is not a URL, as undici does', () => {
    expect(() => request('not a url', { dispatcher: agent })).toThrow('Invalid URL')
    expect(() => request('ftp://127.0.0.1/x', { dispatcher: agent })).toThrow(
      'Invalid URL protocol',
    )
  })
})
