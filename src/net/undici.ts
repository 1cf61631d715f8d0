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
import util from 'undici/lib/core/util.js'

// What undici's entry point does first: every dispatcher gets request, stream, pipeline, connect
// and upgrade. ProxyAgent tunnels through its proxy with `connect`.
Object.assign(Dispatcher.prototype, api)

export { Agent, Client, Pool, ProxyAgent, buildConnector }
export type { Dispatcher } from 'undici/types/index.js'

/** What {@link request} takes: undici's request options, and the dispatcher to send them through. */
export type RequestOptions = Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> &
  Partial<Pick<Undici.Dispatcher.RequestOptions, 'method'>> & { dispatcher: Undici.Dispatcher }

/**
 * undici's top-level `request` (its entry point's `makeDispatcher(api.request)`) for what the
 * action asks of it: a URL, sent through the dispatcher given. This file never loads undici's
 * global dispatcher, which the entry point creates and puts on `globalThis`.
 */
export function request(
  url: string | URL,
  { dispatcher, ...options }: RequestOptions,
): Promise<Undici.Dispatcher.ResponseData> {
  const target = util.parseURL(url)
  return api.request.call(dispatcher, {
    ...options,
    origin: target.origin,
    path: target.search ? `${target.pathname}${target.search}` : target.pathname,
    method: options.method || (options.body ? 'PUT' : 'GET'),
  })
}
