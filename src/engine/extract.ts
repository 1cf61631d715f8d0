// Archives are read by libraries, not by parsing what a `tar` program prints: GNU tar and
// bsdtar (macOS, Windows) print members differently, and a listing that cannot be parsed must
// refuse the archive rather than let it through. node-tar lists and unpacks tar and tar.gz;
// .tar.xz is decompressed by the `xz` program into the same node-tar path; yauzl lists and
// unpacks zip. Every step takes the run's AbortSignal: a cancelled step stops unpacking,
// removes what it wrote and the archive, and ends well within the runner's grace period.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { Parser, Unpack, type ReadEntry } from 'tar'
import yauzl from 'yauzl'
import { AttemptError, messageOf } from '../common/errors.ts'
import { serverText } from '../common/server-text.ts'
import { unsafeName } from '../plan/patterns.ts'
import { whileBusy } from './temp-file.ts'

/** Archive kinds `extract: true` unpacks, by file name. */
export type ArchiveKind = 'zip' | 'tar' | 'tgz' | 'txz'

/** The kind of archive a file name says it is, or undefined for any other file. */
function archiveKind(file: string): ArchiveKind | undefined {
  const name = file.toLowerCase()
  if (name.endsWith('.zip')) return 'zip'
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'tgz'
  if (name.endsWith('.tar.xz') || name.endsWith('.txz')) return 'txz'
  if (name.endsWith('.tar')) return 'tar'
  return undefined
}

/** One member of an archive, as the library read it. */
export interface Member {
  name: string
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'
  /** Where a link points (a symlink: relative to the member's folder; a hard link: to the archive's root). */
  link?: string
}

/** A member's name as a message may show it: the archive's author chose it. */
const shownName = (name: string): string => serverText(name, 200)

/** Test doubles for {@link extractArchive}: a removal refused as Windows scanners refuse it. */
export interface ExtractIo {
  remove?: (file: string) => Promise<void>
  wait?: (ms: number) => Promise<void>
  delaysMs?: readonly number[]
}

/**
 * Unpacks an archive where it lies, then removes it. Members are checked before anything is
 * written (no absolute paths, no `..`, no links leading outside), unpacked into a temporary
 * folder beside the archive, and only then moved into place: a corrupt, hostile or cancelled
 * archive leaves nothing behind. Returns the absolute paths of the extracted files.
 */
export async function extractArchive(
  file: string,
  signal?: AbortSignal,
  io: ExtractIo = {},
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
    checkMembers(name, await listMembers(file, kind, signal))
    await fsp.mkdir(temp, { recursive: true })
    await unpack(file, kind, temp, signal)
    const links: string[] = []
    const files = await walk(temp, links)
    await checkLinks(name, temp, links)
    await moveInto(temp, dir, moved, signal)
    await removeArchive()
    return files.map((f) => path.join(dir, path.relative(temp, f)))
  } catch (err) {
    // What went wrong is the message, not a removal that failed after it.
    await removeArchive().catch(() => undefined)
    if (signal?.aborted) {
      // A cancelled extraction leaves nothing: what was already moved into place goes too.
      for (const m of moved) await removeTree(m)
      throw new AttemptError('cancelled', `extracting ${name} was cancelled`, { cause: err })
    }
    throw err instanceof AttemptError
      ? err
      : new AttemptError('unsafe', `cannot extract ${name}: ${firstLine(messageOf(err))}`)
  } finally {
    await removeTree(temp)
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

/** Refuses any member that would land outside the folder, whatever its type. */
function checkMembers(name: string, members: Member[]): void {
  const clean = (m: Member): string => m.name.replace(/\/+$/, '').replace(/^(\.\/)+/, '')
  // A link is checked by where it points from its own folder as named; a member below a link
  // is written where the link leads on disk, which such a check cannot see (links that each
  // stay inside chain out). node-tar refuses them too; the zip unpacker would follow them.
  const links = new Set(
    // Without case: on Windows and macOS 'A' is the folder of 'a/x'.
    members
      .filter((m) => m.type === 'symlink' || m.type === 'hardlink')
      .map((m) => clean(m).toLowerCase()),
  )
  for (const m of members) {
    const cleanName = clean(m)
    if (cleanName === '' || cleanName === '.') continue
    const reason = unsafeName(cleanName)
    if (reason) {
      throw new AttemptError(
        'unsafe',
        `refused to extract ${name}: member '${shownName(m.name)}' ${reason}`,
      )
    }
    const under = links.size ? linkAbove(cleanName, links) : undefined
    if (under !== undefined) {
      throw new AttemptError(
        'unsafe',
        `refused to extract ${name}: member '${shownName(m.name)}' lies under the link '${shownName(under)}'`,
      )
    }
    if (m.type !== 'symlink' && m.type !== 'hardlink') continue
    const target = m.link ?? ''
    const from = m.type === 'symlink' ? path.posix.dirname(cleanName) : '.'
    const resolved = path.posix.normalize(path.posix.join(from, target))
    if (
      target === '' ||
      target.startsWith('/') ||
      /^[a-zA-Z]:/.test(target) ||
      target.includes('\\') ||
      resolved === '..' ||
      resolved.startsWith('../')
    ) {
      throw new AttemptError(
        'unsafe',
        `refused to extract ${name}: link '${shownName(m.name)}' points outside the archive ('${shownName(target)}')`,
      )
    }
  }
}

/** The first folder of `name` that is one of `links`, or undefined. */
function linkAbove(name: string, links: ReadonlySet<string>): string | undefined {
  for (let cut = name.indexOf('/'); cut > 0; cut = name.indexOf('/', cut + 1)) {
    const folder = name.slice(0, cut)
    if (links.has(folder.toLowerCase())) return folder
  }
  return undefined
}

const TAR_TYPES: Record<string, Member['type']> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  GNUDumpDir: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
}

async function listTar(file: string, kind: ArchiveKind, signal?: AbortSignal): Promise<Member[]> {
  const members: Member[] = []
  // strict: a damaged header is an error, not a warning that skips the member.
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      members.push({
        name: entry.path,
        type: TAR_TYPES[entry.type] ?? 'other',
        link: entry.linkpath,
      })
      entry.resume()
    },
  })
  await feed(tarStream(file, kind, signal), parser, 'end', signal)
  return members
}

/** Unpacks into `temp` with the library that listed the members. */
async function unpack(
  file: string,
  kind: ArchiveKind,
  temp: string,
  signal?: AbortSignal,
): Promise<void> {
  if (kind === 'zip') return unpackZip(file, temp, signal)
  const unpacker = new Unpack({
    cwd: temp,
    strict: true,
    // Files belong to the runner's user, not to whoever owned them where the archive was made.
    preserveOwner: false,
  })
  await feed(tarStream(file, kind, signal), unpacker, 'close', signal)
}

/**
 * Pipes `source` into a node-tar parser until it emits `done`; cancelling stops both at once.
 */
function feed(
  source: Readable,
  sink: Parser,
  done: 'end' | 'close',
  signal?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false
    const finish = (err?: unknown): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      if (err === undefined) resolve()
      else {
        source.destroy()
        reject(err)
      }
    }
    const onAbort = (): void => {
      // Stop reading and stop the parser. It still finishes the few members it has already
      // handed out (reads are small, see tarStream); removeTree outlasts those writes.
      source.unpipe(sink as unknown as NodeJS.WritableStream)
      source.destroy()
      sink.on('error', () => undefined)
      sink.abort(new Error('cancelled'))
      finish(signal?.reason ?? new Error('cancelled'))
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    source.on('error', finish)
    sink.on('error', finish)
    sink.once(done, () => finish())
    source.pipe(sink as unknown as NodeJS.WritableStream)
  })
}

/** The uncompressed (or gzip, which node-tar detects) tar stream of an archive. */
function tarStream(file: string, kind: ArchiveKind, signal?: AbortSignal): Readable {
  // Small reads: one 64 KiB read of a gzipped tar of tiny files holds thousands of members,
  // all of which would be unpacked before a cancellation could stop the parser.
  if (kind !== 'txz') return fs.createReadStream(file, { highWaterMark: 8 * 1024 })
  // node-tar reads no xz: the `xz` program decompresses (macOS and Linux runners have it).
  const child = spawn('xz', ['-dc', '--', file], { stdio: ['ignore', 'pipe', 'pipe'], signal })
  const out = child.stdout
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d
  })
  child.on('error', (err: NodeJS.ErrnoException) => {
    out.destroy(
      err.code === 'ENOENT'
        ? new AttemptError(
            'unsafe',
            `cannot extract ${shownName(path.basename(file))}: .tar.xz needs the xz program, which is not on PATH`,
          )
        : err,
    )
  })
  child.on('close', (code) => {
    if (code) out.destroy(new Error(firstLine(stderr) || `xz exited with ${code}`))
  })
  return out
}

interface ZipEntry {
  name: string
  entry: yauzl.Entry
  type: Member['type']
  mode: number
}

/** Opens a zip and walks its central directory; `each` sees every entry in order. */
async function eachZipEntry(
  file: string,
  signal: AbortSignal | undefined,
  each: (zip: yauzl.ZipFile, e: ZipEntry) => Promise<void>,
): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    // decodeStrings off: yauzl would refuse `..` and absolute names itself, with a message of
    // its own; the names are decoded below and checked by the same rule as tar members.
    yauzl.open(
      file,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false },
      (err, z) => (err ? reject(err) : resolve(z)),
    ),
  )
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason ?? new Error('cancelled'))
      signal?.addEventListener('abort', onAbort, { once: true })
      const done = (err?: unknown): void => {
        signal?.removeEventListener('abort', onAbort)
        if (err) reject(err)
        else resolve()
      }
      zip.on('error', done)
      zip.on('end', () => done())
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = entry.fileName as unknown as Buffer
        const name = yauzl.getFileNameLowLevel(
          entry.generalPurposeBitFlag,
          raw,
          entry.extraFields,
          false,
        )
        const mode = (entry.externalFileAttributes >>> 16) & 0xffff
        const kind = mode & 0o170000
        const type: Member['type'] =
          kind === 0o120000
            ? 'symlink'
            : name.endsWith('/') || kind === 0o040000
              ? 'directory'
              : 'file'
        each(zip, { name, entry, type, mode: mode & 0o777 }).then(
          () => (signal?.aborted ? undefined : zip.readEntry()),
          done,
        )
      })
      zip.readEntry()
    })
  } finally {
    zip.close()
  }
}

async function listZip(file: string, signal?: AbortSignal): Promise<Member[]> {
  const members: Member[] = []
  await eachZipEntry(file, signal, async (zip, e) => {
    // A zip symlink's target is its content.
    const link = e.type === 'symlink' ? await readEntryText(zip, e.entry, 4096) : undefined
    members.push({ name: e.name, type: e.type, link })
  })
  return members
}

async function unpackZip(file: string, temp: string, signal?: AbortSignal): Promise<void> {
  await eachZipEntry(file, signal, async (zip, e) => {
    const to = path.join(temp, e.name)
    if (e.type === 'directory') {
      await fsp.mkdir(to, { recursive: true })
      return
    }
    await fsp.mkdir(path.dirname(to), { recursive: true })
    if (e.type === 'symlink') {
      await fsp.symlink(await readEntryText(zip, e.entry, 4096), to)
      return
    }
    const body = await openEntry(zip, e.entry)
    // Keep the executable bits a zip from a Unix system carries; nothing else.
    const mode = e.mode & 0o111 ? 0o755 : 0o644
    await pipeline(body, fs.createWriteStream(to, { mode, flags: 'wx' }), { signal })
  })
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))),
  )
}

async function readEntryText(zip: yauzl.ZipFile, entry: yauzl.Entry, max: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of await openEntry(zip, entry)) {
    size += (chunk as Buffer).length
    if (size > max) throw new Error('a link target longer than 4 KiB')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
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

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim()) ?? text
}
