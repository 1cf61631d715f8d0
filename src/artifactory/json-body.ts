import { AttemptError } from '../common/errors.ts'
import { readBody, type BodyLimits } from '../net/body.ts'
import type { HttpResponse } from '../net/http-client.ts'
import { InvalidJson, parseJsonItems, type JsonItems } from './json-items.ts'

export type { BodyLimits }

/**
 * Bounds of a listing or AQL answer. 256 MiB holds about a million listed files (see README,
 * Benchmark › Why the engine is built this way); 10 minutes is far beyond any listing that ends.
 */
export const LISTING_LIMITS: BodyLimits = { maxBytes: 256 * 1024 * 1024, maxMs: 10 * 60_000 }

/** Bounds of a small answer (the OIDC token exchange). */
export const SMALL_LIMITS: BodyLimits = { maxBytes: 1024 * 1024, maxMs: 60_000 }

/**
 * Reads a JSON body within `limits`; `what` names it in the error (`the listing of libs/x`).
 * Exceeding a limit is not retried: the same server would send the same endless answer.
 */
export async function readJson<T>(
  res: HttpResponse,
  what: string,
  limits: BodyLimits = LISTING_LIMITS,
): Promise<T> {
  const text = (await readWhole(res, what, limits)).toString('utf8')
  try {
    return JSON.parse(text) as T
  } catch {
    throw invalidJson(res)
  }
}

/**
 * Reads a listing: a JSON object whose array `key` holds one row per file. Each row is handed
 * to `each` as it is parsed and kept only as what `each` returns, so a listing of hundreds of
 * thousands of files is never alive as objects all at once. Bounds and errors as `readJson`.
 */
export async function readJsonItems<U>(
  res: HttpResponse,
  what: string,
  key: string,
  each: (row: unknown) => U | undefined,
  limits: BodyLimits = LISTING_LIMITS,
): Promise<JsonItems<U>> {
  const body = await readWhole(res, what, limits)
  try {
    return parseJsonItems(body, key, each)
  } catch (error) {
    if (error instanceof InvalidJson) throw invalidJson(res)
    throw error
  }
}

function readWhole(res: HttpResponse, what: string, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(res.headers['content-length'])
  return readBody(res.body, limits, { refuse: what }, declared)
}

function invalidJson(res: HttpResponse): AttemptError {
  return new AttemptError('http', `the server sent invalid JSON (HTTP ${res.status})`, {
    status: res.status,
  })
}

/** A size as the server wrote it: a number, or a string of digits in some versions. */
export function toSize(value: number | string | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  return undefined
}
