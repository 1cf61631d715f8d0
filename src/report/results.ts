import type { FileResult } from '../engine/results.ts'
import type { EntryFailure } from '../plan/entry-failure.ts'

/**
 * A line of `paths` that never became a file: a pattern that matched nothing, a listing that
 * failed. It has no download, destination or bytes, so it is not dressed up as one.
 */
export interface EntryFailureResult extends EntryFailure {
  kind: 'entry-failure'
}

/** What the report shows: a file the engine handled, or an entry that produced no file. */
export type RunResult = FileResult | EntryFailureResult

/** The report's result for a failed plan entry. */
export function entryFailureResult(f: EntryFailure): EntryFailureResult {
  return { kind: 'entry-failure', ...f }
}

/** Whether a result is a failed plan entry rather than a file. */
export function isEntryFailure(r: RunResult): r is EntryFailureResult {
  return 'kind' in r && r.kind === 'entry-failure'
}

/** The results that are files. */
export function fileResults(results: RunResult[]): FileResult[] {
  return results.filter((r): r is FileResult => !isEntryFailure(r))
}

/** Something that did not end in place, as the report shows it. */
export interface Failure {
  /** SOURCE as written (display it through the redactor). */
  source: string
  message: string
  attempts: number
  /** Stopped by the run's cancellation rather than failed. */
  cancelled: boolean
}

/** Every failed or cancelled result, in order: failed entries count as one attempt. */
export function failures(results: RunResult[]): Failure[] {
  const out: Failure[] = []
  for (const r of results) {
    if (isEntryFailure(r))
      out.push({
        source: r.source,
        message: r.message,
        attempts: r.attempts ?? 1,
        cancelled: false,
      })
    else if (r.status === 'failed' || r.status === 'cancelled')
      out.push({
        source: r.download.source,
        message: r.error ?? r.status,
        attempts: r.attempts,
        cancelled: r.status === 'cancelled',
      })
  }
  return out
}
