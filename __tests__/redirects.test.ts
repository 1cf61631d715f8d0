import * as http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpClient, readText } from '../src/net/http-client.ts'
import { MAX_REDIRECTS } from '../src/net/redirects.ts'

// /hops/N redirects to /hops/N-1; /hops/0 answers. A request for /hops/N meets N redirects.
let server: http.Server
let base: string
let client: HttpClient

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const n = Number(req.url?.split('/').pop())
    if (n > 0) res.writeHead(302, { location: `/hops/${n - 1}` }).end()
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('arrived')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  client = new HttpClient({ connections: 2, timeoutMs: 5000 })
})

afterAll(async () => {
  await client.close()
  await new Promise((r) => server.close(r))
})

describe('a chain of redirects', () => {
  it(`is followed for ${MAX_REDIRECTS} redirects, as many as the error names`, async () => {
    const res = await client.request(`${base}/hops/${MAX_REDIRECTS}`)
    expect(res.status).toBe(200)
    expect(res.url).toBe(`${base}/hops/0`)
    expect(await readText(res.body, 100)).toBe('arrived')
  })

  it('is refused at the redirect after those', async () => {
    await expect(client.request(`${base}/hops/${MAX_REDIRECTS + 1}`)).rejects.toThrow(
      `more than ${MAX_REDIRECTS} redirects`,
    )
  })
})
