// Misbehaviours of real proxies, CDNs and misconfigured front-ends, for the test server: each
// rewrites the answer the server was about to give (status, headers, body) before it is sent.

/** A response that does not answer its request, or carries unusable checksum headers. */
export type Misbehaviour =
  /** A ranged request answered 200 with the whole body (the server ignores Range). */
  | { kind: 'ignore-range' }
  /** A ranged request answered 206 with a range of the asked length from byte 0. */
  | { kind: 'range-from-zero' }
  /** A request without Range answered 206 with the first `bytes` bytes (`bytes 0-…/size`). */
  | { kind: 'unasked-206'; bytes: number }
  /**
   * `X-Checksum-Sha256` mangled: cut to half its length, non-hex, or sent twice (the same value,
   * or the right one and another); SHA-1 and MD5 are left out, so SHA-256 is all there is.
   * With `corrupt`, one body byte is flipped too.
   */
  | {
      kind: 'checksum-header'
      mangle: 'truncate' | 'non-hex' | 'duplicate' | 'conflict'
      corrupt?: boolean
    }
  /** No Content-Length; the body ends cleanly after `afterBytes` (a proxy that cut it). */
  | { kind: 'cut'; afterBytes: number }

/** The answer as the server built it, for a misbehaviour to rewrite. */
export interface Answer {
  status: number
  headers: Record<string, string | number | string[]>
  payload: Buffer
}

/** Whether `kind` is one of the misbehaviours of this file. */
export function isMisbehaviour(fault: { kind: string }): fault is Misbehaviour {
  return ['ignore-range', 'range-from-zero', 'unasked-206', 'checksum-header', 'cut'].includes(
    fault.kind,
  )
}

/** Rewrites `answer` (built for a request with `range`, or none) the way `fault` misbehaves. */
export function misbehave(
  fault: Misbehaviour,
  body: Buffer,
  range: string | undefined,
  answer: Answer,
): Answer {
  const headers = { ...answer.headers }
  switch (fault.kind) {
    case 'ignore-range':
      if (!range) return answer
      delete headers['content-range']
      return { status: 200, headers, payload: body }
    case 'range-from-zero': {
      if (!range || answer.status !== 206) return answer
      const n = answer.payload.length
      headers['content-range'] = `bytes 0-${n - 1}/${body.length}`
      return { status: 206, headers, payload: body.subarray(0, n) }
    }
    case 'unasked-206': {
      if (range) return answer
      const n = Math.min(fault.bytes, body.length)
      headers['content-range'] = `bytes 0-${n - 1}/${body.length}`
      return { status: 206, headers, payload: body.subarray(0, n) }
    }
    case 'checksum-header': {
      const real = String(headers['x-checksum-sha256'])
      delete headers['x-checksum-sha1']
      delete headers['x-checksum-md5']
      const other = real.replace(/^./, (c) => (c === '0' ? '1' : '0'))
      headers['x-checksum-sha256'] =
        fault.mangle === 'truncate'
          ? real.slice(0, 32)
          : fault.mangle === 'non-hex'
            ? `${real.slice(0, 63)}g`
            : fault.mangle === 'duplicate'
              ? [real, real]
              : [real, other]
      let payload = answer.payload
      if (fault.corrupt) {
        payload = Buffer.from(payload)
        payload[Math.floor(payload.length / 2)] ^= 0xff
      }
      return { ...answer, headers, payload }
    }
    case 'cut':
      delete headers['content-length']
      return { ...answer, headers, payload: answer.payload.subarray(0, fault.afterBytes) }
  }
}
