import * as core from '@actions/core'
import { X509Certificate } from 'node:crypto'
import { authHeaders } from './artifactory/auth.ts'
import { credentialOrigins, credentialsLabel } from './artifactory/credential-origins.ts'
import { maskSecrets } from './action/secrets.ts'
import { oidcToken } from './action/oidc.ts'
import { cacheTool, toolCacheHit } from './action/tool-cache.ts'
import { probeCaseInsensitive } from './action/case-probe.ts'
import { startProgress } from './action/progress.ts'
import { writeSummary } from './action/summary.ts'
import { AttemptError, messageOf } from './common/errors.ts'
import { HttpClient } from './net/http-client.ts'
import { getSettings, type Settings } from './input/settings.ts'
import { addListedChecksums } from './artifactory/listed-checksums.ts'
import type { Download } from './engine/download.ts'
import { checkClashes, plannedBytes } from './plan/downloads.ts'
import { Redactor } from './common/redact.ts'
import { annotations, failureMessage } from './report/annotations.ts'
import { fileLine, retryLine } from './report/log-lines.ts'
import { shown } from './report/text.ts'
import { outputs } from './report/outputs.ts'
import { summaryMarkdown } from './report/summary.ts'
import { totals } from './report/totals.ts'
import { entryFailureResult, type RunResult } from './report/results.ts'
import { resolvePlan, type EntryFailure } from './plan/resolve.ts'
import { retryPolicy } from './net/retry.ts'
import { newProgress, runDownloads } from './engine/queue.ts'
import { shardPlan, sortPlan } from './plan/shard.ts'
import type { FileResult } from './engine/results.ts'
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
  // Any line that carries text the action did not write itself (an error, a listed name).
  const say = (line: string): void => core.info(shown(line, redact))
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
      process.platform,
    )
    maskSecrets(settings, addSecret)
    const signal = controller.signal

    if (settings.toolCache && (await toolCacheHit(settings))) return

    // Request-level lines cost a URL parse and a write per request: only built when the step
    // log shows them (ACTIONS_STEP_DEBUG).
    const debugLog = core.isDebug() ? (line: string) => core.debug(shown(line, redact)) : undefined
    const policy = retryPolicy(settings.retries, settings.retryDelayMs)
    const credentials = credentialOrigins(settings.auth, settings.url, settings.entries)
    const client = (bearer?: string): HttpClient =>
      new HttpClient({
        connections: settings.concurrency,
        timeoutMs: settings.timeoutMs,
        // Before the OIDC exchange there is nothing to send: say nothing about credentials.
        authOrigins: settings.auth.kind === 'oidc' && !bearer ? undefined : credentials.origins,
        authHeaders: authHeaders(settings.auth, bearer),
        authLabel: credentialsLabel(settings.auth),
        tls: settings.tls,
        debug: debugLog,
      })
    http = client()

    core.startGroup('Plan')
    logTls(settings)
    for (const origin of credentials.withheld)
      core.info(
        `credentials are not sent to ${redact(origin)}: 'url' names another server (${redact(new URL(settings.url as string).origin)}), so its files are requested without them`,
      )
    let bearer: string | undefined
    if (settings.auth.kind === 'oidc') {
      bearer = await oidcToken(settings, http, addSecret, signal, say)
      await http.close()
      http = client(bearer)
    }
    const resolved = await resolvePlan({
      settings,
      http,
      policy,
      signal,
      onRetry: say,
      concurrency: settings.concurrency,
    })
    // Case matters for clashes between planned files, and for recognising an existing copy.
    let caseInsensitive = false
    if (resolved.downloads.length > 1 || settings.skipExisting) {
      const probe = await probeCaseInsensitive(settings.target, process.platform, {
        write: !settings.dryRun,
      })
      // Only when the log shows it: a skip-existing run of one file probes too, and its stdout
      // carries no command the run does not need.
      debugLog?.(
        `target is case-${probe.caseInsensitive ? 'insensitive' : 'sensitive'} (${probe.how === 'probe' ? 'probed' : `platform default: ${probe.reason}`})`,
      )
      caseInsensitive = probe.caseInsensitive
      checkClashes(resolved.downloads, { caseInsensitive })
    }
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
    const planned = plannedBytes(downloads)
    logPlan(settings, downloads, planned, total, resolved.failures, say)
    debugMemory('after planning')
    core.endGroup()

    core.startGroup(settings.dryRun ? 'Check (dry run)' : 'Download')
    const progress = newProgress(downloads.length, settings.concurrency)
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
          caseInsensitive,
          http,
          postProcess: extractor(settings, downloads, signal),
        },
        {
          onFileDone: (r) => {
            core.info(fileLine(r, settings.target, redact))
            if (r.status === 'downloaded' && !r.verified && settings.verify && !notVerifiedSaid) {
              notVerifiedSaid = true
              say(
                `note: ${r.download.source} was not verified: the server sent no checksum (said once; the summary counts every such file)`,
              )
            }
          },
          onRetry: (info) => core.info(retryLine(info, redact)),
          onConcurrency: (value, reason) => say(`concurrency now ${value}: ${reason}`),
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
    const all: RunResult[] = [...resolved.failures.map(entryFailureResult), ...results]
    const t = totals(all)
    for (const [name, value] of Object.entries(outputs(all, redact))) core.setOutput(name, value)
    await writeSummary(
      summaryMarkdown(
        all,
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
      for (const a of annotations(all, redact)) report(a.message, { title: a.title })
      const message = failureMessage({ ...t, failed })
      if (settings.failOnError) core.setFailed(message)
      else core.warning(message)
    } else if (settings.toolCache && !settings.dryRun) {
      await cacheTool(settings)
    }
  } catch (error) {
    core.setFailed(shown(messageOf(error), redact))
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    await http?.close()
  }
}

/** Says which extra CAs and client certificate connections use: subjects only, never PEM text. */
function logTls(settings: Settings): void {
  const { ca, cert } = settings.tls
  const subject = (pem: string): string => {
    const x = new X509Certificate(pem)
    return `'${x.subject.replace(/\n/g, ', ')}' (until ${x.validTo})`
  }
  if (ca?.length)
    core.info(
      `TLS: trusting ${ca.length} certificate${ca.length === 1 ? '' : 's'} from ca-certificates besides the default ones: ${ca.map(subject).join('; ')}`,
    )
  if (cert) core.info(`TLS: client certificate ${subject(cert)}`)
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
  planned: ReturnType<typeof plannedBytes>,
  total: number,
  failures: EntryFailure[],
  say: (line: string) => void,
): void {
  const size = planned.bytes
    ? `, ${formatBytes(planned.bytes)}${planned.complete ? '' : ' known so far'}`
    : ''
  const shard = settings.shard
    ? ` (shard ${settings.shard.index}/${settings.shard.count} of ${total})`
    : ''
  const entries = settings.entries.length + (settings.spec?.length ?? 0)
  core.info(
    `${entries} entr${entries === 1 ? 'y' : 'ies'} requested → ${downloads.length} file${downloads.length === 1 ? '' : 's'}${shard}${size}, into ${settings.target}`,
  )
  core.info(
    `concurrency ${settings.concurrency}, retries ${settings.retries}, verify ${settings.verify}, skip-existing ${settings.skipExisting}` +
      (settings.dryRun ? '; dry run: nothing is downloaded or written' : ''),
  )
  for (const f of failures)
    say(
      `✗ ${f.label ?? `line ${f.entry.line}`} '${f.entry.source}': ${f.message}${(f.attempts ?? 1) > 1 ? ` (${f.attempts} attempts)` : ''}`,
    )
}

/**
 * Unpacks archives once in place: every file with `extract: true`, or the files of File Spec
 * entries with `explode: "true"`. Never in a dry run.
 */
function extractor(
  settings: Settings,
  downloads: Download[],
  signal: AbortSignal,
): ((file: string) => Promise<string[]>) | undefined {
  if (settings.dryRun) return undefined
  const explode = new Set(downloads.filter((d) => d.extract).map((d) => d.dest))
  if (!settings.extract && explode.size === 0) return undefined
  return (file) =>
    settings.extract || explode.has(file)
      ? import('./engine/extract.ts').then((m) => m.extractArchive(file, signal))
      : Promise.resolve([file])
}
