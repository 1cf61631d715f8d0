import type { FileResult } from '../engine/results.ts'

/**
 * The note said once per run when a file could not be verified (the summary counts every
 * such file): a log of 10,000 unverified files must not say it 10,000 times.
 * @returns a function of each finished file that gives the note the first time, else undefined
 */
export function notVerifiedNote(verify: boolean): (r: FileResult) => string | undefined {
  let said = false
  return (r) => {
    if (said || !verify || r.status !== 'downloaded' || r.verified) return undefined
    said = true
    return `note: ${r.download.source} was not verified: the server sent no checksum (said once; the summary counts every such file)`
  }
}
