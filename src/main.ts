import * as core from '@actions/core'
import { authHeaders, basicCredentials } from './artifactory.ts'
import { messageOf } from './errors.ts'
import { getSettings, type Settings } from './inputs.ts'
import { checkClashes, planFiles, plannedBytes, type Download } from './plan.ts'
import { Redactor, secretsInUrl } from './redact.ts'
import {
  annotations,
  failureMessage,
  fileLine,
  outputs,
  progressLine,
  retryLine,
  summaryMarkdown,
  totals,
} from './report.ts'
import { newProgress, runDownloads } from './run-queue.ts'
import type { FileResult } from './transfer.ts'
import { formatBytes } from './units.ts'

/**
 * The action: the only place that talks to the runner. Reads inputs, plans, runs the engine,
 * and turns its results into log lines, outputs, a job summary, annotations and the exit status.
 */
export async function run(): Promise<void> {
  const started = Date.now()
  const redactor = new Redactor()
  const redact = (text: string): string => redactor.redact(text)
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      core.warning(`Received ${signal}: stopping, removing partial files and writing the summary`)
      controller.abort(new Error(`cancelled by ${signal}`))
    }
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const settings = getSettings((name) => core.getInput(name), process.env.GITHUB_WORKSPACE || process.cwd())
    maskSecrets(settings, (secret) => {
      core.setSecret(secret)
      redactor.add(secret)
    })

    core.startGroup('Plan')
    const downloads = plan(settings)
    const planned = plannedBytes(downloads)
    core.info(
      `${downloads.length} file${downloads.length === 1 ? '' : 's'} to ${settings.target}` +
        (planned.bytes ? `, ${formatBytes(planned.bytes)}${planned.complete ? '' : ' known'}` : '') +
        `; concurrency ${settings.concurrency}, retries ${settings.retries}` +
        (settings.dryRun ? ' (dry run: nothing is downloaded or written)' : ''),
    )
    core.endGroup()

    core.startGroup(settings.dryRun ? 'Check' : 'Download')
    const progress = newProgress(downloads.length, settings.concurrency)
    const stopProgress = startProgress(settings, progress, planned.complete ? planned.bytes : undefined, started)
    let notVerifiedSaid = false
    let results: FileResult[]
    try {
      results = await runDownloads(
        downloads,
        { ...settings, authOrigin: settings.url ? new URL(settings.url).origin : undefined, authHeaders: authHeaders(settings.auth) },
        {
          onFileDone: (r) => {
            core.info(fileLine(r, settings.target, redact))
            if (r.status === 'downloaded' && !r.verified && settings.verify && !notVerifiedSaid) {
              notVerifiedSaid = true
              core.info(`note: ${redact(r.download.source)} was not verified: the server sent no checksum (said once; the summary counts all such files)`)
            }
          },
          onRetry: (info) => core.info(retryLine(info, redact)),
          onConcurrency: (value, reason) => core.info(`concurrency now ${value}: ${reason}`),
          debug: (line) => core.debug(redact(line)),
        },
        controller.signal,
        progress,
      )
    } finally {
      stopProgress()
    }
    core.endGroup()

    core.startGroup('Report')
    const t = totals(results)
    for (const [name, value] of Object.entries(outputs(results, redact))) core.setOutput(name, value)
    const markdown = summaryMarkdown(
      results,
      {
        wallMs: Date.now() - started,
        target: settings.target,
        dryRun: settings.dryRun,
        concurrency: settings.concurrency,
        minConcurrency: progress.minConcurrency,
      },
      redact,
    )
    await writeSummary(markdown)
    core.info(`${t.inPlace}/${t.files} in place, ${t.failed} failed, ${formatBytes(t.bytes)} received`)
    core.endGroup()

    const failed = t.failed + t.cancelled
    if (failed > 0) {
      const report = settings.failOnError ? core.error : core.warning
      for (const a of annotations(results, redact)) report(a.message, { title: a.title })
      const message = failureMessage({ ...t, failed })
      if (settings.failOnError) core.setFailed(message)
      else core.warning(message)
    }
  } catch (error) {
    core.setFailed(redact(messageOf(error)))
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
}

/** The full list of downloads; throws before any request when it cannot be carried out. */
function plan(settings: Settings): Download[] {
  const downloads = planFiles(settings.entries, settings)
  checkClashes(downloads)
  return downloads
}

/** Registers every credential the inputs and the environment carry, before anything is logged. */
function maskSecrets(settings: Settings, add: (secret: string) => void): void {
  const { auth } = settings
  if (auth.kind === 'bearer') add(auth.token)
  if (auth.kind === 'basic') {
    add(auth.password)
    add(basicCredentials(auth.username, auth.password))
  }
  for (const e of settings.entries) for (const s of secretsInUrl(e.source)) add(s)
  if (settings.url) for (const s of secretsInUrl(settings.url)) add(s)
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    const value = process.env[name]
    if (value) for (const s of secretsInUrl(value)) add(s)
  }
}

/** One progress line every `progress-interval`; returns the function that stops them. */
function startProgress(settings: Settings, progress: ReturnType<typeof newProgress>, plannedTotal: number | undefined, started: number): () => void {
  if (settings.progressIntervalMs <= 0) return () => undefined
  let lastBytes = 0
  let lastTime = Date.now()
  const timer = setInterval(() => {
    const now = Date.now()
    const rate = ((progress.bytes - lastBytes) * 1000) / Math.max(1, now - lastTime)
    lastBytes = progress.bytes
    lastTime = now
    core.info(progressLine(progress, plannedTotal, now - started, rate))
  }, settings.progressIntervalMs)
  timer.unref()
  return () => clearInterval(timer)
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(markdown, true).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${messageOf(error)}`)
  }
}
