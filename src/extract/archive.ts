// Archives are read by libraries, not by parsing what a `tar` program prints: GNU tar and
// bsdtar (macOS, Windows) print members differently, and a listing that cannot be parsed must
// refuse the archive rather than let it through. Every step takes the run's AbortSignal: a
// cancelled step stops unpacking, removes what it wrote and the archive, and ends well within
// the runner's grace period.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { AttemptError, messageOf } from '../common/errors.ts'
import { whileBusy } from '../engine/temp-file.ts'
import { digestsOf, readRecord, removeRecord, writeRecord } from './marker.ts'
import { checkMembers, firstLine, shownName, type Member, type MemberRules } from './members.ts'
import { listTar, unpackTar } from './tar.ts'
import { listZip, unpackZip } from './zip.ts'

export type { Member, MemberRules } from './members.ts'

/** Archive kinds `extract: true` unpacks, by file name. */
export type ArchiveKind = 'zip' | 'tar' | 'tgz' | 'txz'

/** The kind of archive a file name says it is, or undefined for any other file. */
export function archiveKind(file: string): ArchiveKind | undefined {
  const name = file.toLowerCase()
  if (name.endsWith('.zip')) return 'zip'
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'tgz'
  if (name.endsWith('.tar.xz') || name.endsWith('.txz')) return 'txz'
  if (name.endsWith('.tar')) return 'tar'
  return undefined
}

/** Test doubles for {@link extractArchive}: a removal refused as Windows scanners refuse it. */
export interface ExtractIo {
  remove?: (file: string) => Promise<void>
  wait?: (ms: number) => Promise<void>
  delaysMs?: readonly number[]
}

/** What the target allows, and where the run's folders begin. */
export interface ExtractOptions extends MemberRules {
  /**
   * The run's target: a failed extraction removes the folders it leaves empty up to here (the
   * download created them for the archive), never this folder itself or above.
   */
  root?: string
}

/**
 * Unpacks an archive where it lies, then removes it. Members are checked before anything is
 * written (no absolute paths, no `..`, no links leading outside, no name the runner's OS cannot
 * create, no two members that are one file on the target), unpacked into a temporary folder
 * beside the archive, and only then moved into place: a corrupt, hostile or cancelled archive
 * leaves nothing behind. A completed extraction is recorded (marker.ts), so an archive that is
 * still there after its tree was completed is not unpacked again. Returns the absolute paths of
 * the extracted files.
 */
export async function extractArchive(
  file: string,
  signal?: AbortSignal,
  io: ExtractIo = {},
  options: ExtractOptions = {},
): Promise<string[]> {
  const kind = archiveKind(file)
  if (!kind) return [file]
  // A scanner that opened the fresh archive refuses its removal for a moment on Windows.
  const removeArchive = (): Promise<void> =>
    whileBusy(
      () => (io.remove ?? ((f: string) => fsp.rm(f, { force: true })))(file),
      io.wait ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      io.delaysMs,
    )
  const name = shownName(path.basename(file))
  const dir = path.dirname(file)
  const temp = path.join(dir, `.${path.basename(file)}.artdl-extract`)
  const moved: string[] = []
  await removeTree(temp)
  try {
    signal?.throwIfAborted()
    const digests = await digestsOf(file)
    const record = await readRecord(file)
    if (record && record.sha256 === digests.sha256) {
      // Unpacked completely before (a run stopped before it removed the archive).
      await removeArchive()
      return record.files
    }
    checkMembers(name, await listMembers(file, kind, signal), options)
    await fsp.mkdir(temp, { recursive: true })
    if (kind === 'zip') await unpackZip(file, temp, signal)
    else await unpackTar(file, kind, temp, signal)
    const links: string[] = []
    const files = await walk(temp, links)
    await checkLinks(name, temp, links)
    // The old record goes before the tree changes: a run killed while moving leaves none.
    await removeRecord(file)
    await moveInto(temp, dir, moved, signal)
    const placed = files.map((f) => path.join(dir, path.relative(temp, f)))
    await writeRecord(file, { ...digests, files: placed })
    await removeArchive()
    return placed
  } catch (err) {
    // What went wrong is the message, not a removal that failed after it.
    await removeArchive().catch(() => undefined)
    if (signal?.aborted) {
      // A cancelled extraction leaves nothing: what was already moved into place goes too.
      for (const m of moved) await removeTree(m)
    }
    await removeTree(temp)
    await removeEmptyFolders(dir, options.root)
    if (signal?.aborted) {
      throw new AttemptError('cancelled', `extracting ${name} was cancelled`, { cause: err })
    }
    throw err instanceof AttemptError
      ? err
      : new AttemptError('unsafe', `cannot extract ${name}: ${firstLine(messageOf(err))}`)
  } finally {
    await removeTree(temp)
  }
}

/** Every member of an archive, read by a library; a member it cannot read fails the archive. */
export async function listMembers(
  file: string,
  kind: ArchiveKind,
  signal?: AbortSignal,
): Promise<Member[]> {
  try {
    return kind === 'zip' ? await listZip(file, signal) : await listTar(file, kind, signal)
  } catch (err) {
    if (signal?.aborted || err instanceof AttemptError) throw err
    throw new AttemptError(
      'unsafe',
      `cannot extract ${shownName(path.basename(file))}: the archive is corrupt (${firstLine(messageOf(err))})`,
    )
  }
}

/**
 * Removes `dir` and the folders above it while they are empty, stopping below `root` (the
 * run's target): the download made them for the archive, and a failed extraction must not leave
 * them behind. Without a root nothing is removed.
 */
async function removeEmptyFolders(dir: string, root: string | undefined): Promise<void> {
  if (root === undefined) return
  for (let d = dir; ; d = path.dirname(d)) {
    const rel = path.relative(root, d)
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return
    // rmdir removes only an empty folder: anything else ends the walk.
    if (
      !(await fsp.rmdir(d).then(
        () => true,
        () => false,
      ))
    )
      return
  }
}

/**
 * Moves the unpacked tree into place: a folder that does not exist yet moves whole (one
 * rename for a folder of 1,000 files), one that does is merged into. `moved` records each
 * rename, so a cancelled run can take them back.
 */
async function moveInto(
  from: string,
  to: string,
  moved: string[],
  signal?: AbortSignal,
): Promise<void> {
  for (const entry of await fsp.readdir(from, { withFileTypes: true })) {
    signal?.throwIfAborted()
    const src = path.join(from, entry.name)
    const dst = path.join(to, entry.name)
    const existing = await fsp.lstat(dst).catch(() => undefined)
    if (entry.isDirectory() && existing?.isDirectory()) await moveInto(src, dst, moved, signal)
    else {
      await fsp.rename(src, dst)
      moved.push(dst)
    }
  }
}

/**
 * Removes a folder even while a cancelled unpacker still finishes a file or two in it
 * (`ENOTEMPTY` is retried): cancelling must not leave the temporary folder behind. Node's own
 * `maxRetries` also retries EBUSY and EPERM, as a Windows scanner causes them.
 */
async function removeTree(dir: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await fsp.rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 })
    await new Promise((r) => setTimeout(r, i === 0 ? 0 : 50))
    if (!fs.existsSync(dir)) return
  }
}

/**
 * Every regular file and link under a folder, links also into `links` (a loop, not recursion
 * with spreads: archives can hold 100,000 members).
 */
async function walk(root: string, links: string[]): Promise<string[]> {
  const out: string[] = []
  const folders = [root]
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    for (const entry of await fsp.readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name)
      if (entry.isDirectory()) folders.push(full)
      else out.push(full)
      if (entry.isSymbolicLink()) links.push(full)
    }
  }
  return out
}

/** Refuses any extracted link that resolves outside the extraction folder (a second line of defence). */
async function checkLinks(name: string, root: string, links: string[]): Promise<void> {
  for (const f of links) {
    const target = await fsp.readlink(f)
    const rel = path.relative(root, path.resolve(path.dirname(f), target))
    if (path.isAbsolute(target) || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new AttemptError(
        'unsafe',
        `refused to extract ${name}: link '${shownName(path.relative(root, f))}' points outside the archive ('${shownName(target)}')`,
      )
    }
  }
}
