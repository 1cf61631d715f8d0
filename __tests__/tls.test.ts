// HTTPS: the runner layer in-process (with @actions/core replaced by typed fixtures) against the
// local server speaking TLS with the test-only certificates in __fixtures__/tls.
import { expectSameBytes, seeded } from '../__fixtures__/bytes.ts'
import { execFileSync, spawn } from 'node:child_process'
import * as diagnostics from 'node:diagnostics_channel'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { TLSSocket } from 'node:tls'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { errors, everyChannel, logged, useAction } from '../__fixtures__/action-harness.ts'
import { useServer } from '../__fixtures__/server.ts'
import {
  startArtifactory,
  startProxy,
  tlsFixtures,
  type ArtifactoryServer,
  type ServerTls,
} from '../server/index.ts'
import { classify, isRetryable } from '../src/net/retry.ts'
import { nginxCertificateFailure, tlsFailure } from '../src/net/tls-errors.ts'
import { readTlsSettings, tlsConnectOptions } from '../src/net/tls-options.ts'
import { InputError } from '../src/common/errors.ts'
import { freshBundle } from '../scripts/fresh-bundle.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const server = useServer({ tls: true })
const action = useAction('artdl-tls-', () => ({
  url: server.url,
  'ca-certificates': tlsFixtures.ca,
}))

const read = (f: string): Buffer => fs.readFileSync(path.join(action.workspace, f))
const gets = (s: ArtifactoryServer, p: string) =>
  s.requests.filter((r) => r.method === 'GET' && r.path === `/${p}`)

/** A server with its own TLS setup, closed after `fn`. */
async function withServer(
  tls: ServerTls,
  fn: (s: ArtifactoryServer) => Promise<void>,
  extra: Parameters<typeof startArtifactory>[0] = {},
): Promise<void> {
  const s = await startArtifactory({ tls, files: { 'libs/a.bin': 'over tls' }, ...extra })
  try {
    action.inputs.url = s.url
    action.inputs.paths = 'libs/a.bin'
    await fn(s)
  } finally {
    await s.close()
  }
}

describe('downloads over HTTPS', () => {
  it('downloads and verifies files, and logs the extra CA by subject only', async () => {
    server.setFile('libs/one.bin', seeded(5000))
    server.setFile('libs/two.bin', seeded(7000, 2))
    action.inputs.paths = 'libs/one.bin\nlibs/two.bin'
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(server.url.startsWith('https://127.0.0.1:')).toBe(true)
    expectSameBytes(read('one.bin'), seeded(5000))
    expectSameBytes(read('two.bin'), seeded(7000, 2))
    expect(logged().filter((l) => l.endsWith('sha256 ok'))).toHaveLength(2)
    expect(logged()).toContain(
      "TLS: trusting 1 certificate from ca-certificates besides the default ones: 'CN=artifactory-download-action test CA' (until Jan  1 00:00:00 2120 GMT)",
    )
    expect(everyChannel()).not.toContain('BEGIN CERTIFICATE')
  })

  it('opens every connection with one TLS context (ca-certificates parsed once, not per connection)', async () => {
    const sockets: TLSSocket[] = []
    const connected = (message: unknown): void => {
      const socket = (message as { socket?: unknown }).socket
      if (socket instanceof TLSSocket) sockets.push(socket)
    }
    const files = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`libs/c${i}.bin`, seeded(3000 + i, i)]),
    )
    const slow = await startArtifactory({ tls: true, files, latencyMs: 40 })
    diagnostics.subscribe('undici:client:connected', connected)
    try {
      action.inputs.url = slow.url
      action.inputs.paths = Object.keys(files).join('\n')
      action.inputs.concurrency = '4'
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      for (const [name, body] of Object.entries(files))
        expectSameBytes(read(path.basename(name)), body)
      expect(slow.stats.maxInFlight).toBe(4)
      expect(sockets.length).toBeGreaterThanOrEqual(4)
      // Node keeps the context a socket was made with in its options: one object for all.
      const contexts = new Set(
        sockets.map(
          (s) =>
            (s as unknown as { _tlsOptions: { secureContext: unknown } })._tlsOptions.secureContext,
        ),
      )
      expect(contexts.size).toBe(1)
      expect([...contexts][0]).toBeDefined()
    } finally {
      diagnostics.unsubscribe('undici:client:connected', connected)
      await slow.close()
    }
  })

  it('splits a large file into ranges', async () => {
    const data = seeded(3 * 1024 * 1024 + 5)
    server.setFile('libs/large.bin', data)
    action.inputs = {
      ...action.inputs,
      paths: 'libs/large.bin',
      split: '4',
      'split-min-size': '512KiB',
    }
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expectSameBytes(read('large.bin'), data)
    const ranged = gets(server, 'libs/large.bin').filter((r) => r.range)
    expect(ranged.length).toBeGreaterThan(0)
    expect(ranged.every((r) => r.status === 206)).toBe(true)
  })

  it('resumes a body cut off halfway with a Range request', async () => {
    const data = seeded(200_000, 5)
    server.setFile('libs/cut.bin', data)
    server.setFaults('libs/cut.bin', [{ kind: 'truncate', afterBytes: 100_000 }])
    action.inputs.paths = 'libs/cut.bin'
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    const [first, second] = gets(server, 'libs/cut.bin')
    expect(first.range).toBeUndefined()
    expect(second.range).toBe('bytes=100000-')
    expect(second.status).toBe(206)
    expectSameBytes(read('cut.bin'), data)
  })

  it('lists a pattern with the File List API over HTTPS', async () => {
    server.setFile('libs/p/x1.jar', 'x1')
    server.setFile('libs/p/x2.jar', 'x2')
    server.setFile('libs/p/x3.txt', 'x3')
    action.inputs.paths = 'libs/p/*.jar'
    await run()
    expect(core.setFailed).not.toHaveBeenCalled()
    expect(server.requests.some((r) => r.path.startsWith('/api/storage/libs/p'))).toBe(true)
    expect(fs.readdirSync(action.workspace).filter((f) => f.endsWith('.jar'))).toEqual([
      'x1.jar',
      'x2.jar',
    ])
  })

  it('exchanges the OIDC token over HTTPS and downloads with it', async () => {
    await withServer(
      {},
      async (s) => {
        process.env.ACTIONS_ID_TOKEN_REQUEST_URL = 'https://id-token.invalid/'
        core.getIDToken.mockResolvedValue('the-id-token')
        try {
          action.inputs['oidc-provider-name'] = 'github'
          await run()
        } finally {
          delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL
        }
        expect(core.setFailed).not.toHaveBeenCalled()
        expect(read('a.bin').toString()).toBe('over tls')
        expect(s.requests[0].path).toBe('/access/api/v1/oidc/token')
        expect(gets(s, 'libs/a.bin')[0].headers.authorization).toBe('Bearer exchanged')
      },
      {
        auth: {},
        oidc: { provider: 'github', idToken: 'the-id-token', accessToken: 'exchanged' },
      },
    )
  })

  it('goes through the CONNECT proxy to a host only the proxy can resolve', async () => {
    const proxy = await startProxy({ hosts: { 'artifactory.internal': '127.0.0.1' } })
    process.env.HTTPS_PROXY = proxy.url
    try {
      server.setFile('libs/px.bin', 'through the tunnel')
      action.inputs = {
        ...action.inputs,
        url: `https://artifactory.internal:${server.port}/artifactory`,
        paths: 'libs/px.bin',
      }
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(read('px.bin').toString()).toBe('through the tunnel')
      expect(proxy.requests.map((r) => `${r.method} ${r.target}`)).toContain(
        `CONNECT artifactory.internal:${server.port}`,
      )
    } finally {
      delete process.env.HTTPS_PROXY
      await proxy.close()
    }
  })

  it('goes through an https:// proxy, whose certificate ca-certificates verifies too', async () => {
    const proxy = await startProxy({ hosts: { 'artifactory.internal': '127.0.0.1' }, tls: true })
    process.env.HTTPS_PROXY = proxy.url
    try {
      server.setFile('libs/tp.bin', 'through a TLS proxy')
      action.inputs = {
        ...action.inputs,
        url: `https://artifactory.internal:${server.port}/artifactory`,
        paths: 'libs/tp.bin',
      }
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(read('tp.bin').toString()).toBe('through a TLS proxy')
      expect(proxy.url.startsWith('https://')).toBe(true)
      expect(proxy.requests.map((r) => r.method)).toContain('CONNECT')
    } finally {
      delete process.env.HTTPS_PROXY
      await proxy.close()
    }
  })

  it('presents the client certificate to a server that requires one', async () => {
    await withServer({ clientCertificate: 'require' }, async () => {
      action.inputs['client-certificate'] = tlsFixtures.clientCert
      action.inputs['client-key'] = tlsFixtures.clientKey
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(read('a.bin').toString()).toBe('over tls')
      expect(logged()).toContain(
        "TLS: client certificate 'CN=ci-client' (until Jan  1 00:00:00 2120 GMT)",
      )
    })
  })

  it('presents the client certificate through the proxy too, and to an nginx-style server', async () => {
    await withServer({ clientCertificate: 'nginx' }, async (s) => {
      const proxy = await startProxy({ hosts: { 'artifactory.internal': '127.0.0.1' } })
      process.env.HTTPS_PROXY = proxy.url
      try {
        action.inputs.url = `https://artifactory.internal:${s.port}/artifactory`
        action.inputs['client-certificate'] = tlsFixtures.clientCert
        action.inputs['client-key'] = tlsFixtures.clientKey
        await run()
        expect(core.setFailed).not.toHaveBeenCalled()
        expect(read('a.bin').toString()).toBe('over tls')
        expect(proxy.requests.some((r) => r.method === 'CONNECT')).toBe(true)
      } finally {
        delete process.env.HTTPS_PROXY
        await proxy.close()
      }
    })
  })

  it('masks the client key and each of its lines, and never logs it', async () => {
    await withServer({ clientCertificate: 'require' }, async () => {
      action.inputs['client-certificate'] = tlsFixtures.clientCert
      action.inputs['client-key'] = tlsFixtures.clientKey
      await run()
      const masked = core.setSecret.mock.calls.map((c) => c[0])
      expect(masked).toContain(tlsFixtures.clientKey)
      const lines = keyLines()
      expect(lines.length).toBeGreaterThan(1)
      for (const line of lines) {
        expect(masked).toContain(line)
        expect(everyChannel()).not.toContain(line)
      }
    })
  })
})

describe('certificate failures are not retried', () => {
  /** Runs the step with 3 retries and returns its one annotation. */
  async function failure(s: ArtifactoryServer): Promise<string> {
    action.inputs.retries = '3'
    await run()
    expect(core.setFailed).toHaveBeenCalled()
    expect(errors()).toHaveLength(1)
    expect(logged().some((l) => l.startsWith('retry '))).toBe(false)
    expect(s.stats.bodyResponses).toBe(0)
    const message = errors()[0]
    expect(message).not.toContain('--use-system-ca')
    expect(message.match(/attempt/g)).toHaveLength(1)
    return message
  }

  it('an untrusted server certificate says to set ca-certificates, and works once it is set', async () => {
    await withServer({}, async (s) => {
      delete action.inputs['ca-certificates']
      expect(await failure(s)).toBe(
        `the server's certificate for 127.0.0.1:${s.port} is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): set input 'ca-certificates' to the PEM of the CA that issued it, or NODE_EXTRA_CA_CERTS in the step's env (1 attempt)`,
      )
      expect(s.stats.connections).toBe(1)
      vi.clearAllMocks()
      action.inputs['ca-certificates'] = tlsFixtures.ca
      await run()
      expect(core.setFailed).not.toHaveBeenCalled()
      expect(read('a.bin').toString()).toBe('over tls')
    })
  })

  it('a CA file that holds another CA still fails, saying to check it', async () => {
    await withServer({}, async (s) => {
      fs.writeFileSync(path.join(action.workspace, 'other-ca.pem'), tlsFixtures.clientCa)
      action.inputs['ca-certificates'] = 'other-ca.pem'
      expect(await failure(s)).toContain(
        "is not trusted, even with 'ca-certificates' (UNABLE_TO_VERIFY_LEAF_SIGNATURE): check that 'ca-certificates' holds the CA that issued it",
      )
    })
  })

  it('an expired server certificate', async () => {
    await withServer({ certificate: 'expired' }, async (s) => {
      expect(await failure(s)).toBe(
        `the server's certificate for 127.0.0.1:${s.port} has expired (CERT_HAS_EXPIRED): the server's administrators must renew it (1 attempt)`,
      )
      expect(s.stats.connections).toBe(1)
    })
  })

  it('a certificate for another host', async () => {
    await withServer({ certificate: 'wrong-host' }, async (s) => {
      expect(await failure(s)).toBe(
        `the server's certificate is not issued for 127.0.0.1:${s.port} (ERR_TLS_CERT_ALTNAME_INVALID): use the host name the certificate names in the URL (1 attempt)`,
      )
      expect(s.stats.connections).toBe(1)
    })
  })

  it('a client certificate required and not given (TLS 1.3 alert after the handshake)', async () => {
    await withServer({ clientCertificate: 'require' }, async (s) => {
      expect(await failure(s)).toBe(
        "the server requires a client certificate and none was sent (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED): set inputs 'client-certificate' and 'client-key' (1 attempt)",
      )
      expect(s.stats.connections).toBe(1)
    })
  })

  it('nginx: 400 No required SSL certificate was sent', async () => {
    await withServer({ clientCertificate: 'nginx' }, async (s) => {
      expect(await failure(s)).toBe(
        "the server requires a client certificate and none was sent (HTTP 400 No required SSL certificate was sent): set inputs 'client-certificate' and 'client-key' (1 attempt)",
      )
      expect(s.requests).toHaveLength(1)
      expect(s.requests[0].status).toBe(400)
    })
  })

  it('nginx: a client certificate from a CA it does not trust is refused', async () => {
    await withServer({ clientCertificate: 'nginx' }, async (s) => {
      action.inputs['client-certificate'] = tlsFixtures.strangerCert
      action.inputs['client-key'] = tlsFixtures.strangerKey
      expect(await failure(s)).toBe(
        "the server refused the client certificate (HTTP 400 The SSL certificate error): check that 'client-certificate' is signed by a CA the server trusts, is valid, and matches 'client-key' (1 attempt)",
      )
      expect(s.requests).toHaveLength(1)
    })
  })

  it('a listing refused for a certificate fails its entry the same way', async () => {
    await withServer({ clientCertificate: 'nginx' }, async (s) => {
      action.inputs.paths = 'libs/*.bin'
      action.inputs.retries = '3'
      await run()
      // nginx's 400 is no "File List API not available here": the listing ends at once, with
      // no AQL search that nginx would refuse the same way.
      expect(errors()[0]).toBe(
        "listing: the server requires a client certificate and none was sent (HTTP 400 No required SSL certificate was sent): set inputs 'client-certificate' and 'client-key' (1 attempt)",
      )
      expect(s.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 400'])
      expect(logged().some((l) => l.startsWith('retry '))).toBe(false)
    })
  })
})

describe.skipIf(!opensslServer())(
  "against OpenSSL's own server, which refuses with alerts (skipped without the openssl program: Windows)",
  () => {
    // nginx, Apache, Java and Go refuse a client certificate with a TLS alert; under TLS 1.3 it
    // comes after the client's handshake, as the answer to the first request. Node's server
    // closes without one, so `openssl s_server` stands in for them.
    async function withOpenssl(fn: (url: string) => Promise<void>): Promise<void> {
      const dir = tlsFixtures.dir
      const child = spawn(
        'openssl',
        [
          's_server',
          '-accept',
          '127.0.0.1:0',
          '-cert',
          path.join(dir, 'server.pem'),
          '-key',
          path.join(dir, 'server.key'),
          '-CAfile',
          path.join(dir, 'client-ca.pem'),
          '-Verify',
          '1',
          '-verify_return_error',
          '-www',
        ],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      )
      try {
        const port = await new Promise<string>((resolve, reject) => {
          let seen = ''
          const look = (chunk: Buffer): void => {
            seen += chunk.toString()
            const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(seen)
            if (m) resolve(m[1])
          }
          child.stdout.on('data', look)
          child.stderr.on('data', look)
          child.on('exit', () => reject(new Error(`openssl s_server exited: ${seen}`)))
        })
        await fn(`https://127.0.0.1:${port}/artifactory`)
      } finally {
        child.kill()
      }
    }

    it('a client certificate from a CA the server does not trust is refused, not retried', async () => {
      await withOpenssl(async (url) => {
        action.inputs = {
          ...action.inputs,
          url,
          paths: 'libs/a.bin',
          retries: '3',
          'client-certificate': tlsFixtures.strangerCert,
          'client-key': tlsFixtures.strangerKey,
        }
        await run()
        expect(errors()).toEqual([
          "the server refused the client certificate: signed by a CA the server does not trust (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA): check that 'client-certificate' is signed by a CA the server trusts, is valid, and matches 'client-key' (1 attempt)",
        ])
        expect(logged().some((l) => l.startsWith('retry '))).toBe(false)
      })
    })

    it('no client certificate: required, not retried; with one: accepted', async () => {
      await withOpenssl(async (url) => {
        action.inputs = { ...action.inputs, url, paths: 'libs/a.bin', retries: '3' }
        await run()
        expect(errors()).toEqual([
          "the server requires a client certificate and none was sent (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED): set inputs 'client-certificate' and 'client-key' (1 attempt)",
        ])
        vi.clearAllMocks()
        action.inputs['client-certificate'] = tlsFixtures.clientCert
        action.inputs['client-key'] = tlsFixtures.clientKey
        // s_server -www answers every GET with its HTML status page: asked for as an HTML file
        // by full URL (an HTML page for a non-HTML name fails, and no Artifactory record is asked).
        action.inputs.url = ''
        action.inputs.paths = `${url}/libs/a.html`
        await run()
        expect(core.setFailed).not.toHaveBeenCalled()
        expect(read('a.html').toString()).toContain('<HTML>')
      })
    })
  },
)

describe('TLS inputs are checked before any request', () => {
  const bad = async (extra: Record<string, string>, message: string | RegExp): Promise<void> => {
    action.inputs = { ...action.inputs, paths: 'libs/a.bin', ...extra }
    await run()
    const failed = String(core.setFailed.mock.calls[0]?.[0])
    if (typeof message === 'string') expect(failed).toBe(message)
    else expect(failed).toMatch(message)
    expect(server.requests).toHaveLength(0)
    expect(server.stats.connections).toBe(0)
    expect(everyChannel()).not.toContain(keyLines()[0])
  }

  it('a PEM that does not parse', async () => {
    await bad(
      {
        'ca-certificates':
          '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----',
      },
      "Input 'ca-certificates': certificate 1 is not a valid PEM certificate",
    )
  })

  it('a CA file that is missing', async () => {
    await bad(
      { 'ca-certificates': 'certs/company-ca.pem' },
      `Input 'ca-certificates': the file 'certs/company-ca.pem' (${path.join(action.workspace, 'certs', 'company-ca.pem')}) does not exist; give PEM text (starting with -----BEGIN) or a path relative to the workspace`,
    )
  })

  it('a key without a certificate, and a certificate without a key', async () => {
    await bad(
      { 'client-key': tlsFixtures.clientKey },
      "Input 'client-key' needs 'client-certificate' as well",
    )
    vi.clearAllMocks()
    await bad(
      { 'client-key': '', 'client-certificate': tlsFixtures.clientCert },
      "Input 'client-certificate' needs 'client-key' as well",
    )
  })

  it('a key that is not the certificate’s, a key that does not parse, a missing key file', async () => {
    const cert = tlsFixtures.clientCert
    await bad(
      { 'client-certificate': cert, 'client-key': tlsFixtures.strangerKey },
      "Input 'client-key' is not the key of 'client-certificate' (the first certificate in it)",
    )
    vi.clearAllMocks()
    await bad(
      {
        'client-certificate': cert,
        'client-key':
          '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ1dC1icm9rZW4=\n-----END PRIVATE KEY-----',
      },
      "Input 'client-key' is not a valid PEM private key",
    )
    vi.clearAllMocks()
    await bad(
      { 'client-certificate': cert, 'client-key': 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49' },
      "Input 'client-key': the file does not exist; give PEM text (starting with -----BEGIN) or a path relative to the workspace",
    )
    expect(everyChannel()).not.toContain('MIGHAgEAMBMGByqGSM49AgEGCCqGSM49')
  })

  it('a private key given as a CA', async () => {
    await bad(
      { 'ca-certificates': tlsFixtures.clientKey },
      "Input 'ca-certificates' holds a PRIVATE KEY block: give only certificates (-----BEGIN CERTIFICATE-----)",
    )
  })

  it('reads PEM files relative to the workspace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artdl-pem-'))
    try {
      fs.mkdirSync(path.join(dir, 'certs'))
      fs.writeFileSync(path.join(dir, 'certs', 'ca.pem'), tlsFixtures.ca + tlsFixtures.clientCa)
      fs.writeFileSync(path.join(dir, 'client.pem'), tlsFixtures.clientCert)
      fs.writeFileSync(path.join(dir, 'client.key'), tlsFixtures.clientKey)
      const given: Record<string, string> = {
        'ca-certificates': 'certs/ca.pem',
        'client-certificate': 'client.pem',
        'client-key': path.join(dir, 'client.key'),
      }
      const settings = readTlsSettings((n) => given[n] ?? '', dir)
      expect(settings.ca).toHaveLength(2)
      expect(settings.key).toBe(tlsFixtures.clientKey)
      const options = tlsConnectOptions(settings)
      // The default store stays: the extra CAs are added to it, not put in its place.
      expect(options.ca?.length).toBeGreaterThan(100)
      expect(options.ca?.slice(-2)).toEqual(settings.ca)
      expect(tlsConnectOptions(readTlsSettings(() => '', dir))).toEqual({})
      expect(() => readTlsSettings((n) => (n === 'ca-certificates' ? 'certs' : ''), dir)).toThrow(
        InputError,
      )
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('classification', () => {
  const withCode = (code: string): Error => Object.assign(new Error(`${code} from node`), { code })

  it.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', "set input 'ca-certificates'"],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'NODE_EXTRA_CA_CERTS'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', "set input 'ca-certificates'"],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', "set input 'ca-certificates'"],
    ['CERT_HAS_EXPIRED', 'has expired'],
    ['CERT_NOT_YET_VALID', "check the runner's clock"],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'use the host name the certificate names'],
    [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      "set inputs 'client-certificate' and 'client-key'",
    ],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', "set inputs 'client-certificate' and 'client-key'"],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', "set inputs 'client-certificate' and 'client-key'"],
    ['ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE', 'if it requires a client certificate'],
  ])('%s is a certificate failure, not retried: %s', (code, hint) => {
    const error = classify(withCode(code))
    expect(error.kind).toBe('tls')
    expect(isRetryable(error)).toBe(false)
    expect(error.message).toContain(hint)
    expect(error.message).toContain(`(${code})`)
    expect(error.message).not.toContain('from node')
  })

  it('says the client certificate was refused when one was given', () => {
    const context = { clientCertificate: true }
    expect(tlsFailure(withCode('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), context)?.message).toBe(
      "the server refused the client certificate: signed by a CA the server does not trust (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA): check that 'client-certificate' is signed by a CA the server trusts, is valid, and matches 'client-key'",
    )
    expect(
      tlsFailure(withCode('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED'), context)?.message,
    ).toContain('refused the client certificate: expired')
  })

  it('finds the code in a cause, and leaves other errors alone', () => {
    const wrapped = new Error('fetch failed', { cause: withCode('CERT_HAS_EXPIRED') })
    expect(tlsFailure(wrapped)?.kind).toBe('tls')
    expect(tlsFailure(withCode('ECONNRESET'))).toBeUndefined()
    expect(classify(withCode('ECONNRESET')).kind).toBe('network')
    expect(nginxCertificateFailure(400, '{"errors":[{"message":"bad request"}]}')).toBeUndefined()
    expect(nginxCertificateFailure(496, '')?.kind).toBe('tls')
  })
})

describe('the bundled action, run as the runner runs it', () => {
  // Built before the test, as useBundle does: under Windows node.exe with the suite running,
  // building it inside the test once took longer than the test's own timeout.
  beforeAll(() => freshBundle(), 300_000)

  it('trusts ca-certificates in addition to NODE_EXTRA_CA_CERTS, and masks the client key', async () => {
    const { runAction } = await import('../scripts/runner.ts')
    await withServer({ clientCertificate: 'require' }, async (s) => {
      const result = await runAction({
        workspace: action.workspace,
        inputs: {
          url: s.url,
          paths: 'libs/a.bin',
          // Another CA: were it put in place of the default store, the server's CA (from
          // NODE_EXTRA_CA_CERTS) would be lost and the handshake would fail.
          'ca-certificates': tlsFixtures.clientCa,
          'client-certificate': tlsFixtures.clientCert,
          'client-key': tlsFixtures.clientKey,
        },
        env: { NODE_EXTRA_CA_CERTS: path.join(tlsFixtures.dir, 'ca.pem') },
      })
      expect(result.code).toBe(0)
      expect(read('a.bin').toString()).toBe('over tls')
      const lines = keyLines()
      const stdout = result.stdout.split(/\r?\n/)
      const shown = stdout.filter((l) => !l.startsWith('::add-mask::')).join('\n')
      for (const line of lines) {
        expect(stdout).toContain(`::add-mask::${line}`)
        expect(shown).not.toContain(line)
      }
      expect(shown).toContain('TLS: client certificate')
    })
  })
})

/** Whether OpenSSL's own `s_server` (OpenSSL 3, which takes `-accept host:0`) is on PATH. */
function opensslServer(): boolean {
  try {
    return /^OpenSSL [3-9]/.test(execFileSync('openssl', ['version'], { encoding: 'utf8' }))
  } catch {
    return false
  }
}

/** The client key's base64 lines (a Windows checkout may give the fixture CRLF endings). */
function keyLines(): string[] {
  return tlsFixtures.clientKey.split(/\r?\n/).filter((l) => l && !l.startsWith('-----'))
}
