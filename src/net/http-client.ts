// HTTP goes through undici's `request` rather than `fetch` or `@actions/http-client`:
// it streams the body as a Node Readable without web-stream adapters (the naive fetch loop
// peaked near 200 MiB/s with ~160 MiB RSS on 256 MiB files), pools keep-alive connections
// sized to our concurrency, has idle timeouts for headers and body, and its ProxyAgent does
// CONNECT and absolute-form proxying. Proxy selection is the runner's own
// (`@actions/http-client`'s getProxyUrl/checkBypass), so HTTPS_PROXY, HTTP_PROXY and NO_PROXY
// mean exactly what they mean to the runner.
import type { Readable } from 'node:stream'
import { Agent, Client, Pool, ProxyAgent, buildConnector, request, type Dispatcher } from 'undici'
import { getProxyUrl } from '@actions/http-client/lib/proxy'
import { AttemptError } from '../common/errors.ts'
import { parseRetryAfter, statusHint } from './retry.ts'
import { redactUrl } from '../common/redact.ts'
import { artifactoryErrorMessage } from '../artifactory/error-body.ts'
import { keepTlsAlerts, nginxCertificateFailure, tlsFailure, type Connector } from './tls-errors.ts'
import { tlsConnectOptions, type TlsSettings } from './tls-options.ts'
import { serverText } from '../common/server-text.ts'

export interface HttpOptions {
  /** Connections per origin: sized to the concurrency so no request waits for a socket. */
  connections: number
  /** Idle timeout for headers and between body bytes. */
  timeoutMs: number
  /**
   * Origins credentials belong to: they are never sent anywhere else. Undefined when the
   * requests carry no credentials by design (the OIDC exchange): 401/403 then say nothing about them.
   */
  authOrigins?: ReadonlySet<string>
  /** Headers that carry credentials (Authorization), sent only to {@link authOrigins}. */
  authHeaders?: Record<string, string>
  /** What the credentials are, for a 401/403 message ("the access token"). */
  authLabel?: string
  /** Extra CAs and the client certificate, for every connection. */
  tls?: TlsSettings
  userAgent?: string
  /** Request-level detail for debug logs; URLs arrive redacted. */
  debug?: (line: string) => void
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: Readable
  /** URL of the response after redirects. */
  url: string
  /** Whether credentials went with the request that got this response, and which. */
  credentials?: Credentials
}

/** What a 401 or 403 message says about credentials. */
export interface Credentials {
  /** They were sent with this request. */
  sent: boolean
  /** What the configured credentials are ("the access token"); undefined when there are none. */
  label?: string
  /** The origins they go to, when they were not sent here. */
  origins?: readonly string[]
}

export interface RequestOptions {
  method?: 'GET' | 'HEAD' | 'POST'
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
}

const MAX_REDIRECTS = 10
/** Response headers beyond this are refused (Node's own default; Artifactory sends ~1 KiB). */
const MAX_HEADER_BYTES = 16 * 1024
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const CARRIED = ['x-checksum-sha256', 'x-checksum-sha1', 'x-checksum-md5']

/** Why a redirect must not be followed (a downgrade from https), or undefined when it may. */
export function redirectRefusal(from: URL, to: URL): string | undefined {
  if (to.protocol !== 'https:' && to.protocol !== 'http:') {
    return `refused a redirect to a ${serverText(to.protocol.replace(':', ''))} URL`
  }
  if (from.protocol === 'https:' && to.protocol !== 'https:') {
    return `refused a redirect from https to http (${serverText(redactUrl(to.href))})`
  }
  return undefined
}

/** Whether credentials may go to `url`: only to the origins they were given for. */
export function mayAuthenticate(url: URL, authOrigins: ReadonlySet<string> | undefined): boolean {
  return authOrigins !== undefined && authOrigins.has(url.origin)
}

/** An HTTP client with pooled keep-alive connections, safe redirects and proxy support. */
export class HttpClient {
  private readonly options: HttpOptions
  private readonly dispatchers = new Map<string, Dispatcher>()

  constructor(options: HttpOptions) {
    this.options = options
  }

  /**
   * Sends one request, following up to 10 redirects. Credentials go only to the auth origin,
   * and a redirect from https to http is refused.
   */
  async request(url: string, opts: RequestOptions = {}): Promise<HttpResponse> {
    let current = new URL(url)
    let method = opts.method ?? 'GET'
    let body = opts.body
    const carried: Record<string, string> = {}
    // Credentials go to the origin the request was made for, never to a redirect elsewhere,
    // even one that is itself among the auth origins.
    const authenticate =
      mayAuthenticate(current, this.options.authOrigins) &&
      Object.keys(this.options.authHeaders ?? {}).length > 0
    const first = current.origin
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {
        'user-agent': this.options.userAgent ?? 'artifactory-download-action',
        ...opts.headers,
      }
      const sent = authenticate && current.origin === first
      if (sent) Object.assign(headers, this.options.authHeaders)
      const started = Date.now()
      const res = await request(current, {
        method,
        headers,
        body,
        signal: opts.signal,
        dispatcher: this.dispatcherFor(current),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        highWaterMark: 256 * 1024,
      }).catch((error: unknown) => {
        refuseHeaderOverflow(error)
        // An https:// proxy's own certificate fails before the server's is seen: name the proxy.
        const proxy = fromProxyConnection(error) ? getProxyUrl(current) : undefined
        throw (
          tlsFailure(error, {
            host: proxy ? proxy.host : current.host,
            proxy: !!proxy,
            ca: !!this.options.tls?.ca,
            clientCertificate: !!this.options.tls?.cert,
          }) ?? error
        )
      })
      // A permanent listener: an error the body emits while nobody reads it (between the
      // answer and the pump, after a consumer stopped, while it is dropped) must not become an
      // uncaught exception. Consumers still see errors through their own listeners.
      res.body.on('error', () => undefined)
      const resHeaders = flatten(res.headers)
      this.options.debug?.(
        `${method} ${redactUrl(current.href)} → ${res.statusCode} in ${Date.now() - started} ms` +
          debugHeaders(resHeaders),
      )
      const location = resHeaders['location']
      if (!REDIRECTS.has(res.statusCode) || !location) {
        // Artifactory states the checksums on its redirect; the storage it redirects to
        // usually does not: the first response's checksums apply to the final body.
        for (const [name, value] of Object.entries(carried)) resHeaders[name] ??= value
        const origins = this.options.authOrigins
        const credentials: Credentials | undefined = origins && {
          sent,
          label: this.options.authLabel,
          origins: !sent && origins.size ? [...origins] : undefined,
        }
        return {
          status: res.statusCode,
          headers: resHeaders,
          body: res.body,
          url: current.href,
          credentials,
        }
      }
      await res.body.dump().catch(() => undefined)
      if (hop + 1 >= MAX_REDIRECTS) {
        throw new AttemptError('unsafe', `more than ${MAX_REDIRECTS} redirects`)
      }
      for (const name of CARRIED) if (resHeaders[name]) carried[name] ??= resHeaders[name]
      const next = new URL(location, current)
      const refusal = redirectRefusal(current, next)
      if (refusal) throw new AttemptError('unsafe', refusal)
      if (res.statusCode === 303) {
        method = method === 'HEAD' ? 'HEAD' : 'GET'
        body = undefined
      }
      // A body can be a credential (the OIDC exchange's ID token): like the Authorization
      // header, it never goes to an origin the request was not made for.
      if (body !== undefined && next.origin !== first) {
        throw new AttemptError(
          'unsafe',
          `refused a redirect of a ${method} with a body to another origin (${serverText(redactUrl(next.origin))})`,
        )
      }
      current = next
    }
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    // Closing destroys sockets with errors nobody reads, and formatting their stacks makes
    // source-map-support parse the 3 MB bundle map: ~30 ms at the end of every run, saved.
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      await Promise.all([...this.dispatchers.values()].map((d) => d.close().catch(() => undefined)))
    } finally {
      Error.stackTraceLimit = limit
    }
    this.dispatchers.clear()
  }

  private dispatcherFor(url: URL): Dispatcher {
    const proxy = getProxyUrl(url)
    const key = proxy ? proxy.href : 'direct'
    let dispatcher = this.dispatchers.get(key)
    if (!dispatcher) {
      const tls = tlsConnectOptions(this.options.tls)
      const pool = {
        // Explicit, so NODE_OPTIONS=--max-http-header-size cannot lift the bound a server meets.
        maxHeaderSize: MAX_HEADER_BYTES,
        connections: this.options.connections,
        keepAliveTimeout: 30_000,
        pipelining: 1,
        factory: alertKeepingFactory,
      }
      if (proxy) {
        const token =
          proxy.username || proxy.password
            ? `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}`
            : undefined
        const uri = `${proxy.protocol}//${proxy.host}`
        // The extra CAs also verify an HTTPS proxy; the client certificate is only for the server.
        dispatcher = new ProxyAgent({
          uri,
          token,
          ...pool,
          requestTls: tls,
          proxyTls: tls.ca ? { ca: tls.ca } : undefined,
          clientFactory: proxyClientFactory,
        })
      } else {
        dispatcher = new Agent({ ...pool, connect: tls })
      }
      this.dispatchers.set(key, dispatcher)
    }
    return dispatcher
  }
}

/** Headers past {@link MAX_HEADER_BYTES} are the server's doing: said plainly, not retried. */
function refuseHeaderOverflow(error: unknown): void {
  if ((error as { code?: unknown })?.code === 'UND_ERR_HEADERS_OVERFLOW') {
    throw new AttemptError(
      'unsafe',
      `the server sent more than ${MAX_HEADER_BYTES / 1024} KiB of response headers; refused`,
      { cause: error },
    )
  }
}

/** Turns an error status into an {@link AttemptError}, reading Artifactory's error body for its message. */
export async function statusError(res: HttpResponse, what: string): Promise<AttemptError> {
  const text = await readText(res.body, 16 * 1024).catch(() => '')
  const tls = nginxCertificateFailure(res.status, text)
  if (tls) return new AttemptError('tls', `${what}${tls.message}`, { status: res.status })
  const serverMessage = artifactoryErrorMessage(text, res.headers['content-type'])
  const hint =
    (res.status === 401 || res.status === 403) && res.credentials
      ? credentialsHint(res.status, new URL(res.url).origin, res.credentials)
      : statusHint(res.status)
  const parts = [
    `HTTP ${res.status}${STATUS_TEXT[res.status] ? ` ${STATUS_TEXT[res.status]}` : ''}`,
  ]
  if (serverMessage) parts.push(`: ${serverText(serverMessage)}`)
  if (hint) parts.push(` (${hint})`)
  return new AttemptError('http', `${what}${parts.join('')}`, {
    status: res.status,
    retryAfterMs: parseRetryAfter(res.headers['retry-after']),
  })
}

/**
 * What a 401 or 403 says about credentials: whether any were sent to this origin, and which,
 * so "check the credentials" is never said where none went.
 */
export function credentialsHint(status: number, origin: string, credentials: Credentials): string {
  if (credentials.sent) {
    const label = credentials.label ?? 'the credentials'
    const verb = /\band\b|credentials$/.test(label) ? 'were' : 'was'
    return status === 401
      ? `${label} ${verb} sent and refused: check the credentials (valid, not expired, for this server)`
      : `${label} ${verb} sent: check that the user or token may read this repository`
  }
  if (credentials.label && credentials.origins?.length)
    return `no credentials were sent to ${origin}: they go only to ${credentials.origins.join(', ')}, the server${credentials.origins.length > 1 ? 's' : ''} the workflow named`
  return `no credentials were sent to ${origin}: set access-token, username and password, or oidc-provider-name`
}

/**
 * How long an error body may take in all: the idle timeout alone lets a server that drips a byte
 * now and then hold an attempt for days. The message is a courtesy; the status is what counts.
 */
const ERROR_BODY_MAX_MS = 10_000

/**
 * Reads at most `limit` bytes of a body as text, within `maxMs` in all, then drops the
 * connection: an error body may never end. Returns what arrived by then.
 */
export async function readText(
  body: Readable,
  limit = 1024 * 1024,
  maxMs = ERROR_BODY_MAX_MS,
): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  let late = false
  const drop = (): void => {
    // undici's body emits an error when destroyed: it must find a listener.
    body.on('error', () => undefined)
    body.destroy()
  }
  const timer = setTimeout(() => {
    late = true
    drop()
  }, maxMs)
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
      if (size >= limit) {
        drop()
        break
      }
    }
  } catch (error) {
    if (!late) throw error
  } finally {
    clearTimeout(timer)
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8')
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  416: 'Range Not Satisfiable',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/**
 * Pools and clients whose connections keep a TLS alert as the reason they failed; the connector
 * is the one the Agent (or the ProxyAgent's tunnel) hands down.
 */
function alertKeepingFactory(origin: string | URL, options: object): Dispatcher {
  const given = (options as { connect?: Connector | Record<string, unknown> }).connect
  const connect = keepTlsAlerts(
    typeof given === 'function' ? given : (buildConnector({ ...given }) as unknown as Connector),
  )
  const withConnect = { ...options, connect } as Pool.Options
  return withConnect.connections === 1
    ? new Client(origin, withConnect)
    : new Pool(origin, withConnect)
}

/** Errors of connections to a proxy itself (not of the tunnel through it to the server). */
const proxyConnectionErrors = new WeakSet<object>()

/** Whether `error`, or one of its causes, came from connecting to the proxy itself. */
function fromProxyConnection(error: unknown): boolean {
  let e: unknown = error
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    if (proxyConnectionErrors.has(e)) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/**
 * ProxyAgent's client for the proxy (undici's default, a Pool) whose connection errors are
 * marked: a certificate the proxy presents is then reported as the proxy's, not the server's.
 */
function proxyClientFactory(origin: URL, options: object): Dispatcher {
  const connect = (options as { connect: Connector }).connect
  const marking: Connector = (opts, callback) =>
    connect(opts, (error, socket) => {
      if (error) proxyConnectionErrors.add(error)
      callback(error, socket)
    })
  return new Pool(origin, { ...options, connect: marking } as Pool.Options)
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  }
  return out
}

const DEBUG_HEADERS = [
  'content-length',
  'content-range',
  'accept-ranges',
  'etag',
  'x-checksum-sha256',
  'retry-after',
  'location',
]

function debugHeaders(headers: Record<string, string>): string {
  const shown = DEBUG_HEADERS.filter((h) => headers[h]).map(
    (h) => `${h}=${serverText(h === 'location' ? redactUrl(headers[h]) : headers[h], 200)}`,
  )
  return shown.length ? ` (${shown.join(', ')})` : ''
}
