import { X509Certificate } from 'node:crypto'
import type { TlsSettings } from '../net/tls-options.ts'

/** Which extra CAs and client certificate connections use: subjects only, never PEM text. */
export function tlsLines({ ca, cert }: TlsSettings): string[] {
  const subject = (pem: string): string => {
    const x = new X509Certificate(pem)
    return `'${x.subject.replace(/\n/g, ', ')}' (until ${x.validTo})`
  }
  const lines: string[] = []
  if (ca?.length)
    lines.push(
      `TLS: trusting ${ca.length} certificate${ca.length === 1 ? '' : 's'} from ca-certificates besides the default ones: ${ca.map(subject).join('; ')}`,
    )
  if (cert) lines.push(`TLS: client certificate ${subject(cert)}`)
  return lines
}
