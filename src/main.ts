import * as core from '@actions/core'
import { connect } from './action/connect.ts'
import { afterDownloads } from './action/after-download.ts'
import { downloadAll } from './action/download.ts'
import { warnEmptyEntries } from './action/empty-entries.ts'
import { reportRun } from './action/report-run.ts'
import { startRunner } from './action/runner.ts'
import { maskSecrets } from './action/secrets.ts'
import { messageOf } from './common/errors.ts'
import { getSettings } from './input/settings.ts'
import type { HttpClient } from './net/http-client.ts'
import { retryPolicy } from './net/retry.ts'
import { planDownloads } from './plan/plan-downloads.ts'
import { memoryLine } from './report/memory-line.ts'
import { caseLine, entryFailureLine, planLines } from './report/plan-lines.ts'
import { shown } from './report/text.ts'

/**
 * The action: inputs → settings → plan → engine → report. Only the action layer talks to the
 * runner. Never throws: every failure ends in `core.setFailed`.
 */
export async function run(): Promise<void> {
  const started = Date.now()
  const runner = startRunner()
  let http: HttpClient | undefined
  try {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
    const settings = getSettings((name) => core.getInput(name), workspace, process.platform)
    maskSecrets(settings, runner.addSecret)
    // Loaded only by the runs that use the tool cache (it brings semver).
    if (
      settings.toolCache &&
      (await (await import('./action/tool-cache.ts')).toolCacheHit(settings))
    )
      return

    core.startGroup('Plan')
    http = await connect(settings, runner)
    const plan = await planDownloads(settings, {
      http,
      policy: retryPolicy(settings.retries, settings.retryDelayMs),
      signal: runner.signal,
      onRetry: runner.say,
      debug: runner.debug,
      platform: process.platform,
    })
    const probed = caseLine(plan)
    if (probed) runner.debug?.(probed)
    for (const line of planLines(settings, plan)) core.info(line)
    for (const failure of plan.failures) runner.say(entryFailureLine(failure))
    warnEmptyEntries(settings, plan, runner)
    runner.debug?.(memoryLine('after planning'))
    core.endGroup()

    core.startGroup(settings.dryRun ? 'Check (dry run)' : 'Download')
    const ran = await afterDownloads(
      settings,
      plan,
      await downloadAll(settings, plan, http, runner, started),
      runner,
    )
    core.endGroup()
    runner.debug?.(memoryLine('after the downloads'))

    await reportRun(settings, plan, ran, runner, started)
  } catch (error) {
    core.setFailed(shown(messageOf(error), runner.redact))
  } finally {
    runner.dispose()
    await http?.close()
  }
}
