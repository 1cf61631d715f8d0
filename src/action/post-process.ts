import type { Settings } from '../input/settings.ts'
import type { Download } from '../plan/downloads.ts'

/**
 * Unpacks archives once in place: every file with `extract: true`, or the files of File Spec
 * entries with `explode: "true"`. Never in a dry run. The extraction code loads only when a
 * run has an archive to unpack.
 */
export function extractor(
  settings: Settings,
  downloads: Download[],
  signal: AbortSignal,
): ((file: string) => Promise<string[]>) | undefined {
  if (settings.dryRun) return undefined
  const explode = new Set(downloads.filter((d) => d.extract).map((d) => d.dest))
  if (!settings.extract && explode.size === 0) return undefined
  return (file) =>
    settings.extract || explode.has(file)
      ? import('../engine/extract.ts').then((m) => m.extractArchive(file, signal))
      : Promise.resolve([file])
}
