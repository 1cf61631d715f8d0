import { AttemptError } from '../common/errors.ts'
import { toDigest } from '../common/hex-digest.ts'
import type { Checksums } from './download.ts'

/** The digest algorithms we verify with, strongest first. ETag is never one of them. */
export type Algorithm = 'sha256' | 'sha1' | 'md5'
const ALGORITHMS: Algorithm[] = ['sha256', 'sha1', 'md5']

/** Hex digits per algorithm. */
const HEX_LENGTH: Record<Algorithm, number> = { sha256: 64, sha1: 40, md5: 32 }

/** A digest to compare with. */
export interface ExpectedDigest {
  algorithm: Algorithm
  digest: string
}

/** The strongest checksum among those known. */
export function strongest(checksums: Checksums): ExpectedDigest | undefined {
  for (const algorithm of ALGORITHMS) {
    const digest = checksums[algorithm]
    if (digest) return { algorithm, digest: digest.toLowerCase() }
  }
  return undefined
}

/** What a response's `X-Checksum-*` headers say. */
export interface HeaderChecksums {
  /** The usable digests. */
  checksums: Checksums
  /**
   * Headers present but unusable (truncated or non-hex values, two different values), strongest
   * first, as `X-Checksum-Sha256: <why>`. Identical duplicates (`a, a`, from a proxy that
   * repeats headers) are usable.
   */
  unusable: { algorithm: Algorithm; problem: string }[]
}

/** Artifactory's X-Checksum-* headers (any server may send them). */
export function headerChecksums(headers: Record<string, string>): HeaderChecksums {
  const out: HeaderChecksums = { checksums: {}, unusable: [] }
  for (const algorithm of ALGORITHMS) {
    const name = headerName(algorithm)
    const raw = headers[name.toLowerCase()]
    if (raw === undefined) continue
    // Repeated headers arrive joined with ", " (see the HTTP client).
    const values = [...new Set(raw.split(',').map((v) => v.trim().toLowerCase()))].filter(
      (v) => v !== '',
    )
    let problem: string | undefined
    if (values.length === 0) problem = 'empty'
    else if (values.length > 1) problem = `${values.length} different values`
    else if (!toDigest(values[0], HEX_LENGTH[algorithm]))
      problem = `not ${HEX_LENGTH[algorithm]} hex digits (${values[0].length} characters)`
    if (problem) out.unusable.push({ algorithm, problem: `${name} is unusable: ${problem}` })
    else out.checksums[algorithm] = values[0]
  }
  return out
}

/**
 * The digest to verify a body with: the plan's (a listing's) when it has one, else the
 * strongest checksum header. A header stronger than any usable one that is present but
 * unusable fails the file rather than being skipped: verification must never be lowered or
 * turned off silently by a proxy that mangles headers.
 */
export function expectedDigest(
  planned: Checksums,
  headers: Record<string, string>,
): ExpectedDigest | undefined {
  const fromPlan = strongest(planned)
  if (fromPlan) return fromPlan
  const fromHeaders = headerChecksums(headers)
  const best = strongest(fromHeaders.checksums)
  const worse = fromHeaders.unusable.find(
    (u) => !best || ALGORITHMS.indexOf(u.algorithm) < ALGORITHMS.indexOf(best.algorithm),
  )
  if (worse) {
    throw new AttemptError('unsafe', `cannot verify the file: the server's ${worse.problem}`)
  }
  return best
}

function headerName(algorithm: Algorithm): string {
  return `X-Checksum-${algorithm[0].toUpperCase()}${algorithm.slice(1)}`
}

/**
 * The digest from Artifactory's record of a file, the chain's last source. Undefined when the
 * file is not from Artifactory (it stays "not verified"); a file that is, and whose record holds
 * no checksum either, fails: it is never kept unverified in silence.
 */
export async function fromRecord(
  d: { url: string },
  record: (url: string, signal: AbortSignal) => Promise<Checksums | undefined>,
  signal: AbortSignal,
): Promise<ExpectedDigest | undefined> {
  const recorded = await record(d.url, signal)
  if (recorded === undefined) return undefined
  const best = strongest(recorded)
  if (!best) {
    throw new AttemptError(
      'unsafe',
      "cannot verify the file: no checksum in the listing, the response headers or Artifactory's record of it",
    )
  }
  return best
}
