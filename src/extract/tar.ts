// node-tar lists and unpacks tar and tar.gz; .tar.xz is decompressed by the `xz` program into
// the same node-tar path. Every step takes the run's AbortSignal.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { Parser, Unpack, type ReadEntry } from 'tar'
import { AttemptError } from '../common/errors.ts'
import { firstLine, shownName, type Member } from './members.ts'

/** The tar kinds: plain, gzip (which node-tar detects), and xz. */
export type TarKind = 'tar' | 'tgz' | 'txz'

const TAR_TYPES: Record<string, Member['type']> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  GNUDumpDir: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
}

/** Every member of a tar archive; a damaged header fails the archive. */
export async function listTar(
  file: string,
  kind: TarKind,
  signal?: AbortSignal,
): Promise<Member[]> {
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

/** Unpacks a tar archive into `temp` with the library that listed its members. */
export async function unpackTar(
  file: string,
  kind: TarKind,
  temp: string,
  signal?: AbortSignal,
): Promise<void> {
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
function tarStream(file: string, kind: TarKind, signal?: AbortSignal): Readable {
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
