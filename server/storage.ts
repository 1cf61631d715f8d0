// A cloud-storage origin as Artifactory SaaS redirects downloads to it: the signed URL's answer
// carries the bytes and no `X-Checksum-*` header; or, as a suspended instance's redirect target,
// a landing page served `200 text/html` whatever was asked.
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StorageOptions {
  /** Objects by path (`/bucket/x.bin`), query ignored. */
  files?: Record<string, Buffer | string>
  /** Answer every GET with this HTML page (`200 text/html`), as a suspended SaaS instance does. */
  landingPage?: string
}

export interface StorageServer {
  origin: string
  /** Paths asked for, in order. */
  requests: string[]
  close(): Promise<void>
}

/** Starts the storage origin on 127.0.0.1. */
export async function startStorage(options: StorageOptions = {}): Promise<StorageServer> {
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname
    requests.push(p)
    if (options.landingPage !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(options.landingPage)
      return
    }
    const body = options.files?.[p]
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/xml' })
      res.end('<Error><Code>NoSuchKey</Code></Error>')
      return
    }
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body)
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': buf.length,
      etag: '"storage-object"',
    })
    res.end(buf)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
