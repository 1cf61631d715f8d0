import { statusError, type HttpClient } from '../net/http-client.ts'
import { toDigest } from '../common/hex-digest.ts'
import { readJson, SMALL_LIMITS } from './json-body.ts'

interface FileInfoResponse {
  checksums?: { sha256?: unknown; sha1?: unknown }
}

/** The checksums Artifactory recorded for a file (digests it keeps, whatever the response sent). */
export interface RecordedChecksums {
  sha256?: string
  sha1?: string
}

/**
 * The third source of a file's checksum, after the listing and the response headers:
 * Artifactory's own record, `GET {url}/api/storage/{repo}/{path}` (the File Info API, which the
 * JFrog CLI relies on too). A download redirected to cloud storage carries no `X-Checksum-*`;
 * this record still has them. Resolves undefined for a URL not under `baseUrl` (not an
 * Artifactory file: nothing to ask); an error status is thrown, as any request's.
 */
export async function recordedChecksums(
  http: HttpClient,
  baseUrl: string,
  fileUrl: string,
  signal: AbortSignal,
): Promise<RecordedChecksums | undefined> {
  const base = `${baseUrl}/`
  if (!fileUrl.startsWith(base)) return undefined
  // Still encoded as the download's URL is: the same file by the same name.
  const repoPath = fileUrl.slice(base.length).split(/[?#]/)[0]
  const res = await http.request(`${baseUrl}/api/storage/${repoPath}`, { signal })
  if (res.status !== 200) throw await statusError(res, "Artifactory's record of the file: ")
  const body = await readJson<FileInfoResponse>(res, 'the file record', SMALL_LIMITS)
  return {
    sha256: toDigest(body.checksums?.sha256, 64),
    sha1: toDigest(body.checksums?.sha1, 40),
  }
}
