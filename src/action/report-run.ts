import * as core from '@actions/core'
import { formatBytes } from '../common/units.ts'
import type { Settings } from '../input/settings.ts'
import type { Plan } from '../plan/plan-downloads.ts'
import { annotations, failureMessage } from '../report/annotations.ts'
import { outputs } from '../report/outputs.ts'
import { entryFailureResult, type RunResult } from '../report/results.ts'
import type { SyncFacts } from '../report/summary.ts'
import { totals } from '../report/totals.ts'
import type { Ran } from './download.ts'
import type { Runner } from './runner.ts'

/**
 * Tells the runner how the run went: outputs, the job summary, a closing line, one annotation
 * per failed file, and the step's status. A run without failures caches the tool if asked to.
 */
export async function reportRun(
  settings: Settings,
  plan: Plan,
  ran: Ran & { sync?: SyncFacts },
  runner: Runner,
  started: number,
): Promise<void> {
  core.startGroup('Report')
  // No copy of the results when no entry failed: at 300,000 files it is 2.3 MB kept to the end.
  const all: RunResult[] = plan.failures.length
    ? [...plan.failures.map(entryFailureResult), ...ran.results]
    : ran.results
  const t = totals(all)
  for (const [name, value] of Object.entries(outputs(all, runner.redact)))
    core.setOutput(name, value)
  // Loaded once the downloads are done: nothing before the first request needs them.
  const [{ summaryMarkdown }, { writeSummary }] = await Promise.all([
    import('../report/summary.ts'),
    import('./summary.ts'),
  ])
  await writeSummary(
    summaryMarkdown(
      all,
      {
        wallMs: Date.now() - started,
        target: settings.target,
        dryRun: settings.dryRun,
        concurrency: settings.concurrency,
        minConcurrency: ran.progress.minConcurrency,
        sync: ran.sync,
      },
      runner.redact,
    ),
  )
  core.info(
    `${t.inPlace}/${t.files} in place (${t.downloaded} downloaded, ${t.upToDate} up to date), ${t.failed} failed, ` +
      `${formatBytes(t.bytes)} received in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  )
  core.endGroup()
  // Once for the run, with the count: a file kept unverified must not go by in the log alone.
  if (t.notVerified > 0 && settings.verify) {
    core.warning(
      `${t.notVerified} file(s) downloaded but not verified: the server sent no checksum (see the 'unverified' output)`,
    )
  }

  const failed = t.failed + t.cancelled
  if (failed > 0) {
    const report = settings.failOnError ? core.error : core.warning
    for (const a of annotations(all, runner.redact)) report(a.message, { title: a.title })
    const message = failureMessage({ ...t, failed })
    if (settings.failOnError) core.setFailed(message)
    else core.warning(message)
  } else if (settings.toolCache && !settings.dryRun) {
    await (await import('./tool-cache.ts')).cacheTool(settings)
  }
}
