import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import pMap from 'p-map'
import { listFolder } from '../artifactory/list.ts'
import { artifactUrl } from '../input/entries.ts'
import { messageOf } from '../common/errors.ts'
import type { HttpClient } from '../net/http-client.ts'
import type { Download } from '../engine/download.ts'
import type { ListedFile } from '../artifactory/remote-file.ts'

/** Folders with fewer existing copies to check are left to one conditional request per file. */
const MIN_FILES_PER_LISTING = 4

export interface ListedChecksumsOptions {
  http: HttpClient
  /** Artifactory base URL: only files under it are looked up. */
  url: string
  signal: AbortSignal
  /** Why a listing could not help (refused, failed): for the debug log. */
  debug?: (line: string) => void
}

/**
 * Before a re-run over an existing target: for files that already have a local copy and no
 * known checksum, one File List API request per folder (`deep=0`) gives the server's SHA-256
 * and SHA-1 of all of them, so that deciding "up to date" needs no request per file: one
 * listing instead of a conditional GET per file (see README, Benchmark › Why the engine is
 * built this way, and the benchmark's re-run row).
 *
 * Best effort: where the API is refused (no Pro licence, anonymous user) or fails, nothing is
 * added and each file is checked with its own conditional request, as before.
 * @returns the downloads in the same order, a new object for each file that gained checksums
 *   (the ones given are left as they are), and how many gained them
 */
export async function withListedChecksums(
  downloads: Download[],
  o: ListedChecksumsOptions,
): Promise<{ downloads: Download[]; known: number }> {
  const gained = await listedChecksums(downloads, o)
  if (gained.size === 0) return { downloads, known: 0 }
  return { downloads: downloads.map((d) => gained.get(d) ?? d), known: gained.size }
}

/** The downloads that listings gave checksums to, each with its new version. */
async function listedChecksums(
  downloads: Download[],
  o: ListedChecksumsOptions,
): Promise<Map<Download, Download>> {
  const gained = new Map<Download, Download>()
  for (const group of foldersToList(downloads, o.url)) {
    const existing = await existingCopies(group.files)
    if (existing.length < MIN_FILES_PER_LISTING) continue
    const listed = await listGroup(group, o)
    // A refusal is the server's licence or the user's rights: every other folder would be too.
    if (listed === 'refused') return gained
    if (listed) addListed(gained, existing, listed, o.url)
  }
  return gained
}

/** Downloads under one folder of the server, listed together. */
interface FolderGroup {
  repo: string
  folder: string
  files: Download[]
}

/**
 * The folders worth one listing: downloads with no SHA-256 or SHA-1 yet, under `url`, grouped
 * by folder, in the order they first appear. Pure.
 */
function foldersToList(downloads: Download[], url: string): FolderGroup[] {
  const base = `${url}/`
  const byFolder = new Map<string, FolderGroup>()
  for (const d of downloads) {
    if (d.checksums.sha256 || d.checksums.sha1 || !d.url.startsWith(base)) continue
    const segments = d.url.slice(base.length).split('/').map(decodeURIComponent)
    if (segments.length < 2) continue
    const repo = segments[0]
    const folder = segments.slice(1, -1).join('/')
    const key = `${repo}/${folder}`
    let group = byFolder.get(key)
    if (!group) byFolder.set(key, (group = { repo, folder, files: [] }))
    group.files.push(d)
  }
  return [...byFolder.values()].filter((g) => g.files.length >= MIN_FILES_PER_LISTING)
}

/**
 * One folder's files; `refused` when the File List API is, undefined when this one listing
 * failed: both said in the debug log, as the lookup is best effort.
 */
async function listGroup(
  group: FolderGroup,
  o: ListedChecksumsOptions,
): Promise<ListedFile[] | 'refused' | undefined> {
  let listed
  try {
    listed = await listFolder(o.http, o.url, group, o.signal, false)
  } catch (error) {
    if (o.signal.aborted) throw error
    o.debug?.(`listing ${group.repo}/${group.folder} for checksums failed: ${messageOf(error)}`)
    return undefined
  }
  if (listed) return listed
  o.debug?.(`the File List API is refused: existing files are checked one by one`)
  return 'refused'
}

/** Adds to `gained` a new version of each existing copy the listing has a checksum for. */
function addListed(
  gained: Map<Download, Download>,
  existing: Download[],
  listed: ListedFile[],
  url: string,
): void {
  const byUrl = new Map(existing.map((d) => [d.url, d]))
  for (const file of listed) {
    const d = byUrl.get(artifactUrl(url, file.path))
    if (!d || (!file.sha256 && !file.sha1) || gained.has(d)) continue
    gained.set(d, withListed(d, file))
  }
}

/** A new download: the one given is the plan's and stays as it is. */
function withListed(d: Download, file: ListedFile): Download {
  return {
    ...d,
    checksums: {
      ...d.checksums,
      ...(file.sha256 ? { sha256: file.sha256 } : {}),
      ...(file.sha1 ? { sha1: file.sha1 } : {}),
    },
    size: d.size ?? file.size,
  }
}

/** The downloads whose destination already holds a regular file. */
async function existingCopies(files: Download[]): Promise<Download[]> {
  // A first run's folders do not exist yet: one look per folder, not a stat per file.
  const folders = new Set(
    await those([...new Set(files.map((d) => path.dirname(d.dest)))], isFolder),
  )
  return those(
    files.filter((d) => folders.has(path.dirname(d.dest))),
    (d) => isRegularFile(d.dest),
  )
}

/** A folder (followed through links, as a path to a file is). */
const isFolder = async (p: string): Promise<boolean> =>
  (await fsp.stat(p).catch(() => undefined))?.isDirectory() ?? false

/** A regular file itself, not a link to one. */
const isRegularFile = async (p: string): Promise<boolean> =>
  (await fsp.lstat(p).catch(() => undefined))?.isFile() ?? false

/**
 * The items that pass `test`, in their order; 64 tested at a time, so that 20,000 files do not
 * mean 20,000 concurrent stat calls.
 */
async function those<T>(items: T[], test: (item: T) => Promise<boolean>): Promise<T[]> {
  const passed = await pMap(items, test, { concurrency: 64 })
  return items.filter((_, i) => passed[i])
}
