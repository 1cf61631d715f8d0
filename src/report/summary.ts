import * as path from 'node:path'
import type { FileResult } from '../engine/results.ts'
import { formatBytes, formatDuration, formatRate } from '../common/units.ts'
import { totals, type Totals } from './totals.ts'
import { failures, isEntryFailure, type Failure, type RunResult } from './results.ts'
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
  const ok = results.filter(
    (r): r is FileResult => !isEntryFailure(r) && r.status !== 'failed' && r.status !== 'cancelled',
  )
  return [
    ...headline(t, facts),
    ...failureTable(failures(results), redact),
    ...fileTables(ok, facts.target, redact),
  ].join('\n')
}

/** Title, the counts in one line, and the notes a reader should not miss. */
function headline(t: Totals, facts: RunFacts): string[] {
  const title = facts.dryRun ? 'Artifactory download (dry run)' : 'Artifactory download'
  const icon = t.failed + t.cancelled > 0 ? '❌' : '✅'
  const out = [`## ${icon} ${title}`, '', counts(t, facts).join(' · '), '']
  if (facts.minConcurrency < facts.concurrency) {
    out.push(
      `Concurrency: lowered to ${facts.minConcurrency} (of ${facts.concurrency}) while the server pushed back.`,
      '',
    )
  }
  if (t.notVerified)
    out.push(`⚠️ ${t.notVerified} file(s) not verified: the server sent no checksum.`, '')
  return out
}

/** A dry run counts what it would do; a real run what is in place, how fast, and the retries. */
function counts(t: Totals, facts: RunFacts): string[] {
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
  return head
}

/** Failures first, so that they are read before the files; none, no table. */
function failureTable(failed: Failure[], redact: Redact): string[] {
  if (!failed.length) return []
  const out = [
    `### Failures (${failed.length})`,
    '',
    '| Source | Error | Attempts |',
    '| --- | --- | ---: |',
  ]
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
  return out
}

/** Every file in one table, or past {@link SUMMARY_FULL_TABLE_MAX} the largest and a count per folder. */
function fileTables(ok: FileResult[], target: string, redact: Redact): string[] {
  if (!ok.length) return []
  const table = (rows: FileResult[]): string[] => [
    '| Source | Destination | Size | Time | Attempts | Status |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => fileRow(r, target, redact)),
  ]
  if (ok.length <= SUMMARY_FULL_TABLE_MAX) return [`### Files (${ok.length})`, '', ...table(ok), '']
  const largest = largestOf(ok, SUMMARY_LARGEST)
  return [
    `### Largest ${largest.length} of ${ok.length} files`,
    '',
    ...table(largest),
    '',
    `<details><summary>All ${ok.length} files by folder</summary>`,
    '',
    ...byFolder(ok, target, redact),
    '',
    '</details>',
    '',
  ]
}

/**
 * The `count` largest, as a stable sort by size (largest first) would give them: equal sizes in
 * run order. Kept in one short array: no copy and no sort of every file.
 */
function largestOf(results: FileResult[], count: number): FileResult[] {
  const top: FileResult[] = []
  for (const r of results) {
    const size = r.size ?? 0
    if (top.length === count && size <= (top[count - 1].size ?? 0)) continue
    // After every kept file at least as large: equal sizes stay in run order.
    let at = top.length
    while (at > 0 && (top[at - 1].size ?? 0) < size) at--
    top.splice(at, 0, r)
    if (top.length > count) top.pop()
  }
  return top
}

function fileRow(r: FileResult, target: string, redact: Redact): string {
  return `| ${code(r.download.source, redact)} | ${code(relativeDest(r.download.dest, target), redact)} | ${r.size !== undefined ? formatBytes(r.size) : '–'} | ${r.status === 'downloaded' ? formatDuration(r.durationMs) : '–'} | ${r.attempts} | ${statusText(r)} |`
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
