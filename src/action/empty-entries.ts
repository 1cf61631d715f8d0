import * as core from '@actions/core'
import type { Settings } from '../input/settings.ts'
import type { Plan } from '../plan/plan-downloads.ts'
import { shown } from '../report/text.ts'
import type { Runner } from './runner.ts'

/**
 * Entries that selected nothing and were let pass: with `if-no-files-found: warn`, one
 * warning each, naming the entry; with `ignore`, a debug line only.
 */
export function warnEmptyEntries(settings: Settings, plan: Plan, runner: Runner): void {
  for (const line of plan.empty) {
    if (settings.ifNoFilesFound === 'warn') core.warning(shown(line, runner.redact))
    else runner.debug?.(`if-no-files-found: ignore: ${line}`)
  }
}
