import { statusError, type HttpClient } from '../net/http-client.ts'
import type { ListedFile, PatternPrefix } from '../plan/patterns.ts'
import { LISTING_LIMITS, readJson, toSize, type BodyLimits } from './json-body.ts'

interface FileListResponse {
  files?: { uri?: string; size?: number | string; folder?: boolean; sha1?: string; sha2?: string }[]
}

/**
 * Lists every file under a folder with the File List API. Returns undefined when the server
 * refuses the API itself (it needs a Pro licence and a non-anonymous user), so the caller can
 * fall back to AQL; a missing folder lists as empty.
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
  if (res.status === 400 || res.status === 403 || res.status === 404 || res.status === 405) {
    res.body.resume()
    return undefined
  }
  if (res.status !== 200) throw await statusError(res, 'listing: ')
  const base = prefix.folder ? `${prefix.repo}/${prefix.folder}` : prefix.repo
  const body = await readJson<FileListResponse>(res, `the listing of ${base}`, limits)
  // One pass, no intermediate arrays: listings run to hundreds of thousands of files.
  const listed: ListedFile[] = []
  for (const f of body.files ?? []) {
    if (f.folder || typeof f.uri !== 'string') continue
    listed.push({
      path: `${base}${f.uri.startsWith('/') ? '' : '/'}${f.uri}`,
      size: toSize(f.size),
      sha256: f.sha2,
      sha1: f.sha2 ? undefined : f.sha1,
    })
  }
  return listed
}
