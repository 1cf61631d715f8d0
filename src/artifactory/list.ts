import { readText, statusError, type HttpClient } from '../net/http-client.ts'
import { nginxCertificateFailure } from '../net/tls-errors.ts'
import type { ListedFile, PatternPrefix } from './remote-file.ts'
import { toDigest } from '../common/hex-digest.ts'
import { LISTING_LIMITS, readJsonItems, toSize, type BodyLimits } from './json-body.ts'

/** One row of a File List answer, as the server may write it: every field is checked. */
interface FileListRow {
  uri?: unknown
  size?: number | string
  folder?: boolean | string
  sha1?: unknown
  sha2?: unknown
}

/**
 * Lists every file under a folder with the File List API. Returns undefined when the server
 * refuses the API itself (it needs a Pro licence and a non-anonymous user), so the caller can
 * fall back to AQL; a missing folder lists as empty. A client certificate refused by nginx
 * (`400 No required SSL certificate was sent`) is thrown: it is no refusal of the API.
 */
export async function listFolder(
  http: HttpClient,
  baseUrl: string,
  prefix: PatternPrefix,
  signal: AbortSignal,
  deep = true,
  limits: BodyLimits = LISTING_LIMITS,
): Promise<ListedFile[] | undefined> {
  const folderPath = [prefix.repo, ...prefix.folder.split('/').filter(Boolean)]
    .map(encodeURIComponent)
    .join('/')
  const res = await http.request(
    `${baseUrl}/api/storage/${folderPath}?list&deep=${deep ? 1 : 0}&listFolders=0`,
    { signal },
  )
  if (res.status === 400) {
    // nginx in front refuses a missing or untrusted client certificate with a 400: that is no
    // "API not available" (AQL would be refused the same way), but the failure itself.
    const tls = nginxCertificateFailure(400, await readText(res.body, 16 * 1024).catch(() => ''))
    if (tls) throw tls
    return undefined
  }
  if (res.status === 403 || res.status === 404 || res.status === 405) {
    res.body.resume()
    return undefined
  }
  // No prefix: the caller's withRetries names the operation ("listing: HTTP 503 …").
  if (res.status !== 200) throw await statusError(res, '')
  const base = prefix.folder ? `${prefix.repo}/${prefix.folder}` : prefix.repo
  const { items } = await readJsonItems(
    res,
    `the listing of ${base}`,
    'files',
    (row) => listedFile(row as FileListRow | null, base),
    limits,
  )
  return items
}

/** The file a row names, or undefined for a folder or a row that names nothing. */
function listedFile(f: FileListRow | null, base: string): ListedFile | undefined {
  // JFrog's documentation shows `"folder": "false"`: a string that must not read as true.
  if (!f || f.folder === true || f.folder === 'true' || typeof f.uri !== 'string') return undefined
  // A malformed digest is the server's fault: dropped, so the file's own response decides.
  const sha256 = toDigest(f.sha2, 64)
  return {
    path: `${base}${f.uri.startsWith('/') ? '' : '/'}${f.uri}`,
    size: toSize(f.size),
    sha256,
    sha1: sha256 ? undefined : toDigest(f.sha1, 40),
  }
}
