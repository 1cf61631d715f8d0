// An error status as the message a person reads: the status and its reason phrase, the
// server's own message from its error body, and what to check.
import { STATUS_CODES } from 'node:http'
import { AttemptError } from '../common/errors.ts'
import { serverText } from '../common/server-text.ts'
import { readText } from './body.ts'
import { credentialsHint } from './credential-scope.ts'
import { errorBodyMessage } from './error-body.ts'
import type { HttpResponse } from './http-client.ts'
import { parseRetryAfter, statusHint } from './retry.ts'
import { nginxCertificateFailure } from './tls-errors.ts'

/** Of an error body, only this much is read: its message is one line. */
const ERROR_BODY_BYTES = 16 * 1024

/** Turns an error status into an {@link AttemptError}, reading the error body for its message. */
export async function statusError(res: HttpResponse, what: string): Promise<AttemptError> {
  const text = await readText(res.body, ERROR_BODY_BYTES).catch(() => '')
  const tls = nginxCertificateFailure(res.status, text)
  if (tls) return new AttemptError('tls', `${what}${tls.message}`, { status: res.status })
  const serverMessage = errorBodyMessage(text, res.headers['content-type'], res.redact)
  const hint =
    (res.status === 401 || res.status === 403) && res.credentials
      ? credentialsHint(res.status, new URL(res.url).origin, res.credentials)
      : statusHint(res.status)
  const reason = STATUS_CODES[res.status]
  const parts = [`HTTP ${res.status}${reason ? ` ${reason}` : ''}`]
  if (serverMessage) parts.push(`: ${serverText(serverMessage)}`)
  if (hint) parts.push(` (${hint})`)
  return new AttemptError('http', `${what}${parts.join('')}`, {
    status: res.status,
    retryAfterMs: parseRetryAfter(res.headers['retry-after']),
  })
}
