import { failures, fileResults, type RunResult } from './results.ts'
import { totals } from './totals.ts'
import type { Redact } from '../common/redact.ts'
import { shown } from './text.ts'

/** JSON outputs for the next steps. */
export function outputs(results: RunResult[], redact: Redact): Record<string, string> {
  const t = totals(results)
  const files = fileResults(results)
    .filter((r) => r.status === 'downloaded' || r.status === 'up-to-date' || r.status === 'planned')
    .flatMap((r) => r.files ?? [r.download.dest])
  const errors = failures(results).map((f) => ({
    source: shown(f.source, redact),
    message: shown(f.message, redact),
  }))
  return {
    downloaded: String(t.inPlace),
    failed: String(t.failed + t.cancelled),
    files: JSON.stringify(files),
    errors: JSON.stringify(errors),
    bytes: String(t.bytes),
    unverified: String(t.notVerified),
  }
}
