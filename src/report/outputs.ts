import { failures, isEntryFailure, type RunResult } from './results.ts'
import { totals } from './totals.ts'
import type { Redact } from '../common/redact.ts'
import { shown } from './text.ts'

/** JSON outputs for the next steps. */
export function outputs(results: RunResult[], redact: Redact): Record<string, string> {
  const t = totals(results)
  // One array in one pass: at 300,000 files every whole-run array is 2.3 MB that stays in the
  // heap until the run ends (see README, Benchmark › Memory).
  const files: string[] = []
  for (const r of results) {
    if (isEntryFailure(r)) continue
    if (r.status !== 'downloaded' && r.status !== 'up-to-date' && r.status !== 'planned') continue
    if (r.files) for (const f of r.files) files.push(f)
    else files.push(r.download.dest)
  }
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
