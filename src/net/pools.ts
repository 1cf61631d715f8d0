// The connections: one undici dispatcher per route (direct, or through the runner's proxy for
// the URL), whose sockets keep TLS alerts as the reason they failed and say whether they had
// already carried an answer. Proxy selection is the runner's own (`@actions/http-client`'s
// getProxyUrl/checkBypass), so HTTPS_PROXY, HTTP_PROXY and NO_PROXY mean exactly what they mean
// to the runner.
import * as tls from 'node:tls'
import { Agent, Client, Pool, ProxyAgent, buildConnector, type Dispatcher } from './undici.ts'
import { getProxyUrl } from '@actions/http-client/lib/proxy'
import { causeChain } from '../common/errors.ts'
import { keepTlsAlerts, type Connector } from './tls-errors.ts'
import { tlsConnectOptions, type TlsConnectOptions, type TlsSettings } from './tls-options.ts'

/** Response headers beyond this are refused (Node's own default; Artifactory sends ~1 KiB). */
export const MAX_HEADER_BYTES = 16 * 1024

/** What every connection of a client shares. */
export interface PoolSettings {
  /** Connections per origin. */
  connections: number
  tls?: TlsSettings
}

/** The proxy `url` goes through (the runner's rules), or undefined for a direct connection. */
export function proxyFor(url: URL): URL | undefined {
  return getProxyUrl(url)
}

/** A dispatcher for the route to `url`, with `connections` per origin. */
export function createDispatcher(url: URL, settings: PoolSettings): Dispatcher {
  const proxy = proxyFor(url)
  const options = tlsConnectOptions(settings.tls)
  const pool = {
    // Explicit, so NODE_OPTIONS=--max-http-header-size cannot lift the bound a server meets.
    maxHeaderSize: MAX_HEADER_BYTES,
    connections: settings.connections,
    keepAliveTimeout: 30_000,
    pipelining: 1,
    factory: markingFactory,
  }
  if (!proxy) return new Agent({ ...pool, connect: sharingContext(options) })
  const token =
    proxy.username || proxy.password
      ? `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}`
      : undefined
  // The extra CAs also verify an HTTPS proxy; the client certificate is only for the server.
  return new ProxyAgent({
    uri: `${proxy.protocol}//${proxy.host}`,
    token,
    ...pool,
    requestTls: withContext(options),
    proxyTls: options.ca ? withContext({ ca: options.ca }) : undefined,
    clientFactory: proxyClientFactory,
  })
}

/**
 * A connector whose TLS connections all share one context, built at the first of them. Left to
 * itself, `tls.connect` builds a context per connection, and with extra CAs that parses Node's
 * whole default store each time (~265 certificates): with 16 connections, a fifth of a second of
 * the main thread at start and again at every reconnection (see README, Benchmark › Why the
 * engine is built this way). Plain-HTTP connections never build one.
 */
function sharingContext(options: TlsConnectOptions): buildConnector.connector {
  const plain = buildConnector({})
  let secure: buildConnector.connector | undefined
  return (opts, callback) => {
    if (opts.protocol !== 'https:') return plain(opts, callback)
    secure ??= buildConnector(withContext(options))
    secure(opts, callback)
  }
}

/**
 * The options with one context made from them. Options no context can be made from (which the
 * inputs' checks already refuse) are left as they are: each connection then fails with the
 * error it always did.
 */
function withContext(options: TlsConnectOptions): TlsConnectOptions & {
  secureContext?: tls.SecureContext
} {
  try {
    return { ...options, secureContext: tls.createSecureContext(options) }
  } catch {
    return options
  }
}

/** The key of the dispatcher {@link createDispatcher} makes for `url`: one per route. */
export function routeKey(url: URL): string {
  return proxyFor(url)?.href ?? 'direct'
}

/** Errors of sockets that had already delivered bytes of an answer before they failed. */
const usedSocketErrors = new WeakSet<object>()

/**
 * Whether `error` ended a request on a connection that had already carried an answer (a
 * keep-alive connection reused), before any byte of this request's answer: the server closed
 * it as the request went out. RFC 9112 §9.3.1 lets a client send an idempotent request again
 * on a new connection then, as curl and Go do; a failure on a new connection is the server's
 * answer and is not hidden this way.
 */
export function failedOnReusedConnection(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (usedSocketErrors.has(e)) return true
    // undici's own "other side closed": a clean close, no socket error; it carries the counts.
    const info = (e as { code?: unknown; socket?: { bytesRead?: unknown } }).socket
    if ((e as { code?: unknown }).code === 'UND_ERR_SOCKET' && Number(info?.bytesRead) > 0)
      return true
  }
  return false
}

/**
 * Marks the errors of sockets that had read bytes (bytesRead counts the plain text, after TLS):
 * the request that fails with it was sent on a reused connection. The listener comes before
 * undici's, so the mark is there when undici fails the request with the same error.
 */
function markingUse(connect: Connector): Connector {
  return (options, callback) =>
    connect(options, (error, socket) => {
      socket?.on('error', (e: Error) => {
        if (socket.bytesRead > 0 && e && typeof e === 'object') usedSocketErrors.add(e)
      })
      callback(error, socket)
    })
}

/**
 * Pools and clients whose connections keep a TLS alert as the reason they failed and mark
 * failures of reused sockets; the connector is the one the Agent (or the ProxyAgent's tunnel)
 * hands down.
 */
function markingFactory(origin: string | URL, options: object): Dispatcher {
  const given = (options as { connect?: Connector | Record<string, unknown> }).connect
  const connect = markingUse(
    keepTlsAlerts(
      typeof given === 'function' ? given : (buildConnector({ ...given }) as unknown as Connector),
    ),
  )
  const withConnect = { ...options, connect } as Pool.Options
  return withConnect.connections === 1
    ? new Client(origin, withConnect)
    : new Pool(origin, withConnect)
}

/** Errors of connections to a proxy itself (not of the tunnel through it to the server). */
const proxyConnectionErrors = new WeakSet<object>()

/** Whether `error`, or one of its causes, came from connecting to the proxy itself. */
export function fromProxyConnection(error: unknown): boolean {
  for (const e of causeChain(error)) if (proxyConnectionErrors.has(e)) return true
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
