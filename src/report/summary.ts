import * as path from 'node:path'
import type { FileResult } from '../engine/results.ts'
import { formatBytes, formatDuration, formatRate } from '../common/units.ts'
import { totals } from './totals.ts'
import { failures, fileResults, type RunResult } from './results.ts'
import type { Redact } from '../common/redact.ts'
import { code, esc, relativeDest } from './text.ts'

/** What `sync-deletes` did. */
export interface SyncFacts {
  /** Files deleted (in a dry run: that would be deleted). */
  deleted: number
  /** Why nothing was deleted, when something failed. */
  skipped?: string
}

/** Facts of the run the results alone do not hold. */
export interface RunFacts {
  wallMs: number
  target: string
  dryRun: boolean
  concurrency: number
  minConcurrency: number
  /** Set when `sync-deletes` was given. */
  sync?: SyncFacts
}

/** Above this many files the table keeps the failures and the largest files only. */
export const SUMMARY_FULL_TABLE_MAX = 100
const SUMMARY_LARGEST = 50
const SUMMARY_FAILURES_MAX_CHARS = 512 * 1024

/**
 * The job summary as Markdown: headline, failures first, then the files. Stays far below
 * GitHub's 1 MiB limit (beyond it the runner drops the whole summary) at any number of files.
 */
export function summaryMarkdown(results: RunResult[], facts: RunFacts, redact: Redact): string {
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
  if (facts.sync) {
    head.push(
      facts.sync.skipped
        ? `nothing deleted (sync-deletes: ${facts.sync.skipped})`
        : `**${facts.sync.deleted}** ${facts.dryRun ? 'to delete' : 'deleted'} (sync-deletes)`,
    )
  }
  out.push(head.join(' · '), '')
  if (facts.minConcurrency < facts.concurrency) {
    out.push(
      `Concurrency: lowered to ${facts.minConcurrency} (of ${facts.concurrency}) while the server pushed back.`,
      '',
    )
  }
  if (t.notVerified)
    out.push(`⚠️ ${t.notVerified} file(s) not verified: the server sent no checksum.`, '')

  const failed = failures(results)
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
    for (const f of failed) {
      if (listed === 1000 || size > SUMMARY_FAILURES_MAX_CHARS) break
      const row = `| ${code(f.source, redact)} | ${esc(f.message, redact)} | ${f.attempts} |`
      out.push(row)
      size += row.length
      listed++
    }
    if (failed.length > listed)
      out.push('', `…and ${failed.length - listed} more failures (see the \`errors\` output).`)
    out.push('')
  }

  const ok = fileResults(results).filter((r) => r.status !== 'failed' && r.status !== 'cancelled')
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
