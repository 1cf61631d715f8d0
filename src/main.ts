import * as core from '@actions/core'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { authHeaders, basicCredentials, exchangeOidc, withRetries } from './artifactory.ts'
import { AttemptError, messageOf } from './errors.ts'
import { HttpClient } from './http.ts'
import { keepYoungGenerationSmall } from './memory.ts'
import { getSettings, type Settings } from './inputs.ts'
import { addListedChecksums } from './listed-checksums.ts'
import { checkClashes, plannedBytes, type Download } from './plan.ts'
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
import { resolvePlan, type EntryFailure } from './resolve.ts'
import { retryPolicy } from './retry.ts'
import { abortableSleep, newProgress, runDownloads, type Progress } from './run-queue.ts'
import { shardPlan, sortPlan } from './shard.ts'
import type { FileResult } from './transfer.ts'
import { formatBytes } from './units.ts'

/**
 * The action: the only place that talks to the runner. Reads inputs, authenticates, plans,
 * runs the engine, and turns its results into log lines, outputs, a job summary, annotations
 * and the exit status. Never throws: every failure ends in `core.setFailed`.
 */
export async function run(): Promise<void> {
  const started = Date.now()
  keepYoungGenerationSmall()
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
              ? (file) => import('./extract.ts').then((m) => m.extractArchive(file))
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
    if (value)
      for (const s of secretsInUrl(value.includes('://') ? value : `http://${value}`)) add(s)
  }
}

/** Gets the job's ID token and exchanges it for a JFrog access token; nothing downloads before. */
async function oidcToken(
  settings: Settings,
  http: HttpClient,
  addSecret: (s: string) => void,
  signal: AbortSignal,
  onRetry: (line: string) => void,
): Promise<string> {
  if (settings.auth.kind !== 'oidc') throw new Error('unreachable')
  if (!settings.url)
    throw new Error("OIDC needs input 'url' (the JFrog Platform to exchange the token with)")
  if (!process.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    throw new Error(
      "OIDC: this job cannot request an ID token: add 'permissions: id-token: write' to the workflow or job (ACTIONS_ID_TOKEN_REQUEST_URL is not set)",
    )
  }
  const { provider, audience } = settings.auth
  let idToken: string
  try {
    idToken = await core.getIDToken(audience || undefined)
  } catch (error) {
    throw new Error(`OIDC: could not get the job's ID token: ${messageOf(error)}`, {
      cause: error,
    })
  }
  addSecret(idToken)
  const policy = retryPolicy(settings.retries, settings.retryDelayMs)
  const token = await withRetries(
    'OIDC token exchange',
    () => exchangeOidc(http, settings.url as string, idToken, provider, signal),
    policy,
    abortableSleep,
    signal,
    (retry, delayMs, message) =>
      onRetry(
        `retry ${retry}/${policy.retries} for the OIDC token exchange in ${(delayMs / 1000).toFixed(1)} s: ${message}`,
      ),
  )
  addSecret(token.accessToken)
  core.info(
    `OIDC: exchanged the job's ID token with provider '${provider}'${token.username ? ` for user '${token.username}'` : ''}`,
  )
  if (token.username) core.setOutput('oidc-user', token.username)
  return token.accessToken
}

/** On a tool-cache hit, sets the outputs and returns true: no request is made. */
async function toolCacheHit(settings: Settings): Promise<boolean> {
  const { name, version } = settings.toolCache as { name: string; version: string }
  const tc = await import('@actions/tool-cache')
  const found = tc.find(name, version)
  if (!found) {
    core.setOutput('cache-hit', 'false')
    core.info(`tool cache: ${name}@${version} not cached yet; downloading`)
    return false
  }
  const files = await listFiles(found)
  core.info(`tool cache: ${name}@${version} found at ${found}; nothing to download`)
  core.setOutput('cache-hit', 'true')
  core.setOutput('path', found)
  core.setOutput('files', JSON.stringify(files))
  core.setOutput('downloaded', String(files.length))
  core.setOutput('failed', '0')
  core.setOutput('errors', '[]')
  core.setOutput('bytes', '0')
  await addToPath(settings, found)
  return true
}

async function cacheTool(settings: Settings): Promise<void> {
  const { name, version } = settings.toolCache as { name: string; version: string }
  const tc = await import('@actions/tool-cache')
  const cached = await tc.cacheDir(settings.target, name, version)
  core.info(`tool cache: stored ${settings.target} as ${name}@${version} (${cached})`)
  core.setOutput('path', cached)
  await addToPath(settings, cached)
}

async function addToPath(settings: Settings, folder: string): Promise<void> {
  if (!settings.addToPath) return
  const bin = path.join(folder, 'bin')
  const dir = (await fsp.stat(bin).catch(() => undefined))?.isDirectory() ? bin : folder
  core.addPath(dir)
  core.info(`added ${dir} to PATH`)
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort()
}

/** One progress line every `progress-interval`; returns the function that stops them. */
function startProgress(
  settings: Settings,
  progress: Progress,
  plannedTotal: number | undefined,
  started: number,
): () => void {
  if (settings.progressIntervalMs <= 0) return () => undefined
  let lastBytes = progress.bytes
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
