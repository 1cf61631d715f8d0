import type { Readable } from 'node:stream'

// The HTTP client keeps an 'error' listener on every body it returns; these add their own
// anyway, so a body handed over by any other client can never throw from an event either.

/** Reads a short body to its end and drops it, keeping the connection. */
export function drain(body: Readable): void {
  body.on('error', () => undefined)
  body.resume()
}

/** Drops a body nobody will read (and its connection). */
export function discard(body: Readable): void {
  body.on('error', () => undefined)
  body.destroy()
}
