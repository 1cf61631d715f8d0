// A local Artifactory-compatible server for tests, the demo and the benchmark: file downloads
// with checksum headers, ranges and validators, the File Info and File List APIs, AQL, the
// OIDC token exchange and a fake GitHub ID-token endpoint, with fault injection. In memory,
// on 127.0.0.1 only.
import { createHash } from 'node:crypto'
import * as http from 'node:http'
import * as https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { runAql, type AqlItem } from './aql.ts'
import { buildAnswer, buildsByFile, projectBuildInfoFiles, type BuildRun } from './builds.ts'
import { bundlesByFile, type ReleaseBundle } from './bundles.ts'
import { allFolders, listedFolders } from './folders.ts'
import { nginxRefusal, serverTlsOptions, type ServerTls } from './tls.ts'
import { isMisbehaviour, misbehave, type Misbehaviour } from './faults.ts'
import { connectionBehaviour, type ConnectionOptions, type ConnectionStats } from './connections.ts'

/** A fault injected into one response. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'reset'; afterBytes?: number }
  | { kind: 'truncate'; afterBytes: number }
  | { kind: 'stall'; afterBytes: number; ms?: number }
  | { kind: 'corrupt' }
  | { kind: 'no-checksum' }
  | { kind: 'no-length' }
  | {
      kind: 'redirect'
      location: string
      status?: number
      /** No `X-Checksum-*` on the redirect, as recorded from Artifactory SaaS's 302 to cloud storage. */
      withoutChecksums?: boolean
    }
  | { kind: 'delay'; ms: number }
  | Misbehaviour

export interface ArtifactoryOptions {
  files?: Map<string, Buffer> | Record<string, Buffer | string>
  basePath?: string
  port?: number
  latencyMs?: number
  throttleBytesPerSec?: number
  checksums?: boolean
  etag?: boolean
  /** ETags quoted as nginx sends them; by default bare (`ETag: <sha1>`), as Artifactory sends them. */
  quotedEtag?: boolean
  ranges?: boolean
  maxConcurrent?: number
  auth?: { token?: string; username?: string; password?: string }
  listApi?: boolean
  listSizeAsString?: boolean
  /** File List fields as JFrog's documentation shows them: `"size": "253207"`, `"folder": "false"`. */
  listFieldsAsString?: boolean
  hostileListing?: Record<string, string[]>
  /** Listings and AQL answers that never end: entries stream (at `throttleBytesPerSec`) until the client goes away. */
  endlessListing?: boolean
  aqlFailures?: number
  /** AQL's hard limit on rows per answer (SaaS: 500,000): longer answers are trimmed. */
  aqlMaxResults?: number
  oidc?: { provider: string; idToken: string; accessToken: string; username?: string }
  idTokenRequestToken?: string
  faults?: Record<string, Fault[]>
  onRequest?: (req: RecordedRequest) => Fault | undefined
  /** Properties per stored file (`repo/path`), as AQL `@key` conditions see them. */
  properties?: Record<string, Record<string, string[]>>
  /** Creation time per stored file (ISO); the others were created at {@link CREATED}. */
  created?: Record<string, string>
  /** Builds by name: their runs and the files each published. */
  builds?: Record<string, BuildRun[]>
  /** Folders (`repo/path`) that exist though no file is in them; those files imply exist anyway. */
  folders?: string[]
  /** Release bundles: the files each version holds. */
  bundles?: ReleaseBundle[]
  /** Virtual repositories over local ones: key → member keys, in resolution order. */
  virtual?: Record<string, string[]>
  /** Serve HTTPS (with the fixture certificates) instead of HTTP; `true` for the defaults. */
  tls?: true | ServerTls
  /** A cap on open connections, and keep-alive connections reset on reuse. */
  connections?: ConnectionOptions
}

/** When files were created unless `created` says otherwise. */
export const CREATED = '2026-11-03T10:00:00.000Z'

/** What the server saw of one request, and what it answered. */
export interface RecordedRequest {
  method: string
  /** Decoded path without the base path, e.g. `/libs/a.jar` or `/api/storage/libs`. */
  path: string
  /** Raw request URL. */
  url: string
  headers: http.IncomingHttpHeaders
  range?: string
  /** The request body of a POST (an AQL query), as text. */
  body?: string
  status: number
  bodyBytes: number
  startedAt: number
  endedAt?: number
}

export interface ArtifactoryServer {
  origin: string
  url: string
  port: number
  files: Map<string, Buffer>
  requests: RecordedRequest[]
  stats: {
    maxInFlight: number
    inFlight: number
    rejected: number
    bodyResponses: number
    /** TCP connections accepted (TLS handshakes are tried on each). */
    connections: number
  }
  /** What {@link ArtifactoryOptions.connections} did. */
  connectionStats: ConnectionStats
  setFile(path: string, body: Buffer | string): void
  setFaults(path: string, faults: Fault[]): void
  reset(): void
  close(): Promise<void>
}

/** Hex digests of a body. */
export function checksumsOf(buf: Buffer): { sha256: string; sha1: string; md5: string } {
  return {
    sha256: createHash('sha256').update(buf).digest('hex'),
    sha1: createHash('sha1').update(buf).digest('hex'),
    md5: createHash('md5').update(buf).digest('hex'),
  }
}

const LAST_MODIFIED = 'Tue, 03 Nov 2026 10:00:00 GMT'
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function toMap(files: ArtifactoryOptions['files']): Map<string, Buffer> {
  if (!files) return new Map()
  if (files instanceof Map) return new Map(files)
  return new Map(
    Object.entries(files).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)]),
  )
}

function jsonError(res: http.ServerResponse, status: number, message: string): number {
  const body = JSON.stringify({ errors: [{ status, message }] })
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
  return status
}

function sendJson(res: http.ServerResponse, value: unknown): number {
  const body = JSON.stringify(value)
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
  return 200
}

function waitDrain(res: http.ServerResponse): Promise<void> {
  return new Promise<void>((r) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      r()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

/** Writes `buf` with backpressure, at most `rate` bytes per second when given; resolves with bytes written. */
export async function writeBody(
  res: http.ServerResponse,
  buf: Buffer,
  rate: number | undefined,
  stopAfter?: number,
): Promise<number> {
  if (!rate && stopAfter === undefined) {
    // One write of the whole body: libuv hands it to the kernel as the socket drains, with no
    // per-slice work here (the benchmark's server must not be the bottleneck).
    if (!res.write(buf)) await waitDrain(res)
    return buf.length
  }
  const end = stopAfter === undefined ? buf.length : Math.min(stopAfter, buf.length)
  const slice = rate ? Math.max(1024, Math.min(256 * 1024, Math.floor(rate / 20))) : 1024 * 1024
  const started = Date.now()
  let sent = 0
  while (sent < end) {
    if (res.destroyed) return sent
    const n = Math.min(slice, end - sent)
    const ok = res.write(buf.subarray(sent, sent + n))
    sent += n
    if (!ok) await waitDrain(res)

    if (rate) {
      const due = started + (sent / rate) * 1000
      const wait = due - Date.now()
      if (wait > 0) await sleep(wait)
    }
  }
  return sent
}

/** Starts the server on 127.0.0.1. */
export async function startArtifactory(
  options: ArtifactoryOptions = {},
): Promise<ArtifactoryServer> {
  const base = options.basePath ?? '/artifactory'
  const files = toMap(options.files)
  // A project's build info is stored in its build-info repository, as Artifactory keeps it.
  for (const [p, json] of projectBuildInfoFiles(options.builds ?? {}))
    files.set(p, Buffer.from(json))
  const sums = new Map<string, ReturnType<typeof checksumsOf>>()
  const faults = new Map<string, Fault[]>(Object.entries(options.faults ?? {}))
  const requests: RecordedRequest[] = []
  const stats = { maxInFlight: 0, inFlight: 0, rejected: 0, bodyResponses: 0, connections: 0 }
  const validTokens = new Set<string>()
  if (options.auth?.token) validTokens.add(options.auth.token)
  let aqlFailures = options.aqlFailures ?? 0
  const sockets = new Set<Socket>()
  let origin = ''
  // Checksums are computed up front (as Artifactory stores them), never while a client waits.
  for (const [p, body] of files) sums.set(p, checksumsOf(body))

  const sumsOf = (p: string): ReturnType<typeof checksumsOf> => {
    let s = sums.get(p)
    if (!s) {
      s = checksumsOf(files.get(p) as Buffer)
      sums.set(p, s)
    }
    return s
  }

  const authorized = (req: http.IncomingMessage): boolean => {
    if (!options.auth) return true
    const h = req.headers.authorization ?? ''
    if (h.startsWith('Bearer ')) return validTokens.has(h.slice(7))
    if (h.startsWith('Basic ') && options.auth.username) {
      const [u, ...rest] = Buffer.from(h.slice(6), 'base64').toString().split(':')
      return u === options.auth.username && rest.join(':') === options.auth.password
    }
    return false
  }

  async function serveFile(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rec: RecordedRequest,
    p: string,
    fault: Fault | undefined,
  ): Promise<number> {
    const body = files.get(p)
    if (!body) return jsonError(res, 404, 'Could not find resource')
    const s = sumsOf(p)
    const etag = options.quotedEtag ? `"${s.sha1}"` : s.sha1
    let headers: Record<string, string | number | string[]> = {
      'content-type': 'application/octet-stream',
    }
    if (options.checksums !== false && fault?.kind !== 'no-checksum') {
      headers['x-checksum-sha256'] = s.sha256
      headers['x-checksum-sha1'] = s.sha1
      headers['x-checksum-md5'] = s.md5
    }
    if (options.etag !== false) {
      headers['etag'] = etag
      headers['last-modified'] = LAST_MODIFIED
    }
    if (options.ranges !== false) headers['accept-ranges'] = 'bytes'
    const inm = req.headers['if-none-match']
    if (
      options.etag !== false &&
      inm &&
      inm
        .split(',')
        .map((v) => v.trim())
        .includes(etag)
    ) {
      res.writeHead(304, headers)
      res.end()
      return 304
    }
    let start = 0
    let end = body.length - 1
    let status = 200
    const range = req.headers.range
    const ifRange = req.headers['if-range']
    const rangeValid = !ifRange || ifRange === etag || ifRange === LAST_MODIFIED
    if (range && options.ranges !== false && rangeValid) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range)
      if (m) {
        if (m[1] === '') {
          start = Math.max(0, body.length - Number(m[2]))
        } else {
          start = Number(m[1])
          if (m[2] !== '') end = Math.min(end, Number(m[2]))
        }
        if (start >= body.length || start > end) {
          res.writeHead(416, { 'content-range': `bytes */${body.length}` })
          res.end()
          return 416
        }
        status = 206
        headers['content-range'] = `bytes ${start}-${end}/${body.length}`
      }
    }
    let payload = body.subarray(start, end + 1)
    if (fault?.kind === 'corrupt') {
      payload = Buffer.from(payload)
      const at = Math.floor(payload.length / 2)
      payload[at] ^= 0xff
    }
    if (fault?.kind !== 'no-length') headers['content-length'] = payload.length
    if (fault && isMisbehaviour(fault)) {
      ;({ status, headers, payload } = misbehave(fault, body, range, { status, headers, payload }))
      if (headers['content-length'] !== undefined) headers['content-length'] = payload.length
    }
    if (fault?.kind === 'reset' && !fault.afterBytes) {
      req.socket.destroy()
      return 0
    }
    res.writeHead(status, headers)
    rec.status = status
    if (req.method === 'HEAD') {
      res.end()
      return status
    }
    stats.bodyResponses++
    if (fault?.kind === 'reset' || fault?.kind === 'truncate') {
      const n = fault.kind === 'reset' ? (fault.afterBytes as number) : fault.afterBytes
      rec.bodyBytes = await writeBody(res, payload, options.throttleBytesPerSec, n)
      await sleep(20)
      req.socket.destroy()
      return status
    }
    if (fault?.kind === 'stall') {
      rec.bodyBytes = await writeBody(res, payload, options.throttleBytesPerSec, fault.afterBytes)
      await new Promise<void>((r) => {
        const t = fault.ms !== undefined ? setTimeout(r, fault.ms) : undefined
        res.on('close', () => {
          if (t) clearTimeout(t)
          r()
        })
      })
      if (!res.destroyed) {
        rec.bodyBytes += await writeBody(
          res,
          payload.subarray(fault.afterBytes),
          options.throttleBytesPerSec,
        )
        res.end()
      }
      return status
    }
    rec.bodyBytes = await writeBody(res, payload, options.throttleBytesPerSec)
    res.end()
    return status
  }

  /** A JSON answer whose array never closes (a proxy looping, a runaway server). */
  async function endless(res: http.ServerResponse, key: string): Promise<number> {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write(`{"${key}":[`)
    const entry = `{"uri":"/x.bin","repo":"r","path":".","name":"x.bin","size":1,"folder":false},`
    const chunk = Buffer.from(entry.repeat(Math.ceil(65536 / entry.length)))
    const rate = options.throttleBytesPerSec
    while (!res.destroyed) {
      if (!res.write(chunk)) await waitDrain(res)
      if (rate) await sleep((chunk.length / rate) * 1000)
    }
    return 200
  }

  function listFolder(
    res: http.ServerResponse,
    repoFolder: string,
    deep = true,
    withFolders = false,
  ): number {
    if (options.virtual?.[repoFolder.split('/')[0]])
      return jsonError(res, 400, 'The file list API is not supported for virtual repositories')
    if (options.listApi === false)
      return jsonError(
        res,
        403,
        'The file list API requires a Pro license and a non-anonymous user',
      )
    const prefix = `${repoFolder}/`
    const matches = [...files.keys()]
      .filter((k) => k.startsWith(prefix) && (deep || !k.slice(prefix.length).includes('/')))
      .sort()
    const isRepo = !repoFolder.includes('/')
    const folders = allFolders(files.keys(), options.folders)
    const exists = isRepo || folders.includes(repoFolder)
    if (!exists && !options.hostileListing?.[repoFolder])
      return jsonError(res, 404, 'Unable to find item')
    const out: Record<string, unknown>[] = matches.map((k) => {
      const s = sumsOf(k)
      const size = (files.get(k) as Buffer).length
      return {
        uri: `/${k.slice(prefix.length)}`,
        size: options.listSizeAsString || options.listFieldsAsString ? String(size) : size,
        lastModified: '2026-11-03T10:00:00.000Z',
        folder: options.listFieldsAsString ? 'false' : false,
        sha1: s.sha1,
        sha2: s.sha256,
        mdTimestamps: {},
      }
    })
    if (withFolders) out.push(...listedFolders(folders, repoFolder, deep))
    for (const uri of options.hostileListing?.[repoFolder] ?? []) {
      out.push({
        uri,
        size: 1,
        lastModified: '2026-11-03T10:00:00.000Z',
        folder: false,
        sha1: '0'.repeat(40),
        sha2: '0'.repeat(64),
        mdTimestamps: {},
      })
    }
    return sendJson(res, {
      uri: `${origin}${base}/api/storage/${repoFolder}`,
      created: '2026-11-03T10:00:00.000Z',
      files: out,
    })
  }

  function fileInfo(res: http.ServerResponse, p: string): number {
    const body = files.get(p)
    const [repo, ...rest] = p.split('/')
    if (body) {
      const s = sumsOf(p)
      return sendJson(res, {
        repo,
        path: `/${rest.join('/')}`,
        size: String(body.length),
        checksums: s,
        originalChecksums: s,
        downloadUri: `${origin}${base}/${p}`,
        uri: `${origin}${base}/api/storage/${p}`,
      })
    }
    const prefix = `${p}/`
    const children = new Map<string, boolean>()
    for (const k of files.keys()) {
      if (!k.startsWith(prefix)) continue
      const [first, ...more] = k.slice(prefix.length).split('/')
      children.set(first, more.length > 0)
    }
    // A declared folder with nothing in it exists all the same.
    for (const f of options.folders ?? []) {
      if (!f.startsWith(prefix)) continue
      const first = f.slice(prefix.length).split('/')[0]
      if (!children.has(first)) children.set(first, true)
    }
    if (children.size === 0 && !(options.folders ?? []).includes(p))
      return jsonError(res, 404, 'Unable to find item')
    return sendJson(res, {
      repo,
      path: `/${rest.join('/')}`,
      children: [...children].map(([name, folder]) => ({ uri: `/${name}`, folder })),
    })
  }

  function aql(res: http.ServerResponse, text: string): number {
    if (aqlFailures > 0) {
      aqlFailures--
      res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' })
      res.end(JSON.stringify({ errors: [{ status: 429, message: 'Too many requests' }] }))
      return 429
    }
    const byFile = buildsByFile(options.builds ?? {})
    const usedBy = buildsByFile(options.builds ?? {}, 'dependencies')
    const inBundles = bundlesByFile(options.bundles ?? [])
    const items: AqlItem[] = [...files.keys()].sort().map((k) => {
      const parts = k.split('/')
      const s = sumsOf(k)
      const created = options.created?.[k] ?? CREATED
      return {
        repo: parts[0],
        path: parts.length > 2 ? parts.slice(1, -1).join('/') : '.',
        name: parts[parts.length - 1],
        size: (files.get(k) as Buffer).length,
        ...s,
        created,
        modified: created,
        properties: options.properties?.[k] ?? {},
        builds: byFile.get(k) ?? [],
        dependencyOf: usedBy.get(k),
        releases: inBundles.get(k),
      }
    })
    for (const f of allFolders(files.keys(), options.folders)) {
      const parts = f.split('/')
      items.push({
        repo: parts[0],
        path: parts.length > 2 ? parts.slice(1, -1).join('/') : '.',
        name: parts[parts.length - 1],
        size: 0,
        sha256: '',
        sha1: '',
        md5: '',
        created: CREATED,
        modified: CREATED,
        properties: {},
        builds: [],
        type: 'folder',
      })
    }
    const answer = runAql(text, items, options.virtual, undefined, options.aqlMaxResults)
    if ('error' in answer) return jsonError(res, 400, answer.error)
    return sendJson(res, answer)
  }

  async function oidcExchange(res: http.ServerResponse, text: string): Promise<number> {
    let body: Record<string, string>
    try {
      body = JSON.parse(text) as Record<string, string>
    } catch {
      return jsonError(res, 400, 'Invalid request body')
    }
    const o = options.oidc
    if (
      !o ||
      body.provider_name !== o.provider ||
      body.subject_token !== o.idToken ||
      body.grant_type !== 'urn:ietf:params:oauth:grant-type:token-exchange'
    ) {
      return jsonError(res, 401, 'Failed to authenticate: invalid subject token')
    }
    validTokens.add(o.accessToken)
    return sendJson(res, {
      access_token: o.accessToken,
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'applied-permissions/user',
      username: o.username,
    })
  }

  function idToken(req: http.IncomingMessage, res: http.ServerResponse): number {
    if (req.headers.authorization !== `Bearer ${options.idTokenRequestToken ?? 'request-token'}`) {
      return jsonError(res, 401, 'bad request token')
    }
    return sendJson(res, { value: options.oidc?.idToken ?? 'id-token' })
  }

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rec: RecordedRequest,
  ): Promise<number> {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    if (req.method === 'POST') rec.body = text
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/_id-token') return idToken(req, res)
    if (url.pathname === '/access/api/v1/oidc/token' && req.method === 'POST')
      return oidcExchange(res, text)
    if (!url.pathname.startsWith(`${base}/`)) return jsonError(res, 404, 'Not found')
    const p = rec.path.slice(1)
    const fault =
      options.onRequest?.(rec) ??
      (req.method === 'GET' && files.has(p) ? faults.get(p)?.shift() : undefined)
    if (options.latencyMs) await sleep(options.latencyMs)
    if (fault?.kind === 'delay') await sleep(fault.ms)
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, {
        'content-type': fault.body?.startsWith('{') ? 'application/json' : 'text/plain',
        ...fault.headers,
      })
      res.end(fault.body ?? '')
      return fault.status
    }
    if (fault?.kind === 'redirect') {
      // Like Artifactory redirecting to cloud storage: the checksums come with the redirect.
      const s = files.has(p) ? sumsOf(p) : undefined
      const checksums =
        s && options.checksums !== false && !fault.withoutChecksums
          ? { 'x-checksum-sha256': s.sha256, 'x-checksum-sha1': s.sha1, 'x-checksum-md5': s.md5 }
          : {}
      res.writeHead(fault.status ?? 302, {
        location: fault.location,
        'content-length': 0,
        ...checksums,
      })
      res.end()
      return fault.status ?? 302
    }
    if (options.maxConcurrent !== undefined && stats.inFlight > options.maxConcurrent) {
      stats.rejected++
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
      res.end(
        JSON.stringify({ errors: [{ status: 429, message: 'Too many concurrent requests' }] }),
      )
      return 429
    }
    if (!authorized(req)) return jsonError(res, 401, 'Bad credentials')
    if (p === 'api/search/aql' && req.method === 'POST')
      return options.endlessListing ? endless(res, 'results') : aql(res, text)
    if (url.pathname.startsWith(`${base}/api/build/`) && req.method === 'GET') {
      const answer = buildAnswer(
        options.builds ?? {},
        url.pathname.slice(`${base}/api/build/`.length),
        `${origin}${base}`,
        url.searchParams.get('project') ?? undefined,
      )
      return answer ? sendJson(res, answer) : jsonError(res, 404, 'No build was found')
    }
    if (p.startsWith('api/storage/')) {
      const target = p.slice('api/storage/'.length).replace(/\/+$/, '')
      if (url.searchParams.has('list') && options.endlessListing && options.listApi !== false)
        return endless(res, 'files')
      if (url.searchParams.has('list'))
        return listFolder(
          res,
          target,
          url.searchParams.get('deep') !== '0',
          url.searchParams.get('listFolders') === '1',
        )
      return fileInfo(res, target)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return jsonError(res, 405, 'Method not allowed')
    return serveFile(req, res, rec, throughVirtual(p), fault)
  }

  /** A path in a virtual repository: the first member that holds the file. */
  function throughVirtual(p: string): string {
    const [repo, ...rest] = p.split('/')
    const members = options.virtual?.[repo]
    if (!members) return p
    const found = members.map((m) => [m, ...rest].join('/')).find((m) => files.has(m))
    return found ?? p
  }

  const tls = options.tls === true ? {} : options.tls
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (!behaviour.served(req)) return
    const raw = req.url ?? '/'
    const pathname = raw.split('?')[0]
    let decoded = pathname
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      // keep it raw
    }
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: decoded.startsWith(`${base}/`) ? decoded.slice(base.length) : decoded,
      url: raw,
      headers: req.headers,
      range: req.headers.range,
      status: 0,
      bodyBytes: 0,
      startedAt: Date.now(),
    }
    requests.push(rec)
    if (nginxRefusal(tls, req, res)) {
      rec.status = 400
      return
    }
    stats.inFlight++
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
    let counted = true
    const done = (): void => {
      if (counted) {
        counted = false
        stats.inFlight--
        rec.endedAt = Date.now()
      }
    }
    res.on('close', done)
    handle(req, res, rec)
      .then((status) => {
        if (!rec.status) rec.status = status
      })
      .catch(() => {
        req.socket.destroy()
      })
  }
  const server = tls
    ? https.createServer({ keepAliveTimeout: 60_000, ...serverTlsOptions(tls) }, onRequest)
    : http.createServer({ keepAliveTimeout: 60_000 }, onRequest)
  // A refused handshake is the client's failure to see, not the server's to crash on.
  server.on('tlsClientError', () => undefined)
  const behaviour = connectionBehaviour(server, options.connections ?? {})
  server.on('connection', (s) => {
    stats.connections++
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`

  return {
    origin,
    url: `${origin}${base}`,
    port,
    files,
    requests,
    stats,
    connectionStats: behaviour.stats,
    setFile(p, body) {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body)
      files.set(p, buf)
      sums.set(p, checksumsOf(buf))
    },
    setFaults(p, f) {
      faults.set(p, [...f])
    },
    reset() {
      requests.length = 0
      stats.maxInFlight = stats.inFlight
      stats.rejected = 0
      stats.bodyResponses = 0
      stats.connections = 0
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
    },
  }
}
