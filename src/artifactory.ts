import { AttemptError } from './errors.ts'
import { readText, statusError, type HttpClient, type HttpResponse } from './http.ts'
import type { Auth } from './inputs.ts'
import type { ListedFile, PatternPrefix } from './patterns.ts'
import { classify, isRetryable, retryDelay, type RetryPolicy } from './retry.ts'

/** Headers that carry the credentials (sent only to the `url` origin). */
export function authHeaders(auth: Auth, bearer?: string): Record<string, string> {
  if (bearer) return { authorization: `Bearer ${bearer}` }
  switch (auth.kind) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` }
    case 'basic':
      return { authorization: `Basic ${basicCredentials(auth.username, auth.password)}` }
    default:
      return {}
  }
}

/** base64 of `user:pass`: masked as a secret too, since it is as good as the password. */
export function basicCredentials(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`).toString('base64')
}

/** The JFrog Platform root for a `url` such as `https://acme.jfrog.io/artifactory`. */
export function platformRoot(url: string): string {
  return url.replace(/\/artifactory\/?$/, '')
}

/** Reads a JSON body (listings can be several MiB for tens of thousands of files). */
async function readJson<T>(res: HttpResponse): Promise<T> {
  const text = await readText(res.body, 512 * 1024 * 1024)
  try {
    return JSON.parse(text) as T
  } catch {
    throw new AttemptError('http', `the server sent invalid JSON (HTTP ${res.status})`, {
      status: res.status,
    })
  }
}

interface FileListResponse {
  files?: { uri?: string; size?: number | string; folder?: boolean; sha1?: string; sha2?: string }[]
}

interface AqlResponse {
  results?: {
    repo?: string
    path?: string
    name?: string
    size?: number | string
    sha256?: string
    type?: string
  }[]
}

function toSize(value: number | string | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  return undefined
}

/** Runs one request-shaped operation under the retry policy (listing, AQL, OIDC). */
export async function withRetries<T>(
  what: string,
  fn: () => Promise<T>,
  policy: RetryPolicy,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
  onRetry: (retry: number, delayMs: number, message: string) => void,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await fn()
    } catch (err) {
      const error = classify(err)
      if (signal.aborted || !isRetryable(error) || retry >= policy.retries) {
        throw new AttemptError(
          error.kind,
          `${what}: ${error.message}${retry > 0 ? ` after ${retry + 1} attempts` : ''}`,
          {
            status: error.status,
          },
        )
      }
      const delayMs = retryDelay(error, retry + 1, policy)
      onRetry(retry + 1, delayMs, error.message)
      await sleep(delayMs, signal)
    }
  }
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
  const body = await readJson<FileListResponse>(res)
  const base = prefix.folder ? `${prefix.repo}/${prefix.folder}` : prefix.repo
  return (body.files ?? [])
    .filter((f) => !f.folder && typeof f.uri === 'string')
    .map((f) => ({
      path: `${base}${(f.uri as string).startsWith('/') ? '' : '/'}${f.uri}`,
      size: toSize(f.size),
      sha256: f.sha2,
      sha1: f.sha1,
    }))
}

/** The AQL query for every file under a prefix (AQL's `*` spans folders; the glob filters later). */
export function aqlQuery(prefix: PatternPrefix): string {
  const pathClause = prefix.folder
    ? { $or: [{ path: { $match: prefix.folder } }, { path: { $match: `${prefix.folder}/*` } }] }
    : {}
  const query = { repo: prefix.repo, ...pathClause, type: 'file' }
  return `items.find(${JSON.stringify(query)}).include("repo","path","name","size","sha256")`
}

/** Lists the files under a prefix with AQL, as the JFrog CLI does when the list API is refused. */
export async function searchAql(
  http: HttpClient,
  baseUrl: string,
  prefix: PatternPrefix,
  signal: AbortSignal,
): Promise<ListedFile[]> {
  const res = await http.request(`${baseUrl}/api/search/aql`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: aqlQuery(prefix),
    signal,
  })
  if (res.status === 404) {
    res.body.resume()
    return []
  }
  if (res.status !== 200) throw await statusError(res, 'AQL search: ')
  const body = await readJson<AqlResponse>(res)
  return (body.results ?? [])
    .filter((r) => r.type === undefined || r.type === 'file')
    .map((r) => ({
      path: [r.repo, r.path && r.path !== '.' ? r.path : undefined, r.name]
        .filter(Boolean)
        .join('/'),
      size: toSize(r.size),
      sha256: r.sha256,
    }))
}

/** What the JFrog Platform answers to an OIDC token exchange. */
export interface OidcToken {
  accessToken: string
  username?: string
}

/**
 * Exchanges the job's GitHub ID token for a JFrog access token at
 * `POST {platform}/access/api/v1/oidc/token`.
 */
export async function exchangeOidc(
  http: HttpClient,
  baseUrl: string,
  idToken: string,
  provider: string,
  signal: AbortSignal,
): Promise<OidcToken> {
  const res = await http.request(`${platformRoot(baseUrl)}/access/api/v1/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      subject_token: idToken,
      provider_name: provider,
    }),
    signal,
  })
  if (res.status !== 200)
    throw await statusError(res, `OIDC token exchange with provider '${provider}' refused: `)
  const body = await readJson<{ access_token?: string; username?: string }>(res)
  if (!body.access_token)
    throw new AttemptError('http', 'OIDC token exchange: the answer has no access_token', {
      status: 200,
    })
  return { accessToken: body.access_token, username: body.username }
}
