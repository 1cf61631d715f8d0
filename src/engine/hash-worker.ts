// The hashing thread (started by HashPool in hasher.ts). It follows each file on disk: it reads
// back what the main thread reports written (from the page cache) and hashes it, so nothing is
// copied between threads and the main thread is left with receiving and writing.
//
// dist/ ships it as JavaScript, bundled on its own (scripts/build.ts); from src/ (tests) Node
// runs this file as it is, stripping its types, so it uses erasable TypeScript only. It imports
// nothing but Node's own modules, so that a thread starts without loading anything else.
import { createHash, type Hash } from 'node:crypto'
import * as fs from 'node:fs'
import { parentPort } from 'node:worker_threads'

/** A message from the main thread. */
export type HashRequest =
  | { op: 'open'; id: number; path: string; algorithm: string }
  | { op: 'advance'; id: number; upTo: number }
  | { op: 'digest'; id: number; total: number }
  | { op: 'close'; id: number }

/** The answer to a `digest` request. */
export type HashReply = { id: number; digest: string } | { id: number; error: string }

interface Job {
  path: string
  hash: Hash
  hashed: number
  fd?: number
  /** A read that failed before the digest was asked for: reported with the digest. */
  error?: unknown
}

const jobs = new Map<number, Job>()
const buffer = Buffer.allocUnsafe(1024 * 1024)

/** Hashes the job's file up to `upTo`, reading what is not hashed yet. */
function catchUp(job: Job, upTo: number): void {
  job.fd ??= fs.openSync(job.path, 'r')
  while (job.hashed < upTo) {
    const want = Math.min(buffer.length, upTo - job.hashed)
    const n = fs.readSync(job.fd, buffer, 0, want, job.hashed)
    if (n === 0) throw new Error(`the file ends at byte ${job.hashed}, before ${upTo}`)
    job.hash.update(buffer.subarray(0, n))
    job.hashed += n
  }
}

function close(id: number): void {
  const job = jobs.get(id)
  jobs.delete(id)
  if (job?.fd !== undefined) fs.closeSync(job.fd)
}

function reply(message: HashReply): void {
  parentPort?.postMessage(message)
}

/** Handles one request from the main thread. */
function handle(m: HashRequest): void {
  if (m.op === 'open') {
    jobs.set(m.id, { path: m.path, hash: createHash(m.algorithm), hashed: 0 })
    return
  }
  const job = jobs.get(m.id)
  if (!job) return
  if (m.op === 'close') {
    close(m.id)
    return
  }
  try {
    if (m.op === 'advance') {
      if (job.error === undefined) catchUp(job, m.upTo)
      return
    }
    if (job.error !== undefined) throw job.error
    catchUp(job, m.total)
    const digest = job.hash.digest('hex')
    close(m.id)
    reply({ id: m.id, digest })
  } catch (error) {
    if (m.op === 'advance') {
      job.error = error
      return
    }
    try {
      close(m.id)
    } catch {
      // The descriptor is gone with the job either way.
    }
    reply({ id: m.id, error: error instanceof Error ? error.message : String(error) })
  }
}

parentPort?.on('message', handle)
