// HTTP goes through undici's `request` rather than `fetch` or `@actions/http-client`:
// it streams the body as a Node Readable without web-stream adapters (a fetch loop was slower
// and held more memory; see README, Benchmark › Why the engine is built this way), pools
// keep-alive connections sized to our concurrency, has idle timeouts for headers and body, and
// its ProxyAgent does CONNECT and absolute-form proxying. Proxy selection is the runner's own
// (`@actions/http-client`'s getProxyUrl/checkBypass), so HTTPS_PROXY, HTTP_PROXY and NO_PROXY
// mean exactly what they mean to the runner.
import type { Readable } from 'node:stream'
import { request, type Dispatcher } from './undici.ts'
import { AttemptError, errorCode } from '../common/errors.ts'
import type { Redact } from '../common/redact.ts'
import { redactUrl } from '../common/url-credentials.ts'
import { serverText } from '../common/server-text.ts'
import { mayAuthenticate, type Credentials } from './credential-scope.ts'
import {
  createDispatcher,
  failedOnReusedConnection,
  fromProxyConnection,
  MAX_HEADER_BYTES,
  proxyFor,
  routeKey,
} from './pools.ts'
import { CARRIED_HEADERS, isRedirect, nextHop } from './redirects.ts'
import { tlsFailure, type TlsContext } from './tls-errors.ts'
import type { TlsSettings } from './tls-options.ts'

// Where the pieces of a request live, re-exported for the callers that have always found them here.
export { readText } from './body.ts'
export { credentialsHint, mayAuthenticate, type Credentials } from './credential-scope.ts'
export { redirectRefusal } from './redirects.ts'
export { statusError } from './status-error.ts'

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
  /**
   * The run's redactor, applied to a server's message before it is cut to one line, so that an
   * echoed secret takes up no room in it. Without it nothing is lost: the report redacts
   * whatever it shows, a cut-off secret included.
   */
  redact?: Redact
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: Readable
  /** URL of the response after redirects. */
  url: string
  /** Whether credentials went with the request that got this response, and which. */
  credentials?: Credentials
  /** Removes the run's secrets from text this response carries ({@link HttpOptions.redact}). */
  redact: Redact
}

export interface RequestOptions {
  method?: 'GET' | 'HEAD' | 'POST'
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
}

/** An HTTP client with pooled keep-alive connections, safe redirects and proxy support. */
export class HttpClient {
  private readonly options: HttpOptions
  private readonly dispatchers = new Map<string, Dispatcher>()
  /** One-request dispatchers of requests sent again on a new connection, until they close. */
  private readonly fresh = new Set<Dispatcher>()

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
      const res = await this.send(current, { method, headers, body, signal: opts.signal })
      const resHeaders = flatten(res.headers)
      this.options.debug?.(
        `${method} ${redactUrl(current.href)} → ${res.statusCode} in ${Date.now() - started} ms` +
          debugHeaders(resHeaders),
      )
      const location = resHeaders['location']
      if (!isRedirect(res.statusCode, location)) {
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
          redact: this.options.redact ?? unchanged,
        }
      }
      await res.body.dump().catch(() => undefined)
      for (const name of CARRIED_HEADERS) if (resHeaders[name]) carried[name] ??= resHeaders[name]
      const next = nextHop(current, location, res.statusCode, hop, { method, body, first })
      ;({ url: current, method, body } = next)
    }
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    // Closing destroys sockets with errors nobody reads, and formatting their stacks makes
    // source-map-support parse the bundle's whole source map at the end of every run (see
    // README, Benchmark › Why the engine is built this way).
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    try {
      const all = [...this.dispatchers.values(), ...this.fresh]
      await Promise.all(all.map((d) => d.close().catch(() => undefined)))
    } finally {
      Error.stackTraceLimit = limit
    }
    this.dispatchers.clear()
    this.fresh.clear()
  }

  /**
   * One request on the pool for its route. A GET or HEAD whose reused keep-alive connection
   * fails before any byte of the answer goes once more, at once, on a new connection of its
   * own: the server closed an idle connection as the request went out, which says nothing
   * about the request, so it is not an attempt.
   */
  private async send(url: URL, req: SendOptions): Promise<Dispatcher.ResponseData> {
    try {
      return await this.dispatch(url, req, this.dispatcherFor(url))
    } catch (error) {
      const idempotent = req.method !== 'POST' && req.body === undefined
      if (!idempotent || req.signal?.aborted || !failedOnReusedConnection(error))
        throw this.explained(error, url)
      this.options.debug?.(
        `${req.method} ${redactUrl(url.href)}: the reused connection failed before any answer (${errorCode(error) ?? 'closed'}); sending again on a new connection`,
      )
    }
    const fresh = createDispatcher(url, { connections: 1, tls: this.options.tls })
    this.fresh.add(fresh)
    const closeFresh = (): void => {
      this.fresh.delete(fresh)
      fresh.close().catch(() => undefined)
    }
    try {
      const res = await this.dispatch(url, req, fresh)
      // Closes once the answer's body has ended or been dropped: one request, one connection.
      closeFresh()
      return res
    } catch (error) {
      closeFresh()
      throw this.explained(error, url)
    }
  }

  private async dispatch(
    url: URL,
    req: SendOptions,
    dispatcher: Dispatcher,
  ): Promise<Dispatcher.ResponseData> {
    const res = await request(url, {
      ...req,
      dispatcher,
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
      highWaterMark: 256 * 1024,
    })
    // A permanent listener: an error the body emits while nobody reads it (between the
    // answer and the pump, after a consumer stopped, while it is dropped) must not become an
    // uncaught exception. Consumers still see errors through their own listeners.
    res.body.on('error', () => undefined)
    return res
  }

  /** A failed request's error, with a refused certificate said as such (the proxy's, if it was). */
  private explained(error: unknown, url: URL): unknown {
    refuseHeaderOverflow(error)
    // An https:// proxy's own certificate fails before the server's is seen: name the proxy.
    const proxy = fromProxyConnection(error) ? proxyFor(url) : undefined
    const context: TlsContext = {
      host: proxy ? proxy.host : url.host,
      proxy: !!proxy,
      ca: !!this.options.tls?.ca,
      clientCertificate: !!this.options.tls?.cert,
    }
    return tlsFailure(error, context) ?? error
  }

  private dispatcherFor(url: URL): Dispatcher {
    const key = routeKey(url)
    let dispatcher = this.dispatchers.get(key)
    if (!dispatcher) {
      dispatcher = createDispatcher(url, {
        connections: this.options.connections,
        tls: this.options.tls,
      })
      this.dispatchers.set(key, dispatcher)
    }
    return dispatcher
  }
}

/** What one request on the wire carries. */
interface SendOptions {
  method: 'GET' | 'HEAD' | 'POST'
  headers: Record<string, string>
  body?: string
  signal?: AbortSignal
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

/**
 * undici's headers made flat in place: its names are lowercase already, and a copy of every
 * response's headers was a measurable share of what a small file allocates.
 */
function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const name in headers) {
    const value = headers[name]
    if (typeof value === 'string') continue
    if (value === undefined) delete headers[name]
    else headers[name] = value.join(', ')
  }
  return headers as Record<string, string>
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

/** Text as it is: the redaction of a client built without the run's redactor. */
const unchanged: Redact = (text) => text
