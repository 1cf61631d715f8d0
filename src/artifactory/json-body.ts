import { AttemptError } from '../common/errors.ts'
import { readText, type HttpResponse } from '../net/http-client.ts'

/** Reads a JSON body (listings can be several MiB for tens of thousands of files). */
export async function readJson<T>(res: HttpResponse): Promise<T> {
  const text = await readText(res.body, 512 * 1024 * 1024)
  try {
    return JSON.parse(text) as T
  } catch {
    throw new AttemptError('http', `the server sent invalid JSON (HTTP ${res.status})`, {
      status: res.status,
    })
  }
}

/** A size as the server wrote it: a number, or a string of digits in some versions. */
export function toSize(value: number | string | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  return undefined
}
