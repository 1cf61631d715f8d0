import type { Progress } from '../engine/queue.ts'
import type { FileResult, RetryInfo } from '../engine/results.ts'
import { formatBytes, formatDuration, formatRate } from '../common/units.ts'
import type { Redact } from '../common/redact.ts'
import { attemptsText, relativeDest, shown } from './text.ts'

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
      // The engine's messages carry no count of attempts: the result does, said here once.
      return `✗ ${source}  ${shown(r.error ?? 'failed', redact)} (${attemptsText(r.attempts)})`
  }
}

/** The plain log line for a retry, written when it is decided. */
export function retryLine(info: RetryInfo, redact: Redact): string {
  // A count would be false here: the restart happens even with `retries: 0` ("retry 1/0").
  if (info.restartWhole)
    return `restarting ${shown(info.download.source, redact)} whole, without ranges: ${shown(info.error, redact)}`
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
