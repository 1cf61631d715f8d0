import * as fsp from 'node:fs/promises'
import * as core from '@actions/core'
import type { Settings } from '../input/settings.ts'
import type { Plan } from '../plan/plan-downloads.ts'
import { deleteUnplanned, unplannedFiles } from '../plan/sync-deletes.ts'
import type { SyncFacts } from '../report/summary.ts'
import { relativeDest } from '../report/text.ts'
import type { Ran } from './download.ts'
import type { Runner } from './runner.ts'

/**
 * After the downloads: creates the folders `includeDirs` entries found (empty ones included),
 * then, with `sync-deletes`, deletes the files under that folder that this run did not plan.
 * Nothing is deleted when any entry or file failed; a dry run only lists what would go.
 */
export async function afterDownloads(
  settings: Settings,
  plan: Plan,
  ran: Ran,
  runner: Runner,
): Promise<Ran & { sync?: SyncFacts }> {
  if (!settings.dryRun) {
    for (const folder of plan.folders) await fsp.mkdir(folder, { recursive: true })
  }
  const folder = settings.syncDeletes
  if (!folder) return ran
  const failed =
    plan.failures.length +
    ran.results.filter((r) => r.status === 'failed' || r.status === 'cancelled').length
  if (failed > 0) {
    const skipped = `${failed} entr${failed === 1 ? 'y or file' : 'ies or files'} failed`
    core.info(`sync-deletes: nothing deleted under ${folder}: ${skipped}`)
    return { ...ran, sync: { deleted: 0, skipped } }
  }
  const keep = [...plan.allDests]
  for (const r of ran.results) for (const f of r.files ?? []) keep.push(f)
  const files = await unplannedFiles(folder, keep, plan.caseInsensitive)
  const deleted = settings.dryRun
    ? files.length
    : await deleteUnplanned(folder, files, plan.folders)
  const verb = settings.dryRun ? 'would delete' : 'deleted'
  for (const f of files) runner.say(`${verb} ${relativeDest(f, settings.target)} (sync-deletes)`)
  core.info(
    `sync-deletes: ${deleted} file${deleted === 1 ? '' : 's'} ${settings.dryRun ? 'would be ' : ''}deleted under ${folder}`,
  )
  return { ...ran, sync: { deleted } }
}
