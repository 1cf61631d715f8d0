import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import type { HttpClient, HttpResponse } from '../net/http-client.ts'
import { discard, drain } from './bodies.ts'
import { headerChecksums, strongest, type Algorithm } from './checksums.ts'
import type { Download } from './download.ts'

/** A file that post-processing replaced, as it recorded it (lowercase hex digests). */
export interface RecordedCopy {
  size: number
  sha256: string
  sha1: string
  /** The files it left, absolute. */
  files: string[]
}

/** A copy at the destination that is current. */
export interface Existing {
  size: number
  algorithm?: Algorithm
  requested: boolean
}

/** What the check of an existing copy found. */
export interface ExistingCheck {
  /** The copy is current. */
  current?: Existing
  /** The answer to a conditional GET that carries the new body: the download uses it. */
  response?: HttpResponse
}

/** What the check asks with. */
export interface ExistingCheckDeps {
  http: HttpClient
  /** Ask with HEAD: a dry run must not receive file bodies. */
  dryRun: boolean
  signal: AbortSignal
}

/**
 * Whether the destination already holds the right bytes. Known checksums (from a listing)
 * decide without a request; otherwise one conditional request asks the server: Artifactory's
 * ETag is the SHA-1, so `If-None-Match` with the local SHA-1 earns a 304, and any server's
 * checksum headers are compared too. Size and name alone never decide.
 *
 * The request is a conditional GET, not a HEAD: undici closes the connection after every HEAD
 * (for servers that wrongly send a body), so 500 HEADs meant 500 new connections and a re-run
 * slower than the first run (see README, Benchmark › Why the engine is built this way). A
 * changed file's body comes with the answer and is not requested twice. A dry run asks with
 * HEAD: it must not receive file bodies. `existing` is the copy as named on disk (on a
 * case-insensitive target its case may differ from the planned name's).
 */
export async function checkExisting(
  d: Readonly<Download>,
  deps: ExistingCheckDeps,
  existing: string = d.dest,
  recorded?: RecordedCopy,
): Promise<ExistingCheck> {
  // A recorded copy (an extracted archive) is its record: the file itself is gone.
  let size: number
  if (recorded) size = recorded.size
  else {
    const stat = await fsp.lstat(existing).catch(() => undefined)
    // A symlink is not trusted as "the file": renaming over it replaces the link, not its target.
    if (!stat?.isFile()) return {}
    size = stat.size
  }
  const planned = strongest(d.checksums)
  // Only what can be compared: the planned algorithm, or SHA-1 (Artifactory's ETag) and
  // SHA-256 (the strongest header). A server that gives only MD5 gets the file downloaded again.
  const local: Partial<Record<Algorithm, string>> =
    recorded ?? (await hashFile(existing, size, planned ? [planned.algorithm] : ['sha256', 'sha1']))
  if (planned) {
    return local[planned.algorithm] === planned.digest
      ? { current: { size, algorithm: planned.algorithm, requested: false } }
      : {}
  }
  // A record always has it, and with nothing planned the copy was hashed with SHA-1.
  const sha1 = local.sha1
  if (sha1 === undefined) return {}
  const res = await deps.http.request(d.url, {
    method: deps.dryRun ? 'HEAD' : 'GET',
    // Bare, as Artifactory sends its ETag: 6.x compares If-None-Match as an exact string.
    headers: { 'if-none-match': sha1 },
    signal: deps.signal,
  })
  if (res.status === 304) {
    drain(res.body)
    return { current: { size, algorithm: 'sha1', requested: true } }
  }
  const remote = res.status === 200 ? strongest(headerChecksums(res.headers).checksums) : undefined
  if (remote && local[remote.algorithm] === remote.digest) {
    // Current after all (a server whose ETag is not the SHA-1): drop the body.
    discard(res.body)
    return { current: { size, algorithm: remote.algorithm, requested: true } }
  }
  if (deps.dryRun) {
    drain(res.body)
    return {}
  }
  // Changed, or an error status: the first attempt takes this response as its own.
  return { response: res }
}

async function hashFile(
  file: string,
  size: number,
  algorithms: readonly Algorithm[],
): Promise<Partial<Record<Algorithm, string>>> {
  const hashes = algorithms.map((a) => [a, createHash(a)] as const)
  // A read buffer no larger than the file: a 1 MiB buffer per small file made hundreds of MiB
  // of garbage on a re-run of small files (see README, Benchmark › Why the engine is built
  // this way).
  const highWaterMark = Math.max(16 * 1024, Math.min(1024 * 1024, size))
  for await (const chunk of fs.createReadStream(file, { highWaterMark })) {
    for (const [, h] of hashes) h.update(chunk as Buffer)
  }
  return Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')]))
}
