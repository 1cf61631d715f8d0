import { isEntryFailure, type RunResult } from './results.ts'

/** Totals of a run, for the headline, the outputs and the exit status. */
export interface Totals {
  files: number
  /** Files now in place: downloaded or already up to date. */
  inPlace: number
  downloaded: number
  upToDate: number
  planned: number
  failed: number
  cancelled: number
  /** Body bytes received. */
  bytes: number
  retries: number
  notVerified: number
}

/** Adds up a run's results. */
export function totals(results: RunResult[]): Totals {
  const t: Totals = {
    files: results.length,
    inPlace: 0,
    downloaded: 0,
    upToDate: 0,
    planned: 0,
    failed: 0,
    cancelled: 0,
    bytes: 0,
    retries: 0,
    notVerified: 0,
  }
  for (const r of results) {
    if (isEntryFailure(r)) {
      t.failed++
      continue
    }
    t.bytes += r.bytes
    t.retries += Math.max(0, r.attempts - 1)
    if (r.status === 'downloaded') {
      t.downloaded++
      if (!r.verified) t.notVerified++
    } else if (r.status === 'up-to-date') t.upToDate++
    else if (r.status === 'planned') t.planned++
    else if (r.status === 'failed') t.failed++
    else t.cancelled++
  }
  t.inPlace = t.downloaded + t.upToDate
  return t
}
