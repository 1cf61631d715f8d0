// The local Artifactory-compatible server as most test files use it: one server for the whole
// file (or suite), its request log and counters cleared before each test; or servers of a test's
// own, closed after it.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import {
  startArtifactory,
  type ArtifactoryOptions,
  type ArtifactoryServer,
} from '../server/index.ts'

/**
 * Registers hooks in the calling suite that start one local server before its tests (with
 * `options`, or what `options()` resolves to, so they may use servers started in earlier
 * hooks), clear its requests and counters before each test (files and faults stay, as
 * {@link ArtifactoryServer.reset} keeps them) and close it after the suite. Returns that server:
 * read it inside tests and hooks, not before, as with useAction.
 */
export function useServer(
  options: ArtifactoryOptions | (() => ArtifactoryOptions | Promise<ArtifactoryOptions>) = {},
): ArtifactoryServer {
  let current: ArtifactoryServer | undefined
  beforeAll(async () => {
    current = await startArtifactory(typeof options === 'function' ? await options() : options)
  })
  afterAll(async () => {
    await current?.close()
    current = undefined
  })
  beforeEach(() => {
    current?.reset()
  })
  return new Proxy({} as ArtifactoryServer, {
    get(_, key) {
      if (!current) throw new Error('the server runs only inside tests and hooks of its suite')
      return Reflect.get(current, key) as unknown
    },
  })
}

/**
 * Registers a hook in the calling suite that closes, after each test, every server the returned
 * function started during it: for tests that each need a server set up their own way.
 */
export function useServers(): (options: ArtifactoryOptions) => Promise<ArtifactoryServer> {
  const servers: ArtifactoryServer[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })
  return async (options) => {
    const s = await startArtifactory(options)
    servers.push(s)
    return s
  }
}
