import { formatBytes } from '../common/units.ts'

/** Memory use, for the debug log: large runs must stay bounded. */
export function memoryLine(when: string, m: NodeJS.MemoryUsage = process.memoryUsage()): string {
  return `memory ${when}: rss ${formatBytes(m.rss)}, heap ${formatBytes(m.heapUsed)} of ${formatBytes(m.heapTotal)}, external ${formatBytes(m.external)}`
}
