import { failures, type RunResult } from './results.ts'
import type { Totals } from './totals.ts'
import type { Redact } from '../common/redact.ts'
import { attemptsText, shown } from './text.ts'

/** GitHub shows at most 10 error annotations per step, and the step's failure is one of them. */
export const MAX_FILE_ANNOTATIONS = 9

/** An annotation for one failed file. */
export interface Annotation {
  title: string
  message: string
}

/** One annotation per failed file, at most {@link MAX_FILE_ANNOTATIONS}. */
export function annotations(results: RunResult[], redact: Redact): Annotation[] {
  return failures(results)
    .filter((f) => !f.cancelled)
    .slice(0, MAX_FILE_ANNOTATIONS)
    .map((f) => ({
      title: `Download failed: ${shown(f.source, redact)}`,
      message: `${shown(f.message, redact)} (${attemptsText(f.attempts)})`,
    }))
}

/** The step's failure message: how many failed, and where the rest are when they were not annotated. */
export function failureMessage(t: Totals): string {
  const base = `${t.failed} of ${t.files} downloads failed`
  const hidden = t.failed - MAX_FILE_ANNOTATIONS
  return hidden > 0
    ? `${base}; ${hidden} more failed file${hidden === 1 ? ' is' : 's are'} not annotated: see the job summary for all of them`
    : base
}
