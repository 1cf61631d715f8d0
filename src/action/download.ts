import { recordedChecksums } from '../artifactory/storage-record.ts'
import {
  newProgress,
  runDownloads,
  type EngineEvents,
  type EngineOptions,
  type Progress,
} from '../engine/queue.ts'
import type { FileResult } from '../engine/results.ts'
import type { Settings } from '../input/settings.ts'
import type { HttpClient } from '../net/http-client.ts'
import type { Plan } from '../plan/plan-downloads.ts'
import { notVerifiedNote } from '../report/file-notes.ts'
import { fileLine, retryLine } from '../report/log-lines.ts'
import { extractor } from './post-process.ts'
import { startProgress } from './progress.ts'
import type { Runner } from './runner.ts'

/** What the engine did: one result per planned file, and the progress counters it kept. */
export interface Ran {
  results: FileResult[]
  progress: Progress
}

/** Runs the plan's downloads, one log line per finished file and retry, progress lines between. */
export async function downloadAll(
  settings: Settings,
  plan: Plan,
  http: HttpClient,
  runner: Runner,
  started: number,
): Promise<Ran> {
  const { downloads, planned } = plan
  const progress = newProgress(downloads.length, settings.concurrency)
  const stopProgress = startProgress(
    settings,
    progress,
    planned.complete ? planned.bytes : undefined,
    started,
    runner.info,
  )
  try {
    const results = await runDownloads(
      downloads,
      engineOptions(settings, plan, http, runner),
      engineEvents(settings, runner),
      runner.signal,
      progress,
    )
    return { results, progress }
  } finally {
    stopProgress()
    runner.flush()
  }
}

/** The engine's options: the transfer settings, the plan's facts about the target, and the hooks. */
function engineOptions(
  settings: Settings,
  plan: Plan,
  http: HttpClient,
  runner: Runner,
): EngineOptions {
  return {
    concurrency: settings.concurrency,
    retries: settings.retries,
    retryDelayMs: settings.retryDelayMs,
    timeoutMs: settings.timeoutMs,
    verify: settings.verify,
    skipExisting: settings.skipExisting,
    dryRun: settings.dryRun,
    split: settings.split,
    splitMinSize: settings.splitMinSize,
    maxSize: settings.maxSize,
    target: settings.target,
    caseInsensitive: plan.caseInsensitive,
    http,
    // Only files under 'url' are Artifactory's: a full URL elsewhere has no record to ask.
    recordedChecksums: settings.url
      ? recordedChecksums.bind(undefined, http, settings.url)
      : undefined,
    ...extractor(settings, plan.downloads, runner.signal, {
      caseInsensitive: plan.caseInsensitive,
      normalizationInsensitive: plan.normalizationInsensitive,
    }),
  }
}

/** The engine's events as the runner's log lines (the not-verified note said once a run). */
function engineEvents(settings: Settings, runner: Runner): EngineEvents {
  const note = notVerifiedNote(settings.verify)
  return {
    onFileDone: (r) => {
      runner.info(fileLine(r, settings.target, runner.redact))
      const line = note(r)
      if (line) runner.say(line)
    },
    onRetry: (info) => runner.info(retryLine(info, runner.redact)),
    onConcurrency: (value, reason) => runner.say(`concurrency now ${value}: ${reason}`),
    debug: runner.debug,
    onHashFallback: (reason) =>
      runner.say(`hashing on the main thread from now on: the hashing thread failed (${reason})`),
  }
}
