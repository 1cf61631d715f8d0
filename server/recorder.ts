// A plain web server on another port (not Artifactory: no checksum headers), standing in for
// the cloud storage Artifactory redirects to. It records the headers it receives, so tests
// can prove credentials never follow a redirect to another origin.
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { writeBody } from './artifactory.ts'

export interface RecorderServer {
  origin: string
  /** Same as origin: files are served from the root. */
  url: string
  port: number
  files: Map<string, Buffer>
  requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[]
  close(): Promise<void>
}

/** Starts a recorder serving `files` (keyed by URL path without the leading slash). */
export async function startRecorder(
  options: { files?: Map<string, Buffer>; etag?: boolean; ranges?: boolean } = {},
): Promise<RecorderServer> {
  const files = options.files ?? new Map<string, Buffer>()
  const requests: RecorderServer['requests'] = []
  const sockets = new Set<Socket>()
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent((req.url ?? '/').split('?')[0]).slice(1)
    requests.push({ method: req.method ?? 'GET', path: `/${p}`, headers: req.headers })
    const body = files.get(p)
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found')
      return
    }
    const headers: Record<string, string | number> = {
      'content-length': body.length,
      'content-type': 'application/octet-stream',
    }
    if (options.etag) headers['etag'] = `"v-${body.length}"`
    if (options.ranges) headers['accept-ranges'] = 'bytes'
    res.writeHead(200, headers)
    if (req.method === 'HEAD') return void res.end()
    void writeBody(res, body, undefined).then(() => res.end())
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    url: origin,
    port,
    files,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy()
        server.close(() => r())
      }),
  }
}
