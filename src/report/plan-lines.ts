import type { Settings } from '../input/settings.ts'
import type { Plan } from '../plan/plan-downloads.ts'
import type { EntryFailure } from '../plan/entry-failure.ts'
import { formatBytes } from '../common/units.ts'

/** What was planned and how it will run: the action's own text, nothing from a server. */
export function planLines(settings: Settings, plan: Plan): string[] {
  const { downloads, planned, total } = plan
  const size = planned.bytes
    ? `, ${formatBytes(planned.bytes)}${planned.complete ? '' : ' known so far'}`
    : ''
  const shard = settings.shard
    ? ` (shard ${settings.shard.index}/${settings.shard.count} of ${total})`
    : ''
  const entries = settings.entries.length + (settings.spec?.length ?? 0)
  const lines: string[] = []
  if (plan.listedChecksums)
    lines.push(`checksums of ${plan.listedChecksums} existing files from folder listings`)
  lines.push(
    `${entries} entr${entries === 1 ? 'y' : 'ies'} requested → ${downloads.length} file${downloads.length === 1 ? '' : 's'}${shard}${size}, into ${settings.target}`,
    `concurrency ${settings.concurrency}, retries ${settings.retries}, verify ${settings.verify}, skip-existing ${settings.skipExisting}` +
      (settings.dryRun ? '; dry run: nothing is downloaded or written' : ''),
  )
  return lines
}

/** One line per entry that planned nothing; it carries the server's words, so it is not safe to start a line with. */
export function entryFailureLine(f: EntryFailure): string {
  return `✗ ${f.label ?? `line ${f.line}`} '${f.source}': ${f.message}${(f.attempts ?? 1) > 1 ? ` (${f.attempts} attempts)` : ''}`
}

/** How the case rule was found, for the debug log. */
export function caseLine(plan: Plan): string | undefined {
  const probe = plan.caseProbe
  if (!probe) return undefined
  return `target is case-${probe.caseInsensitive ? 'insensitive' : 'sensitive'} (${probe.how === 'probe' ? 'probed' : `platform default: ${probe.reason}`})`
}
