// The floor rows of `npm run bench -- https`: what Node 24 and undici cost on the same
// downloads before any of the action's own work, so that a CPU goal can be read against what
// the runtime alone spends. Run as `node scripts/bench-floor.ts <list> <out> <concurrency> <mode>`,
// where <list> holds one `url<TAB>path` line per file:
// - `requests`: each body is read and dropped (no file, no hash);
// - `files`: each body is hashed with SHA-256 and written to a temporary in its folder, which
//   is renamed into place once complete: the least any downloader does that keeps the
//   action's guarantees (verified, never partial under its final name);
// - `raw`: no undici at all: each lane's own `tls.connect` (or `net.connect`) socket, GETs
//   written by hand and answers read by a minimal HTTP/1.1 reader (status, Content-Length,
//   keep-alive), bodies dropped. What the runtime itself costs for the requests, so that the
//   HTTP client's own share can be told from Node's;
// - `raw-files`: the same reader, each body hashed and written as in `files`.
// Everything the action adds (plan, retries, checks of the answer, the report) is absent.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as net from 'node:net'
import * as path from 'node:path'
import * as tls from 'node:tls'
import { Agent, request } from 'undici'

const [listFile, out, concurrencyText, mode] = process.argv.slice(2)
const concurrency = Number(concurrencyText)
const jobs = (await fsp.readFile(listFile, 'utf8'))
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split('\t') as [string, string])
const agent = new Agent({ connections: concurrency })
const folders = new Map<string, Promise<unknown>>()
let next = 0

async function download(url: string, rel: string): Promise<void> {
  const res = await request(url, { dispatcher: agent })
  if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`)
  if (mode === 'requests') {
    for await (const chunk of res.body) void chunk
    return
  }
  const dest = path.join(out, rel)
  const folder = path.dirname(dest)
  if (!folders.has(folder)) folders.set(folder, fsp.mkdir(folder, { recursive: true }))
  await folders.get(folder)
  const temp = path.join(folder, `.${path.basename(dest)}.part`)
  const file = await fsp.open(temp, 'w')
  const hash = createHash('sha256')
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      hash.update(chunk)
      await file.write(chunk)
    }
  } finally {
    await file.close()
  }
  if (hash.digest('hex') !== res.headers['x-checksum-sha256'])
    throw new Error(`${url}: wrong SHA-256`)
  await fsp.rename(temp, dest)
}

async function lane(): Promise<void> {
  while (next < jobs.length) {
    const [url, rel] = jobs[next++]
    await download(url, rel)
  }
}

/** What a raw lane does with one answer's body: `raw` drops it, `raw-files` keeps it. */
interface BodySink {
  /** A body arrives with these headers (lower-case names). */
  start(url: string, rel: string, headers: string): void
  /** A piece of the body; when it returns a promise the socket waits for it. */
  data(chunk: Buffer): Promise<void> | undefined
  /** The body is complete; the next request goes out once this settles. */
  end(): Promise<void> | undefined
}

const dropped: BodySink = { start() {}, data: () => undefined, end: () => undefined }

/**
 * `raw-files`: each body hashed as it arrives and written to a temporary in its folder, in
 * writes of at least 64 KiB (a small body in one), and the temporary renamed into place once
 * the digest matches: the file work the action does, without its plan, checks or report.
 */
function fileSink(): BodySink {
  let url = ''
  let dest = ''
  let temp = ''
  let expected = ''
  let hash = createHash('sha256')
  let file: Promise<fsp.FileHandle> | undefined
  let pending: Buffer[] = []
  let pendingBytes = 0
  const flush = async (): Promise<void> => {
    const chunks = pending
    pending = []
    pendingBytes = 0
    if (chunks.length > 0) await (await file)?.writev(chunks)
  }
  return {
    start(u, rel, headers) {
      url = u
      dest = path.join(out, rel)
      const folder = path.dirname(dest)
      temp = path.join(folder, `.${path.basename(dest)}.part`)
      expected = /\r\nx-checksum-sha256: *([0-9a-f]+)/i.exec(headers)?.[1] ?? ''
      hash = createHash('sha256')
      if (!folders.has(folder)) folders.set(folder, fsp.mkdir(folder, { recursive: true }))
      file = (folders.get(folder) as Promise<unknown>).then(() => fsp.open(temp, 'w'))
    },
    data(chunk) {
      hash.update(chunk)
      pending.push(chunk)
      pendingBytes += chunk.length
      return pendingBytes >= 64 * 1024 ? flush() : undefined
    },
    async end() {
      await flush()
      await (await file)?.close()
      if (hash.digest('hex') !== expected) throw new Error(`${url}: wrong SHA-256`)
      await fsp.rename(temp, dest)
    },
  }
}

/**
 * One lane of `raw` and `raw-files`: a connection of its own, one GET at a time on it. Only
 * what nginx sends is handled (a 200 with Content-Length, keep-alive): anything else fails the
 * run, so the row never counts a request it did not complete.
 */
function rawLane(body: BodySink): Promise<void> {
  return new Promise((resolve, reject) => {
    if (next >= jobs.length) return resolve()
    const origin = new URL(jobs[next][0])
    const port = Number(origin.port)
    const socket =
      origin.protocol === 'https:'
        ? tls.connect({
            host: origin.hostname,
            port,
            servername: net.isIP(origin.hostname) ? undefined : origin.hostname,
            ca: fs.readFileSync(process.env.NODE_EXTRA_CA_CERTS ?? ''),
          })
        : net.connect(port, origin.hostname)
    let job: [string, string] = ['', '']
    let head: Buffer | undefined
    let left = -1
    let finished = false
    const send = (): void => {
      if (next >= jobs.length) {
        finished = true
        socket.end()
        return resolve()
      }
      job = jobs[next++]
      const u = new URL(job[0])
      socket.write(`GET ${u.pathname} HTTP/1.1\r\nhost: ${u.host}\r\nuser-agent: floor\r\n\r\n`)
      left = -1
    }
    /** Reads one socket chunk; resolves when it is used up (a file write may hold it). */
    const read = async (chunk: Buffer): Promise<void> => {
      while (chunk.length > 0) {
        if (left < 0) {
          head = head ? Buffer.concat([head, chunk]) : chunk
          const end = head.indexOf('\r\n\r\n')
          if (end < 0) return
          const text = head.subarray(0, end).toString('latin1')
          const length = /\r\ncontent-length: *(\d+)/i.exec(text)?.[1]
          if (!text.startsWith('HTTP/1.1 200 ') || length === undefined)
            throw new Error(`${job[0]}: ${text.split('\r\n')[0]}`)
          left = Number(length)
          chunk = head.subarray(end + 4)
          head = undefined
          body.start(job[0], job[1], text)
        }
        const take = Math.min(left, chunk.length)
        left -= take
        const wait = take > 0 ? body.data(chunk.subarray(0, take)) : undefined
        chunk = chunk.subarray(take)
        if (wait) await wait
        if (left === 0) {
          await body.end()
          send()
        }
      }
    }
    socket.on(origin.protocol === 'https:' ? 'secureConnect' : 'connect', send)
    socket.on('error', reject)
    socket.on('close', () => finished || reject(new Error(`${job[0]}: the connection closed`)))
    socket.on('data', (chunk: Buffer) => {
      const done = read(chunk)
      // Bodies that are dropped never wait; a file write holds the socket until it is done.
      if (mode === 'raw-files') {
        socket.pause()
        done.then(() => socket.resume(), reject)
      } else done.catch(reject)
    })
  })
}

const lanes: Record<string, () => Promise<void>> = {
  requests: lane,
  files: lane,
  raw: () => rawLane(dropped),
  'raw-files': () => rawLane(fileSink()),
}
await Promise.all(Array.from({ length: concurrency }, lanes[mode]))
await agent.close()
fs.writeSync(1, `${jobs.length} files\n`)
