// The parts of undici the action runs, loaded file by file. undici's own entry point requires
// all of undici at once: fetch, WebSocket, EventSource, the cache, cookies and the mocks, ~0.4 MB
// of the bundle that V8 must read and compile at every start-up for code no download calls
// (see README, Benchmark › Start-up). tsconfig.json maps the bare name `undici` here, so
// @actions/http-client's `import { ProxyAgent } from 'undici'` is bundled from this file too.
import type * as Undici from 'undici/types/index.js'
import Agent from 'undici/lib/dispatcher/agent.js'
import Client from 'undici/lib/dispatcher/client.js'
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js'
import Pool from 'undici/lib/dispatcher/pool.js'
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent.js'
import api from 'undici/lib/api/index.js'
import buildConnector from 'undici/lib/core/connect.js'
import { InvalidArgumentError } from 'undici/lib/core/errors.js'
import util from 'undici/lib/core/util.js'

// What undici's entry point does first: every dispatcher gets request, stream, pipeline, connect
// and upgrade. ProxyAgent tunnels through its proxy with `connect`.
Object.assign(Dispatcher.prototype, api)

export { Agent, Client, Pool, ProxyAgent, buildConnector }
export type { Dispatcher } from 'undici/types/index.js'

/**
 * undici's top-level `request`, as its entry point builds it (`makeDispatcher(api.request)`), for
 * the dispatcher given in the options. Without one it throws: this file never loads undici's
 * global dispatcher, which its entry point creates and puts on `globalThis`.
 */
export const request = ((
  url: string | URL | Partial<Undici.Dispatcher.RequestOptions>,
  opts?: {
    dispatcher?: Undici.Dispatcher
    agent?: unknown
  } & Partial<Undici.Dispatcher.RequestOptions>,
) => {
  if (!url || (typeof url !== 'string' && typeof url !== 'object'))
    throw new InvalidArgumentError('invalid url')
  if (opts != null && typeof opts !== 'object') throw new InvalidArgumentError('invalid opts')
  let target: URL
  if (opts && opts.path != null) {
    if (typeof opts.path !== 'string') throw new InvalidArgumentError('invalid opts.path')
    const path = opts.path.startsWith('/') ? opts.path : `/${opts.path}`
    target = new URL(util.parseOrigin(url).origin + path)
  } else target = util.parseURL(url)
  const options = (opts ?? (typeof url === 'object' ? url : {})) as NonNullable<typeof opts>
  const { agent, dispatcher } = options
  if (agent) throw new InvalidArgumentError('unsupported opts.agent. Did you mean opts.client?')
  if (!dispatcher) throw new InvalidArgumentError('opts.dispatcher is required')
  return api.request.call(dispatcher, {
    ...options,
    origin: target.origin,
    path: target.search ? `${target.pathname}${target.search}` : target.pathname,
    method: options.method || (options.body ? 'PUT' : 'GET'),
  })
}) as typeof Undici.request
