// The floor rows of `npm run bench -- https`: what Node 24 and undici cost on the same
// downloads before any of the action's own work, so that a CPU goal can be read against what
// the runtime alone spends. Run as `node scripts/bench-floor.ts <list> <out> <concurrency> <mode>`,
// where <list> holds one `url<TAB>path` line per file:
// - `requests`: each body is read and dropped (no file, no hash);
// - `files`: each body is hashed with SHA-256 and written to a temporary in its folder, which
//   is renamed into place once complete: the least any downloader does that keeps the
//   action's guarantees (verified, never partial under its final name).
// Everything the action adds (plan, retries, checks of the answer, the report) is absent.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
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

await Promise.all(Array.from({ length: concurrency }, lane))
await agent.close()
fs.writeSync(1, `${jobs.length} files\n`)
