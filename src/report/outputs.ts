import type { FileResult } from '../engine/transfer.ts'
import { totals } from './totals.ts'
import type { Redact } from './text.ts'

/** JSON outputs for the next steps. */
export function outputs(results: FileResult[], redact: Redact): Record<string, string> {
  const t = totals(results)
  const files = results
    .filter((r) => r.status === 'downloaded' || r.status === 'up-to-date' || r.status === 'planned')
    .flatMap((r) => r.files ?? [r.download.dest])
  const errors = results
    .filter((r) => r.status === 'failed' || r.status === 'cancelled')
    .map((r) => ({ source: redact(r.download.source), message: redact(r.error ?? r.status) }))
  return {
    downloaded: String(t.inPlace),
    failed: String(t.failed + t.cancelled),
    files: JSON.stringify(files),
    errors: JSON.stringify(errors),
    bytes: String(t.bytes),
  }
}
