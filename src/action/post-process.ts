import type { NameFolding } from '../common/file-names.ts'
import type { EngineOptions } from '../engine/queue.ts'
import type { Settings } from '../input/settings.ts'
import type { Download } from '../engine/download.ts'
// Static, unlike the extraction code: it is small, and the archive and tool-cache chunks then
// share the main bundle's copy instead of each carrying its own.
import { readRecord } from '../extract/marker.ts'

/**
 * Unpacks archives once in place: every file with `extract: true`, or the files of File Spec
 * entries with `explode: "true"`. Never in a dry run. The extraction code loads only when a
 * run has an archive to unpack.
 */
export function extractor(
  settings: Settings,
  downloads: Download[],
  signal: AbortSignal,
  folding: NameFolding,
): Pick<EngineOptions, 'postProcess' | 'recordedCopy'> {
  const explode = new Set(downloads.filter((d) => d.extract).map((d) => d.dest))
  if (!settings.extract && explode.size === 0) return {}
  const wanted = (file: string): boolean => settings.extract || explode.has(file)
  const options = { ...folding, names: settings.names, root: settings.target }
  return {
    postProcess: settings.dryRun
      ? undefined
      : (file) =>
          wanted(file)
            ? import('../extract/archive.ts').then((m) =>
                m.extractArchive(file, signal, {}, options),
              )
            : Promise.resolve([file]),
    // Read only: a dry run says an unpacked archive is up to date as a real run would.
    recordedCopy: (file) => (wanted(file) ? readRecord(file) : Promise.resolve(undefined)),
  }
}
