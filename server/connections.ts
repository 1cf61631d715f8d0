// Connection behaviours of real front ends, for the test server: a cap on open connections (a
// load balancer or a small Tomcat connector pool that closes what it cannot take), and
// keep-alive connections that die when they are reused (an idle timeout on the server that is
// shorter than the client's, losing the race with the next request).
import type * as http from 'node:http'
import type { Server, Socket } from 'node:net'

export interface ConnectionOptions {
  /** Connections open at once; one more is closed as it arrives, before it is read. */
  maxConnections?: number
  /** A connection that carries a second request is reset before any byte of its answer. */
  resetOnReuse?: boolean
}

/** What the connection behaviours did, for tests to check that they happened. */
export interface ConnectionStats {
  /** Connections closed on arrival because {@link ConnectionOptions.maxConnections} were open. */
  closedOnArrival: number
  /** Connections reset when a request arrived on them again. */
  resetOnReuse: number
}

/** Applies {@link ConnectionOptions} to `server`; `served` is then asked about every request. */
export function connectionBehaviour(
  server: Server,
  options: ConnectionOptions,
): { stats: ConnectionStats; served: (req: http.IncomingMessage) => boolean } {
  const stats: ConnectionStats = { closedOnArrival: 0, resetOnReuse: 0 }
  const open = new Set<Socket>()
  const { maxConnections } = options
  if (maxConnections !== undefined) {
    server.on('connection', (socket: Socket) => {
      if (open.size >= maxConnections) {
        stats.closedOnArrival++
        socket.destroy()
        return
      }
      open.add(socket)
      socket.on('close', () => open.delete(socket))
    })
  }
  const requests = new WeakMap<Socket, number>()
  return {
    stats,
    /**
     * Whether the request may be answered: false when its connection was reset instead (the
     * handler must then leave it alone).
     */
    served(req) {
      if (!options.resetOnReuse) return true
      const n = (requests.get(req.socket) ?? 0) + 1
      requests.set(req.socket, n)
      if (n === 1) return true
      stats.resetOnReuse++
      try {
        req.socket.resetAndDestroy()
      } catch {
        // A TLS socket has no TCP handle of its own to reset: closed, then.
        req.socket.destroy()
      }
      return false
    },
  }
}
