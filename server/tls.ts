// HTTPS for the local servers, with the test-only certificates in __fixtures__/tls (made once by
// __fixtures__/tls/make.sh): a CA, a server certificate for localhost/127.0.0.1 it signed, an
// expired one, one for another host, and client certificates signed by a client CA or by a CA
// nobody trusts.
import * as fs from 'node:fs'
import type * as http from 'node:http'
import type * as https from 'node:https'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__', 'tls')
const read = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8')

/** The fixture PEM files by the name tests use. */
const PEMS = {
  /** The CA that signed every server certificate: what `ca-certificates` gets. */
  ca: 'ca.pem',
  serverCert: 'server.pem',
  serverKey: 'server.key',
  expiredCert: 'expired.pem',
  wrongHostCert: 'wrong-host.pem',
  /** The CA the server trusts for client certificates. */
  clientCa: 'client-ca.pem',
  clientCert: 'client.pem',
  clientKey: 'client.key',
  /** A client certificate signed by a CA the server does not trust. */
  strangerCert: 'stranger.pem',
  strangerKey: 'stranger.key',
} as const

/** The fixture PEMs, each read when used: importing the server reads no file. */
export const tlsFixtures = { dir: DIR } as { readonly dir: string } & {
  readonly [K in keyof typeof PEMS]: string
}
for (const [name, file] of Object.entries(PEMS)) {
  Object.defineProperty(tlsFixtures, name, { get: () => read(file), enumerable: true })
}

/** How a server speaks TLS. */
export interface ServerTls {
  /** The server's certificate: signed by the fixture CA for 127.0.0.1 (default), expired, or for another host. */
  certificate?: 'valid' | 'expired' | 'wrong-host'
  /**
   * Client certificates: `request` asks and accepts any answer; `require` refuses a handshake
   * without one signed by the client CA (as Node, Apache or Java do); `nginx` completes the
   * handshake and then answers `400 No required SSL certificate was sent` or
   * `400 The SSL certificate error`, as nginx's `ssl_verify_client on` does.
   */
  clientCertificate?: 'request' | 'require' | 'nginx'
}

/** Options for `https.createServer`. */
export function serverTlsOptions(tls: ServerTls): https.ServerOptions {
  const cert =
    tls.certificate === 'expired'
      ? tlsFixtures.expiredCert
      : tls.certificate === 'wrong-host'
        ? tlsFixtures.wrongHostCert
        : tlsFixtures.serverCert
  const options: https.ServerOptions = { cert, key: tlsFixtures.serverKey }
  if (tls.clientCertificate) {
    options.requestCert = true
    options.rejectUnauthorized = tls.clientCertificate === 'require'
    options.ca = tlsFixtures.clientCa
  }
  return options
}

/**
 * In `nginx` mode, answers a request that came without a valid client certificate as nginx
 * does, and returns true; false when the request may go on.
 */
export function nginxRefusal(
  tls: ServerTls | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): boolean {
  if (tls?.clientCertificate !== 'nginx') return false
  const socket = req.socket as import('node:tls').TLSSocket
  if (socket.authorized) return false
  const sent = Object.keys(socket.getPeerCertificate?.() ?? {}).length > 0
  const reason = sent ? 'The SSL certificate error' : 'No required SSL certificate was sent'
  const body = `<html>\r\n<head><title>400 ${reason}</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>${reason}</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  res.writeHead(400, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) })
  res.end(body)
  return true
}
