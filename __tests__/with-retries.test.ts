import { describe, expect, it } from 'vitest'
import { AttemptError } from '../src/common/errors.ts'
import { retryPolicy, sleep, withRetries, type RetryEvent } from '../src/net/retry.ts'

const http = (status: number) => new AttemptError('http', `HTTP ${status}`, { status })
const live = () => new AbortController().signal

/** A sleep that records what it was asked for and does not wait. */
function recordingSleep() {
  const waits: number[] = []
  return { waits, sleep: async (ms: number) => void waits.push(ms) }
}

describe('withRetries', () => {
  it('lets an override retry at once past the policy, or stop a retryable failure', async () => {
    const { waits, sleep } = recordingSleep()
    const events: RetryEvent[] = []
    const odd = new AttemptError('network', 'answered another range')
    const result = await withRetries(
      async (attempt) => {
        if (attempt === 1) throw odd
        return attempt
      },
      {
        // No retries at all: only the override lets the second attempt happen.
        policy: retryPolicy(0, 1000, () => 0),
        signal: live(),
        sleep,
        override: (e) => (e === odd ? 'now' : undefined),
        onRetry: (e) => events.push(e),
      },
    )
    expect(result).toBe(2)
    expect(waits).toEqual([0])
    expect(events.map((e) => [e.retry, e.delayMs, e.immediate])).toEqual([[1, 0, true]])

    let calls = 0
    const stopped = withRetries(
      async () => {
        calls++
        throw http(503)
      },
      { policy: retryPolicy(5, 0), signal: live(), sleep, override: () => 'fail' },
    )
    await expect(stopped).rejects.toMatchObject({ status: 503 })
    expect(calls).toBe(1)
  })

  it('retries retryable failures with the policy delays and reports each retry', async () => {
    const { waits, sleep } = recordingSleep()
    const events: RetryEvent[] = []
    const attempts: number[] = []
    const result = await withRetries(
      async (attempt) => {
        attempts.push(attempt)
        if (attempt < 3) throw http(503)
        return 'ok'
      },
      {
        policy: retryPolicy(5, 1000, () => 0),
        signal: live(),
        sleep,
        onRetry: (e) => events.push(e),
      },
    )
    expect(result).toBe('ok')
    expect(attempts).toEqual([1, 2, 3])
    expect(waits).toEqual([500, 1000])
    expect(events.map((e) => [e.retry, e.retries, e.delayMs, e.error.message])).toEqual([
      [1, 5, 500, 'HTTP 503'],
      [2, 5, 1000, 'HTTP 503'],
    ])
  })

  it('stops after the policy retries and names the operation and the attempts', async () => {
    const { sleep } = recordingSleep()
    let calls = 0
    const run = withRetries(
      async () => {
        calls++
        throw http(502)
      },
      { what: 'listing', policy: retryPolicy(2, 0), signal: live(), sleep },
    )
    await expect(run).rejects.toMatchObject({
      kind: 'http',
      status: 502,
      message: 'listing: HTTP 502',
      attempts: 3,
    })
    expect(calls).toBe(3)
  })

  it('does not retry a final failure, and throws it as it is without a name', async () => {
    const { waits, sleep } = recordingSleep()
    const seen: [string, number][] = []
    const error = http(404)
    const run = withRetries(
      async () => {
        throw error
      },
      {
        policy: retryPolicy(3, 0),
        signal: live(),
        sleep,
        onError: (e, attempt) => seen.push([e.message, attempt]),
      },
    )
    await expect(run).rejects.toBe(error)
    expect(waits).toEqual([])
    expect(seen).toEqual([['HTTP 404', 1]])
  })

  it('classifies thrown errors (a reset connection is retried)', async () => {
    const { waits, sleep } = recordingSleep()
    const result = await withRetries(
      async (attempt) => {
        if (attempt === 1) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
        return attempt
      },
      { policy: retryPolicy(1, 0), signal: live(), sleep },
    )
    expect(result).toBe(2)
    expect(waits).toEqual([0])
  })

  it('does not retry once the signal has aborted', async () => {
    const controller = new AbortController()
    let calls = 0
    const run = withRetries(
      async () => {
        calls++
        controller.abort(new AttemptError('cancelled', 'cancelled by SIGTERM'))
        throw http(503)
      },
      { what: 'AQL search', policy: retryPolicy(3, 0), signal: controller.signal },
    )
    await expect(run).rejects.toThrow('AQL search: HTTP 503')
    expect(calls).toBe(1)
  })

  it('ends a wait when the signal aborts, with the abort reason', async () => {
    const controller = new AbortController()
    const reason = new AttemptError('cancelled', 'cancelled by SIGTERM')
    let calls = 0
    const run = withRetries(
      async () => {
        calls++
        throw http(503)
      },
      {
        policy: retryPolicy(3, 60_000),
        signal: controller.signal,
        // The real timer: a 30–60 s wait that only the abort can end before the test times out.
        onRetry: () => controller.abort(reason),
      },
    )
    await expect(run).rejects.toBe(reason)
    expect(calls).toBe(1)
  })
})

describe('sleep', () => {
  it('rejects with the abort reason when already aborted', async () => {
    const controller = new AbortController()
    const reason = new Error('stop')
    controller.abort(reason)
    await expect(sleep(10_000, controller.signal)).rejects.toBe(reason)
  })
  it('resolves after the wait', async () => {
    await expect(sleep(0, live())).resolves.toBeUndefined()
  })
})
