import type { Progress } from '../engine/queue.ts'
import type { Settings } from '../input/settings.ts'
import { progressLine } from '../report/log-lines.ts'

/** One progress line every `progress-interval`; returns the function that stops them. */
export function startProgress(
  settings: Settings,
  progress: Progress,
  plannedTotal: number | undefined,
  started: number,
  info: (line: string) => void,
): () => void {
  if (settings.progressIntervalMs <= 0) return () => undefined
  let lastBytes = progress.bytes
  let lastTime = Date.now()
  const timer = setInterval(() => {
    const now = Date.now()
    const rate = ((progress.bytes - lastBytes) * 1000) / Math.max(1, now - lastTime)
    lastBytes = progress.bytes
    lastTime = now
    info(progressLine(progress, plannedTotal, now - started, rate))
  }, settings.progressIntervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
