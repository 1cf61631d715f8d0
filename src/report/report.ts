import * as path from 'node:path'
import type { Progress } from '../engine/queue.ts'
import type { FileResult, RetryInfo } from '../engine/transfer.ts'
import { formatBytes, formatDuration, formatRate } from '../common/units.ts'
import { markdownCode, markdownText, serverText } from '../common/server-text.ts'

/** Makes any text safe to show (removes secrets). */
export type Redact = (text: string) => string

/**
 * Every text the report shows that is not its own (a source, a destination, an error, a note)
 * passes here: secrets removed, then folded and defused by {@link serverText}, then redacted
 * again in case folding formed a secret. One function, so no line can forget it.
 */
export function shown(text: string, redact: Redact): string {
  return redact(serverText(redact(text)))
}

/** Totals of a run, for the headline, the outputs and the exit status. */
export interface Totals {
  files: number
  /** Files now in place: downloaded or already up to date. */
  inPlace: number
  downloaded: number
  upToDate: number
  planned: number
  failed: number
  cancelled: number
  /** Body bytes received. */
  bytes: number
  retries: number
  notVerified: number
}

/** Adds up a run's results. */
export function totals(results: FileResult[]): Totals {
  const t: Totals = {
    files: results.length,
    inPlace: 0,
    downloaded: 0,
    upToDate: 0,
    planned: 0,
    failed: 0,
    cancelled: 0,
    bytes: 0,
    retries: 0,
    notVerified: 0,
  }
  for (const r of results) {
    t.bytes += r.bytes
    t.retries += Math.max(0, r.attempts - 1)
    if (r.status === 'downloaded') {
      t.downloaded++
      if (!r.verified) t.notVerified++
    } else if (r.status === 'up-to-date') t.upToDate++
    else if (r.status === 'planned') t.planned++
    else if (r.status === 'failed') t.failed++
    else t.cancelled++
  }
  t.inPlace = t.downloaded + t.upToDate
  return t
}

const attemptsText = (n: number): string => `${n} attempt${n === 1 ? '' : 's'}`

/** The one log line for a finished file. */
export function fileLine(r: FileResult, target: string, redact: Redact): string {
  const dest = shown(relativeDest(r.download.dest, target), redact)
  const source = shown(r.download.source, redact)
  switch (r.status) {
    case 'downloaded': {
      const size = formatBytes(r.size ?? r.bytes)
      const ranges = r.ranges > 1 ? `, ${r.ranges} ranges` : ''
      const check = r.verified ? `, ${r.verified} ok` : ''
      return `✓ ${source} → ${dest}  ${size} in ${formatDuration(r.durationMs)} (${formatRate(r.bytes, r.durationMs)}), ${attemptsText(r.attempts)}${ranges}${check}`
    }
    case 'up-to-date':
      return `= ${source} → ${dest}  up to date${r.verified ? ` (${r.verified} matches)` : ''}`
    case 'planned':
      return `· ${source} → ${dest}  would download${r.size !== undefined ? ` ${formatBytes(r.size)}` : ''}`
    case 'cancelled':
      return `- ${source}  cancelled`
    case 'failed':
      return `✗ ${source}  ${shown(r.error ?? 'failed', redact)}`
  }
}

/** The plain log line for a retry, written when it is decided. */
export function retryLine(info: RetryInfo, redact: Redact): string {
  return `retry ${info.retry}/${info.retries} for ${shown(info.download.source, redact)} in ${formatDuration(info.delayMs)}: ${shown(info.error, redact)}`
}

/** One progress line: files, bytes, rate, ETA. */
export function progressLine(
  p: Progress,
  plannedBytes: number | undefined,
  elapsedMs: number,
  rateBytesPerSec: number,
): string {
  const parts = [`${p.filesDone}/${p.filesTotal} files`]
  parts.push(
    plannedBytes ? `${formatBytes(p.bytes)}/${formatBytes(plannedBytes)}` : formatBytes(p.bytes),
  )
  parts.push(`${formatBytes(Math.round(rateBytesPerSec))}/s`)
  if (plannedBytes && rateBytesPerSec > 0 && p.bytes < plannedBytes) {
    parts.push(`ETA ${formatDuration(((plannedBytes - p.bytes) / rateBytesPerSec) * 1000)}`)
  }
  parts.push(`elapsed ${formatDuration(elapsedMs)}`)
  return `progress: ${parts.join(', ')}`
}

/** GitHub shows at most 10 error annotations per step, and the step's failure is one of them. */
export const MAX_FILE_ANNOTATIONS = 9

/** An annotation for one failed file. */
export interface Annotation {
  title: string
  message: string
}

/** One annotation per failed file, at most {@link MAX_FILE_ANNOTATIONS}. */
export function annotations(results: FileResult[], redact: Redact): Annotation[] {
  return results
    .filter((r) => r.status === 'failed')
    .slice(0, MAX_FILE_ANNOTATIONS)
    .map((r) => ({
      title: `Download failed: ${shown(r.download.source, redact)}`,
      message: `${shown(r.error ?? 'failed', redact)} (${attemptsText(r.attempts)})`,
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

/** JSON outputs for the next steps. */
export function outputs(results: FileResult[], redact: Redact): Record<string, string> {
  const t = totals(results)
  const files = results
    .filter((r) => r.status === 'downloaded' || r.status === 'up-to-date' || r.status === 'planned')
    .flatMap((r) => r.files ?? [r.download.dest])
  const errors = results
    .filter((r) => r.status === 'failed' || r.status === 'cancelled')
    .map((r) => ({
      source: shown(r.download.source, redact),
      message: shown(r.error ?? r.status, redact),
    }))
  return {
    downloaded: String(t.inPlace),
    failed: String(t.failed + t.cancelled),
    files: JSON.stringify(files),
    errors: JSON.stringify(errors),
    bytes: String(t.bytes),
  }
}

/** Facts of the run the results alone do not hold. */
export interface RunFacts {
  wallMs: number
  target: string
  dryRun: boolean
  concurrency: number
  minConcurrency: number
  /** Problems with the plan itself (a pattern that matched nothing). Already in results as failures. */
  notes?: string[]
}

/** Above this many files the table keeps the failures and the largest files only. */
export const SUMMARY_FULL_TABLE_MAX = 100
const SUMMARY_LARGEST = 50
const SUMMARY_FAILURES_MAX_CHARS = 512 * 1024

/**
 * The job summary as Markdown: headline, failures first, then the files. Stays far below
 * GitHub's 1 MiB limit (beyond it the runner drops the whole summary) at any number of files.
 */
export function summaryMarkdown(results: FileResult[], facts: RunFacts, redact: Redact): string {
  const t = totals(results)
  const out: string[] = []
  const title = facts.dryRun ? 'Artifactory download (dry run)' : 'Artifactory download'
  const icon = t.failed + t.cancelled > 0 ? '❌' : '✅'
  out.push(`## ${icon} ${title}`, '')
  const head = facts.dryRun
    ? [`**${t.planned}** to download`, `**${t.upToDate}** up to date`, `**${t.failed}** failed`]
    : [
        `**${t.inPlace}/${t.files}** files in place (${t.downloaded} downloaded, ${t.upToDate} up to date)`,
        `**${formatBytes(t.bytes)}** in ${formatDuration(facts.wallMs)} (${formatRate(t.bytes, facts.wallMs)})`,
        `**${t.retries}** retries`,
        `**${t.failed}** failed`,
      ]
  if (t.cancelled) head.push(`**${t.cancelled}** cancelled`)
  out.push(head.join(' · '), '')
  if (facts.minConcurrency < facts.concurrency) {
    out.push(
      `Concurrency: lowered to ${facts.minConcurrency} (of ${facts.concurrency}) while the server pushed back.`,
      '',
    )
  }
  if (t.notVerified)
    out.push(`⚠️ ${t.notVerified} file(s) not verified: the server sent no checksum.`, '')
  for (const note of facts.notes ?? []) out.push(`- ${md(note, redact)}`)
  if (facts.notes?.length) out.push('')

  const failed = results.filter((r) => r.status === 'failed' || r.status === 'cancelled')
  if (failed.length) {
    out.push(
      `### Failures (${failed.length})`,
      '',
      '| Source | Error | Attempts |',
      '| --- | --- | ---: |',
    )
    // At most 1000 rows and about 512 KiB: escaped server text can be several times its length.
    let listed = 0
    let size = 0
    for (const r of failed) {
      if (listed === 1000 || size > SUMMARY_FAILURES_MAX_CHARS) break
      const row = `| ${code(r.download.source, redact)} | ${md(r.error ?? r.status, redact)} | ${r.attempts} |`
      out.push(row)
      size += row.length
      listed++
    }
    if (failed.length > listed)
      out.push('', `…and ${failed.length - listed} more failures (see the \`errors\` output).`)
    out.push('')
  }

  const ok = results.filter((r) => r.status !== 'failed' && r.status !== 'cancelled')
  if (ok.length) {
    const header = [
      '| Source | Destination | Size | Time | Attempts | Status |',
      '| --- | --- | ---: | ---: | ---: | --- |',
    ]
    const row = (r: FileResult): string =>
      `| ${code(r.download.source, redact)} | ${code(relativeDest(r.download.dest, facts.target), redact)} | ${r.size !== undefined ? formatBytes(r.size) : '–'} | ${r.status === 'downloaded' ? formatDuration(r.durationMs) : '–'} | ${r.attempts} | ${statusText(r)} |`
    if (ok.length <= SUMMARY_FULL_TABLE_MAX) {
      out.push(`### Files (${ok.length})`, '', ...header, ...ok.map(row), '')
    } else {
      const largest = [...ok]
        .sort((a, b) => (b.size ?? 0) - (a.size ?? 0))
        .slice(0, SUMMARY_LARGEST)
      out.push(
        `### Largest ${largest.length} of ${ok.length} files`,
        '',
        ...header,
        ...largest.map(row),
        '',
      )
      out.push(
        `<details><summary>All ${ok.length} files by folder</summary>`,
        '',
        ...byFolder(ok, facts.target, redact),
        '',
        '</details>',
        '',
      )
    }
  }
  return out.join('\n')
}

function statusText(r: FileResult): string {
  switch (r.status) {
    case 'downloaded':
      return r.verified ? `downloaded, ${r.verified} ✓` : 'downloaded, not verified'
    case 'up-to-date':
      return 'up to date'
    case 'planned':
      return 'would download'
    default:
      return r.status
  }
}

/** Files counted per destination folder: bounded text for any number of files. */
function byFolder(results: FileResult[], target: string, redact: Redact): string[] {
  const folders = new Map<string, { files: number; bytes: number }>()
  for (const r of results) {
    const folder = path.dirname(relativeDest(r.download.dest, target))
    const f = folders.get(folder) ?? { files: 0, bytes: 0 }
    f.files++
    f.bytes += r.size ?? 0
    folders.set(folder, f)
  }
  const rows = [...folders.entries()].sort((a, b) => b[1].bytes - a[1].bytes)
  const rowsShown = rows.slice(0, 500)
  const lines = [
    '| Folder | Files | Size |',
    '| --- | ---: | ---: |',
    ...rowsShown.map(([f, s]) => `| ${code(f, redact)} | ${s.files} | ${formatBytes(s.bytes)} |`),
  ]
  if (rows.length > rowsShown.length)
    lines.push('', `…and ${rows.length - rowsShown.length} more folders.`)
  return lines
}

function relativeDest(dest: string, target: string): string {
  const rel = path.relative(target, dest)
  return rel && !rel.startsWith('..') ? rel : dest
}

/** Text that is not ours as Markdown that renders as that text, never as a link or HTML. */
function md(text: string, redact: Redact): string {
  return markdownText(shown(text, redact))
}

/** Text that is not ours as inline code. */
function code(text: string, redact: Redact): string {
  return markdownCode(shown(text, redact))
}
