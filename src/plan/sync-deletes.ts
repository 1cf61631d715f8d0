// `sync-deletes`, as `jf rt dl --sync-deletes`: after a run, the folder holds only what this
// run planned. Deleting is the one thing this action does to files it did not write, so the
// walk stays inside the folder, never follows a link out of it, and leaves planned files and
// what unpacking them produced.
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

/**
 * The files and links under `folder` that are not in `keep`, sorted. Links are listed, never
 * followed; a missing folder has nothing to delete.
 * @param keep absolute paths to keep (planned destinations, unpacked files)
 * @param caseInsensitive the target compares names without case (a planned `A.txt` keeps `a.txt`)
 */
export async function unplannedFiles(
  folder: string,
  keep: Iterable<string>,
  caseInsensitive = false,
): Promise<string[]> {
  const fold = caseInsensitive ? (p: string) => p.toLowerCase() : (p: string) => p
  const kept = new Set<string>()
  for (const k of keep) kept.add(fold(path.resolve(k)))
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    let entries
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const e of entries) {
      const full = path.join(dir, e.name)
      // A Dirent describes the entry itself: a link to a folder is a link, not a folder.
      if (e.isDirectory()) await walk(full)
      else if (!kept.has(fold(full))) out.push(full)
    }
  }
  await walk(path.resolve(folder))
  return out.sort()
}

/**
 * Deletes `files` (from {@link unplannedFiles}), then the folders below `folder` that this left
 * empty and that are not in `keepFolders` (folders an entry with `includeDirs` created).
 * @returns how many files were deleted
 */
export async function deleteUnplanned(
  folder: string,
  files: string[],
  keepFolders: Iterable<string>,
): Promise<number> {
  const root = path.resolve(folder)
  const keep = new Set([...keepFolders].map((f) => path.resolve(f)))
  const emptied = new Set<string>()
  let deleted = 0
  for (const f of files) {
    const rel = path.relative(root, f)
    // Never outside the folder, whatever the list says.
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue
    await fsp.rm(f, { force: true })
    deleted++
    for (let dir = path.dirname(f); dir !== root && dir.startsWith(root); dir = path.dirname(dir))
      emptied.add(dir)
  }
  // Deepest first, so a parent is tried after its children went.
  for (const dir of [...emptied].sort((a, b) => b.length - a.length)) {
    if (keep.has(dir)) continue
    await fsp.rmdir(dir).catch(() => undefined)
  }
  return deleted
}
