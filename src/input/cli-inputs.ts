// The inputs that carry `jf rt download` habits over: `project`, `if-no-files-found` and
// `sync-deletes`.
import * as path from 'node:path'
import { InputError } from '../common/errors.ts'
import { checkProject } from './file-spec.ts'

/** How an entry that selects nothing ends (`if-no-files-found`, as actions/upload-artifact names it). */
export type IfNoFilesFound = 'error' | 'warn' | 'ignore'

/** The `project` input: a JFrog Project key, or undefined when not given. */
export function readProject(value: string): string | undefined {
  return value.trim() === '' ? undefined : checkProject(value, "Input 'project'")
}

/** The `if-no-files-found` input; `error` when not given. */
export function readIfNoFilesFound(value: string): IfNoFilesFound {
  const v = value.trim().toLowerCase()
  if (v === '') return 'error'
  if (v === 'error' || v === 'warn' || v === 'ignore') return v
  throw new InputError(
    `Input 'if-no-files-found' must be 'error', 'warn' or 'ignore', got '${value}'`,
  )
}

/**
 * The `sync-deletes` input: a folder, relative to the workspace as `target` is, that must lie
 * inside `target` (or be it, unless `target` holds the workspace: a checkout is no download
 * folder to empty).
 * @returns the absolute folder, or undefined when not given
 */
export function readSyncDeletes(
  value: string,
  workspace: string,
  target: string,
): string | undefined {
  if (value.trim() === '') return undefined
  const folder = path.resolve(workspace, value.trim())
  const rel = path.relative(target, folder)
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new InputError(
      `Input 'sync-deletes' must be a folder inside 'target' (${target}), got '${value}' (${folder})`,
    )
  }
  const ws = path.relative(folder, path.resolve(workspace))
  if (ws === '' || !(ws === '..' || ws.startsWith(`..${path.sep}`) || path.isAbsolute(ws))) {
    throw new InputError(
      `Input 'sync-deletes' must not hold the workspace (${workspace}): it would delete every other file of the checkout; name a folder below it`,
    )
  }
  return folder
}
