// Certificate failures, told apart from network failures: a certificate that was refused is
// refused again on every attempt, so these are never retried, and each message says in one line
// what was wrong and what the user can set. Node's own messages are not reused: they suggest
// `--use-system-ca`, which a `uses:` step cannot pass to the runner's node.
import type { Socket } from 'node:net'
import { AttemptError, causeChain } from '../common/errors.ts'

/** What the client was configured with, so the message can say what to set or to check. */
export interface TlsContext {
  /** Host the request went to (shown as the certificate's expected name), or the proxy's. */
  host?: string
  /** The certificate was the https:// proxy's (HTTPS_PROXY), not the server's. */
  proxy?: boolean
  /** `ca-certificates` was given. */
  ca?: boolean
  /** `client-certificate` and `client-key` were given. */
  clientCertificate?: boolean
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
])

/** Other verdicts of the client's own verification of the server's certificate. */
const REJECTED = new Set([
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'HOSTNAME_MISMATCH',
])

/** TLS alerts a server sends about the client's certificate, and what each means. */
const CLIENT_ALERTS: Record<string, string> = {
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'required',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'bad certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'signed by a CA the server does not trust',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'expired',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'revoked',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'not accepted',
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 'of an unsupported type',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'denied access',
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: 'not matching its key',
  // TLS 1.2 servers answer a missing client certificate with a bare handshake failure.
  'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE': 'handshake failure',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'handshake failure',
}

const SET_CLIENT = "set inputs 'client-certificate' and 'client-key'"
const CHECK_CLIENT =
  "check that 'client-certificate' is signed by a CA the server trusts, is valid, and matches 'client-key'"

/**
 * The certificate failure `error` is (its code, or a cause's), as a non-retryable
 * {@link AttemptError} of kind `tls`; undefined when it is not one.
 */
export function tlsFailure(error: unknown, context: TlsContext = {}): AttemptError | undefined {
  const code = tlsCode(error)
  if (!code) return undefined
  const host = context.host ? ` for ${context.host}` : ''
  const party = context.proxy ? 'proxy' : 'server'
  const fail = (message: string): AttemptError => new AttemptError('tls', message, { cause: error })
  if (UNTRUSTED.has(code)) {
    return fail(
      context.ca
        ? `the ${party}'s certificate${host} is not trusted, even with 'ca-certificates' (${code}): check that 'ca-certificates' holds the CA that issued it (and any intermediate the ${party} does not send)`
        : `the ${party}'s certificate${host} is not trusted (${code}): set input 'ca-certificates' to the PEM of the CA that issued it, or NODE_EXTRA_CA_CERTS in the step's env`,
    )
  }
  if (code === 'CERT_HAS_EXPIRED')
    return fail(
      `the ${party}'s certificate${host} has expired (${code}): the ${party}'s administrators must renew it`,
    )
  if (code === 'CERT_NOT_YET_VALID')
    return fail(
      `the ${party}'s certificate${host} is not valid yet (${code}): check the runner's clock`,
    )
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return fail(
      `the ${party}'s certificate is not issued${host} (${code}): use the host name the certificate names in ${context.proxy ? 'HTTPS_PROXY' : 'the URL'}`,
    )
  if (REJECTED.has(code)) return fail(`the ${party}'s certificate${host} was rejected (${code})`)
  const alert = CLIENT_ALERTS[code]
  if (alert === undefined) return undefined
  // No client certificate is presented to a proxy: the inputs cannot help there.
  if (context.proxy) return fail(`the proxy${host} refused the TLS handshake: ${alert} (${code})`)
  if (alert === 'required' || (!context.clientCertificate && alert !== 'handshake failure'))
    return fail(
      `the server requires a client certificate and none was sent (${code}): ${SET_CLIENT}`,
    )
  if (alert === 'handshake failure')
    return fail(
      context.clientCertificate
        ? `the server refused the TLS handshake (${code}): ${CHECK_CLIENT}`
        : `the server refused the TLS handshake (${code}); if it requires a client certificate, ${SET_CLIENT}`,
    )
  return fail(`the server refused the client certificate: ${alert} (${code}): ${CHECK_CLIENT}`)
}

/**
 * nginx completes the handshake without a valid client certificate and then answers
 * `400 No required SSL certificate was sent` (or `400 The SSL certificate error`); some proxies
 * pass nginx's own 495/496 through. Each is the same failure as a refused handshake.
 */
export function nginxCertificateFailure(status: number, body: string): AttemptError | undefined {
  if (status === 496 || (status === 400 && body.includes('No required SSL certificate was sent')))
    return new AttemptError(
      'tls',
      `the server requires a client certificate and none was sent (HTTP ${status} No required SSL certificate was sent): ${SET_CLIENT}`,
      { status },
    )
  if (status === 495 || (status === 400 && body.includes('The SSL certificate error')))
    return new AttemptError(
      'tls',
      `the server refused the client certificate (HTTP ${status} The SSL certificate error): ${CHECK_CLIENT}`,
      { status },
    )
  return undefined
}

/** The TLS-related code of an error or of one of its causes. */
function tlsCode(error: unknown): string | undefined {
  for (const e of causeChain(error)) {
    const code = (e as { code?: unknown }).code
    if (
      typeof code === 'string' &&
      (UNTRUSTED.has(code) ||
        REJECTED.has(code) ||
        code in CLIENT_ALERTS ||
        code === 'CERT_HAS_EXPIRED' ||
        code === 'CERT_NOT_YET_VALID' ||
        code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    )
      return code
  }
  return undefined
}

/** A socket connector as undici's `connect` option takes it. */
export type Connector = (
  options: object,
  callback: (error: Error | null, socket: Socket | null) => void,
) => void

/**
 * Wraps a connector so that a TLS alert stays the reason a request fails. Under TLS 1.3 a server
 * refuses a client certificate after the client's handshake has finished, with an alert that
 * arrives as the answer to the first request; the socket then also ends, and undici would report
 * that end ("other side closed", retried as a network failure) instead of the alert. Destroying
 * the socket on the alert leaves the alert as the error undici reports.
 */
export function keepTlsAlerts(connect: Connector): Connector {
  return (options, callback) =>
    connect(options, (error, socket) => {
      socket?.on('error', (e: { code?: unknown }) => {
        if (typeof e.code === 'string' && /^ERR_SSL_.*ALERT/.test(e.code)) socket.destroy()
      })
      callback(error, socket)
    })
}
