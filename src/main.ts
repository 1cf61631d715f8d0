import * as core from '@actions/core'
import { authHeaders } from './artifactory/auth.ts'
import { maskSecrets } from './action/secrets.ts'
import { oidcToken } from './action/oidc.ts'
import { cacheTool, toolCacheHit } from './action/tool-cache.ts'
import { startProgress } from './action/progress.ts'
import { writeSummary } from './action/summary.ts'
import { AttemptError, messageOf } from './common/errors.ts'
import { HttpClient } from './net/http-client.ts'
import { getSettings, type Settings } from './plan/settings.ts'
import { addListedChecksums } from './artifactory/listed-checksums.ts'
import { checkClashes, plannedBytes, type Download } from './plan/downloads.ts'
import { Redactor } from './common/redact.ts'
import {
  annotations,
  failureMessage,
  fileLine,
  outputs,
  retryLine,
  summaryMarkdown,
  totals,
} from './report/report.ts'
import { resolvePlan, type EntryFailure } from './plan/resolve.ts'
import { retryPolicy } from './net/retry.ts'
import { abortableSleep, newProgress, runDownloads } from './engine/queue.ts'
import { shardPlan, sortPlan } from './plan/shard.ts'
import type { FileResult } from './engine/transfer.ts'
import { formatBytes } from './common/units.ts'

/**
 * The action: the only place that talks to the runner. Reads inputs, authenticates, plans,
 * runs the engine, and turns its results into log lines, outputs, a job summary, annotations
 * and the exit status. Never throws: every failure ends in `core.setFailed`.
 */
export async function run(): Promise<void> {
  const started = Date.now()
  const redactor = new Redactor()
  const redact = (text: string): string => redactor.redact(text)
  const addSecret = (secret: string): void => {
    core.setSecret(secret)
    redactor.add(secret)
  }
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    core.warning(`Received ${signal}: stopping, removing partial files and writing the summary`)
    controller.abort(new AttemptError('cancelled', `cancelled by ${signal}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let http: HttpClient | undefined
  try {
    const settings = getSettings(
      (name) => core.getInput(name),
      process.env.GITHUB_WORKSPACE || process.cwd(),
    )
    maskSecrets(settings, addSecret)
    const signal = controller.signal

    if (settings.toolCache && (await toolCacheHit(settings))) return

    // Request-level lines cost a URL parse and a write per request: only built when the step
    // log shows them (ACTIONS_STEP_DEBUG).
    const debugLog = core.isDebug() ? (line: string) => core.debug(redact(line)) : undefined
    const policy = retryPolicy(settings.retries, settings.retryDelayMs)
    const authOrigin = settings.url ? new URL(settings.url).origin : undefined
    http = new HttpClient({
      connections: settings.concurrency,
      timeoutMs: settings.timeoutMs,
      authOrigin,
      authHeaders: authHeaders(settings.auth),
      debug: debugLog,
    })
    const retryLog = (line: string): void => core.info(redact(line))

    core.startGroup('Plan')
    let bearer: string | undefined
    if (settings.auth.kind === 'oidc') {
      bearer = await oidcToken(settings, http, addSecret, signal, retryLog)
      http = new HttpClient({
        connections: settings.concurrency,
        timeoutMs: settings.timeoutMs,
        authOrigin,
        authHeaders: authHeaders(settings.auth, bearer),
        debug: debugLog,
      })
    }
    const resolved = await resolvePlan({
      settings,
      http,
      policy,
      sleep: abortableSleep,
      signal,
      onRetry: retryLog,
      concurrency: settings.concurrency,
    })
    checkClashes(resolved.downloads)
    let downloads = sortPlan(resolved.downloads)
    const total = downloads.length
    if (settings.shard) downloads = shardPlan(downloads, settings.shard.index, settings.shard.count)
    if (settings.skipExisting && settings.url) {
      const known = await addListedChecksums(downloads, {
        http,
        url: settings.url,
        signal,
        debug: debugLog,
      })
      if (known) core.info(`checksums of ${known} existing files from folder listings`)
    }
    logPlan(settings, downloads, total, resolved.failures, redact)
    debugMemory('after planning')
    core.endGroup()

    core.startGroup(settings.dryRun ? 'Check (dry run)' : 'Download')
    const progress = newProgress(downloads.length, settings.concurrency)
    const planned = plannedBytes(downloads)
    const stopProgress = startProgress(
      settings,
      progress,
      planned.complete ? planned.bytes : undefined,
      started,
    )
    let notVerifiedSaid = false
    let results: FileResult[]
    try {
      results = await runDownloads(
        downloads,
        {
          ...settings,
          http,
          postProcess:
            settings.extract && !settings.dryRun
              ? (file) => import('./engine/extract.ts').then((m) => m.extractArchive(file))
              : undefined,
        },
        {
          onFileDone: (r) => {
            core.info(fileLine(r, settings.target, redact))
            if (r.status === 'downloaded' && !r.verified && settings.verify && !notVerifiedSaid) {
              notVerifiedSaid = true
              core.info(
                `note: ${redact(r.download.source)} was not verified: the server sent no checksum (said once; the summary counts every such file)`,
              )
            }
          },
          onRetry: (info) => core.info(retryLine(info, redact)),
          onConcurrency: (value, reason) => core.info(`concurrency now ${value}: ${reason}`),
        },
        signal,
        progress,
      )
    } finally {
      stopProgress()
    }
    core.endGroup()

    debugMemory('after the downloads')
    core.startGroup('Report')
    results = [...resolved.failures.map((f) => entryFailureResult(f, settings.target)), ...results]
    const t = totals(results)
    for (const [name, value] of Object.entries(outputs(results, redact)))
      core.setOutput(name, value)
    await writeSummary(
      summaryMarkdown(
        results,
        {
          wallMs: Date.now() - started,
          target: settings.target,
          dryRun: settings.dryRun,
          concurrency: settings.concurrency,
          minConcurrency: progress.minConcurrency,
        },
        redact,
      ),
    )
    core.info(
      `${t.inPlace}/${t.files} in place (${t.downloaded} downloaded, ${t.upToDate} up to date), ${t.failed} failed, ` +
        `${formatBytes(t.bytes)} received in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    )
    core.endGroup()

    const failed = t.failed + t.cancelled
    if (failed > 0) {
      const report = settings.failOnError ? core.error : core.warning
      for (const a of annotations(results, redact)) report(a.message, { title: a.title })
      const message = failureMessage({ ...t, failed })
      if (settings.failOnError) core.setFailed(message)
      else core.warning(message)
    } else if (settings.toolCache && !settings.dryRun) {
      await cacheTool(settings)
    }
  } catch (error) {
    core.setFailed(redact(messageOf(error)))
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    await http?.close()
  }
}

/** Memory use in the debug log: large runs must stay bounded. */
function debugMemory(when: string): void {
  if (!core.isDebug()) return
  const m = process.memoryUsage()
  core.debug(
    `memory ${when}: rss ${formatBytes(m.rss)}, heap ${formatBytes(m.heapUsed)} of ${formatBytes(m.heapTotal)}, external ${formatBytes(m.external)}`,
  )
}

function logPlan(
  settings: Settings,
  downloads: Download[],
  total: number,
  failures: EntryFailure[],
  redact: (t: string) => string,
): void {
  const planned = plannedBytes(downloads)
  const size = planned.bytes
    ? `, ${formatBytes(planned.bytes)}${planned.complete ? '' : ' known so far'}`
    : ''
  const shard = settings.shard
    ? ` (shard ${settings.shard.index}/${settings.shard.count} of ${total})`
    : ''
  core.info(
    `${settings.entries.length} entr${settings.entries.length === 1 ? 'y' : 'ies'} requested → ${downloads.length} file${downloads.length === 1 ? '' : 's'}${shard}${size}, into ${settings.target}`,
  )
  core.info(
    `concurrency ${settings.concurrency}, retries ${settings.retries}, verify ${settings.verify}, skip-existing ${settings.skipExisting}` +
      (settings.dryRun ? '; dry run: nothing is downloaded or written' : ''),
  )
  for (const f of failures)
    core.info(`✗ line ${f.entry.line} '${redact(f.entry.source)}': ${redact(f.message)}`)
}

function entryFailureResult(f: EntryFailure, target: string): FileResult {
  return {
    download: {
      source: f.entry.source,
      url: f.entry.url ?? '',
      dest: target,
      checksums: {},
      line: f.entry.line,
    },
    status: 'failed',
    bytes: 0,
    attempts: 1,
    durationMs: 0,
    ranges: 1,
    error: f.message,
  }
}
