// A small forward proxy on 127.0.0.1 for tests: CONNECT tunnels (which carry HTTPS as they carry
// anything) and absolute-form requests. With `tls`, the proxy itself speaks HTTPS (an
// `https://` HTTPS_PROXY), with the fixture server certificate.
// `hosts` lets it resolve names nothing else can (so a test proves traffic went through it);
// it only ever connects to loopback addresses.
import * as http from 'node:http'
import * as https from 'node:https'
import * as net from 'node:net'
import { serverTlsOptions } from './tls.ts'

export interface ProxyServer {
  url: string
  port: number
  requests: { method: string; target: string; headers: http.IncomingHttpHeaders }[]
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

/** Starts the proxy. */
export async function startProxy(
  options: {
    hosts?: Record<string, string>
    auth?: { username: string; password: string }
    tls?: boolean
  } = {},
): Promise<ProxyServer> {
  const requests: ProxyServer['requests'] = []
  const sockets = new Set<net.Socket>()
  const resolve = (host: string): string | undefined => {
    const mapped = options.hosts?.[host] ?? host
    return LOOPBACK.has(mapped) ? mapped : undefined
  }
  const allowed = (req: http.IncomingMessage): boolean => {
    if (!options.auth) return true
    const expected = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`
    return req.headers['proxy-authorization'] === expected
  }
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests.push({ method: req.method ?? 'GET', target: req.url ?? '', headers: req.headers })
    if (!allowed(req)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' })
      return void res.end()
    }
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      res.writeHead(400)
      return void res.end('absolute-form request expected')
    }
    const address = resolve(target.hostname)
    if (!address) {
      res.writeHead(403)
      return void res.end('only loopback targets')
    }
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    delete headers['proxy-connection']
    const upstream = http.request(
      {
        host: address,
        port: Number(target.port || 80),
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  }
  const server = options.tls
    ? https.createServer(serverTlsOptions({}), handler)
    : http.createServer(handler)
  server.on('tlsClientError', () => undefined)
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    requests.push({ method: 'CONNECT', target: req.url ?? '', headers: req.headers })
    if (!allowed(req)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\n\r\n',
      )
      return
    }
    const [host, port] = (req.url ?? '').split(':')
    const address = resolve(host)
    if (!address) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    const upstream = net.connect(Number(port), address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as net.AddressInfo).port
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
