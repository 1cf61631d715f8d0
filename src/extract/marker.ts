// A completed extraction leaves a small record beside where its archive lay: the archive's
// size and digests, and the files it unpacked. The archive itself is removed once unpacked, so
// without the record a re-run could not tell a tree that is complete from one a killed run left
// half-written, nor know that the archive on the server is the one that was unpacked.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

/** What a completed extraction of one archive recorded. */
export interface ExtractionRecord {
  size: number
  /** Lowercase hex digests of the archive that was unpacked. */
  sha256: string
  sha1: string
  /** The files it left, absolute. */
  files: string[]
}

/** Where the record of `archive`'s extraction lives: a hidden file beside it. */
export function markerPath(archive: string): string {
  return path.join(path.dirname(archive), `.${path.basename(archive)}.artdl-extracted.json`)
}

/** Whether a file name is an extraction's record (it lists no file of the archive's). */
export function isMarker(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.artdl-extracted.json')
}

/** Size, SHA-256 and SHA-1 of a file, in one read. */
export async function digestsOf(file: string): Promise<Omit<ExtractionRecord, 'files'>> {
  const sha256 = createHash('sha256')
  const sha1 = createHash('sha1')
  let size = 0
  for await (const chunk of fs.createReadStream(file)) {
    sha256.update(chunk as Buffer)
    sha1.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return { size, sha256: sha256.digest('hex'), sha1: sha1.digest('hex') }
}

/** Writes the record (whole or not at all: a rename into place). */
export async function writeRecord(archive: string, record: ExtractionRecord): Promise<void> {
  const dir = path.dirname(archive)
  const body = JSON.stringify({
    version: 1,
    size: record.size,
    sha256: record.sha256,
    sha1: record.sha1,
    files: record.files.map((f) => path.relative(dir, f).split(path.sep).join('/')),
  })
  const marker = markerPath(archive)
  const temp = `${marker}.tmp`
  await fsp.writeFile(temp, body)
  await fsp.rename(temp, marker)
}

/** Removes the record: the tree it describes is about to change. */
export async function removeRecord(archive: string): Promise<void> {
  await fsp.rm(markerPath(archive), { force: true })
}

/**
 * The record of `archive`'s extraction when it is whole and every file it lists is still
 * there, else undefined: a missing file means the tree is no longer what was unpacked.
 */
export async function readRecord(archive: string): Promise<ExtractionRecord | undefined> {
  const dir = path.dirname(archive)
  let raw: unknown
  try {
    raw = JSON.parse(await fsp.readFile(markerPath(archive), 'utf8'))
  } catch {
    return undefined
  }
  const r = raw as Partial<Record<'size' | 'sha256' | 'sha1' | 'files', unknown>>
  if (
    typeof r.size !== 'number' ||
    typeof r.sha256 !== 'string' ||
    typeof r.sha1 !== 'string' ||
    !Array.isArray(r.files) ||
    !r.files.every((f): f is string => typeof f === 'string')
  ) {
    return undefined
  }
  const files = r.files.map((f) => path.resolve(dir, f))
  // Only files under the folder: the record is a file on disk, not to be trusted further.
  if (files.some((f) => path.relative(dir, f).startsWith('..'))) return undefined
  for (const f of files) {
    if (!(await fsp.lstat(f).catch(() => undefined))) return undefined
  }
  return { size: r.size, sha256: r.sha256, sha1: r.sha1, files }
}
