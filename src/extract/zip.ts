// yauzl lists and unpacks zip, reading the central directory; every step takes the run's
// AbortSignal.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import yauzl from 'yauzl'
import type { Member } from './members.ts'

interface ZipEntry {
  name: string
  entry: yauzl.Entry
  type: Member['type']
  mode: number
}

/** Every member of a zip archive (a symlink's target is its content). */
export async function listZip(file: string, signal?: AbortSignal): Promise<Member[]> {
  const members: Member[] = []
  await eachZipEntry(file, signal, async (zip, e) => {
    const link = e.type === 'symlink' ? await readEntryText(zip, e.entry, 4096) : undefined
    members.push({ name: e.name, type: e.type, link })
  })
  return members
}

/** Unpacks a zip archive into `temp` with the library that listed its members. */
export async function unpackZip(file: string, temp: string, signal?: AbortSignal): Promise<void> {
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
