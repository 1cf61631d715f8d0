import type { Redact } from '../common/redact.ts'
import { serverText } from '../common/server-text.ts'

/**
 * The human message in an Artifactory error body (`{"errors":[{"status":404,"message":"…"}]}`),
 * or a short plain-text body; never a raw dump of HTML or JSON. `redact` removes secrets before
 * the message is cut to its length.
 */
export function errorBodyMessage(
  body: string,
  contentType = '',
  redact: Redact = (text) => text,
): string {
  const text = body.trim()
  if (!text) return ''
  if (text.startsWith('{') || contentType.includes('json')) {
    try {
      const parsed = JSON.parse(text) as {
        errors?: { message?: unknown }[]
        message?: unknown
        error_description?: unknown
      }
      const messages = (parsed.errors ?? [])
        .map((e) => e.message)
        .filter((m): m is string => typeof m === 'string')
      if (messages.length) return clip(redact(messages.join('; ')))
      if (typeof parsed.message === 'string') return clip(redact(parsed.message))
      if (typeof parsed.error_description === 'string')
        return clip(redact(parsed.error_description))
    } catch {
      // not JSON after all: fall through to the plain-text rule
    }
    return ''
  }
  if (contentType.includes('html') || text.startsWith('<')) return ''
  return clip(redact(text.split(/\r?\n/)[0]))
}

/** One line of at most 300 characters, defused: the server chose every character of it. */
function clip(text: string): string {
  return serverText(text, 300)
}
