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
  const job: Extraction = {
    file,
    kind,
    name: shownName(path.basename(file)),
    dir: path.dirname(file),
    temp: path.join(path.dirname(file), `.${path.basename(file)}.artdl-extract`),
    moved: [],
    removeArchive: archiveRemover(file, io),
    signal,
  }
  await removeTree(job.temp)
  try {
    return await unpackInPlace(job, options)
  } catch (err) {
    throw await undoExtraction(job, err, options.root)
  } finally {
    await removeTree(job.temp)
  }
}

/** One archive being extracted: where it lies, its temporary folder, and what was moved. */
interface Extraction {
  file: string
  kind: ArchiveKind
  /** The archive's name as messages show it. */
  name: string
  /** The folder it lies in, where its tree goes. */
  dir: string
  /** The folder beside it that it is unpacked into first. */
  temp: string
  /** What was renamed into place so far, for a cancelled run to take back. */
  moved: string[]
  removeArchive: () => Promise<void>
  signal: AbortSignal | undefined
}

/** Removes the archive, again while a Windows scanner that opened it refuses for a moment. */
function archiveRemover(file: string, io: ExtractIo): () => Promise<void> {
  return () =>
    whileBusy(
      () => (io.remove ?? ((f: string) => fsp.rm(f, { force: true })))(file),
      io.wait ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      io.delaysMs,
    )
}

/**
 * Checks, unpacks into the temporary folder and moves into place, then records the tree and
 * removes the archive. An archive recorded as unpacked before only goes.
 */
async function unpackInPlace(job: Extraction, options: ExtractOptions): Promise<string[]> {
  const { file, kind, name, dir, temp, signal } = job
  signal?.throwIfAborted()
  const digests = await digestsOf(file)
  const record = await readRecord(file)
  if (record && record.sha256 === digests.sha256) {
    // Unpacked completely before (a run stopped before it removed the archive).
    await job.removeArchive()
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
  await moveInto(temp, dir, job.moved, signal)
  const placed = files.map((f) => path.join(dir, path.relative(temp, f)))
  await writeRecord(file, { ...digests, files: placed })
  await job.removeArchive()
  return placed
}

/**
 * Takes back a failed or cancelled extraction (the archive, the temporary folder, the folders
 * left empty up to `root`, and on cancel what was already moved) and returns the error to throw.
 */
async function undoExtraction(
  job: Extraction,
  err: unknown,
  root: string | undefined,
): Promise<unknown> {
  const { name, signal } = job
  // What went wrong is the message, not a removal that failed after it.
  await job.removeArchive().catch(() => undefined)
  if (signal?.aborted) {
    // A cancelled extraction leaves nothing: what was already moved into place goes too.
    for (const m of job.moved) await removeTree(m)
  }
  await removeTree(job.temp)
  await removeEmptyFolders(job.dir, root)
  if (signal?.aborted) {
    return new AttemptError('cancelled', `extracting ${name} was cancelled`, { cause: err })
  }
  return err instanceof AttemptError
    ? err
    : new AttemptError('unsafe', `cannot extract ${name}: ${firstLine(messageOf(err))}`)
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
