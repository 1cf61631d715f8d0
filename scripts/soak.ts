// `npm run soak`: truncations and resets under CPU load, run after run; every run must recover.
//
// Each run: 40 files of 16–900 KiB from the local server, concurrency 8, retries 3. The server
// cuts every third body short twice (at a random byte), resets some connections mid-body and
// some before the headers, while three busy loops load the CPU beside the run, as on a shared
// runner. Large files split (small split-min-size), so ranges and tail taking see faults too.
// A run passes when every file is in place byte for byte, no temporary is left and nothing
// escaped as an uncaught exception or unhandled rejection.
//
//   npm run soak                  30 runs (SOAK_RUNS to change)
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseEntries } from '../src/input/entries.ts'
import { planFiles } from '../src/plan/downloads.ts'
import { HttpClient } from '../src/net/http-client.ts'
import { runDownloads } from '../src/engine/queue.ts'
import { startArtifactory, type Fault } from '../server/artifactory.ts'

const KiB = 1024
/** A run takes ~1–3 s under load; one still going after this has hung. */
const RUN_LIMIT_MS = 60_000

/** What a soak found. */
export interface SoakResult {
  runs: number
  /** Runs in which a file failed, differed, a temporary was left or an error escaped. */
  failures: number
  /** One line per failed run. */
  problems: string[]
  peakRssBytes: number
  ms: number
}

/** A small deterministic generator, so a failing run can be replayed by its seed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 2 ** 32
  }
}

/** Three busy loops in child processes (stopped by `stop`). */
function loadCpu(n = 3): () => void {
  const children: ChildProcess[] = Array.from({ length: n }, () =>
    spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }),
  )
  return () => {
    for (const c of children) c.kill('SIGKILL')
  }
}

/** Runs `runs` soak runs; never throws for a failed run, it counts it. */
export async function soak(o: {
  runs: number
  files?: number
  seed?: number
}): Promise<SoakResult> {
  const started = Date.now()
  const escaped: unknown[] = []
  const onEscape = (e: unknown): void => void escaped.push(e)
  process.on('uncaughtException', onEscape)
  process.on('unhandledRejection', onEscape)
  const stopCpu = loadCpu()
  const problems: string[] = []
  let peak = process.memoryUsage().rss
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  try {
    for (let run = 0; run < o.runs; run++) {
      const seed = (o.seed ?? 1) + run
      const problem = await soakRun(seed, o.files ?? 40, escaped)
      if (problem) problems.push(`run ${run + 1} (seed ${seed}): ${problem}`)
      if (process.env.SOAK_DEBUG) {
        ;(globalThis as { gc?: () => void }).gc?.()
        const m = process.memoryUsage()
        console.log(
          `run ${run + 1}: rss ${(m.rss / 2 ** 20).toFixed(0)} MiB, heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB, external ${(m.external / 2 ** 20).toFixed(0)} MiB`,
        )
      }
    }
  } finally {
    clearInterval(sampler)
    stopCpu()
    process.off('uncaughtException', onEscape)
    process.off('unhandledRejection', onEscape)
  }
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024)
  return {
    runs: o.runs,
    failures: problems.length,
    problems,
    peakRssBytes: peak,
    ms: Date.now() - started,
  }
}

async function soakRun(
  seed: number,
  count: number,
  escaped: unknown[],
): Promise<string | undefined> {
  const random = prng(seed)
  const files: Record<string, Buffer> = {}
  const names: string[] = []
  for (let i = 0; i < count; i++) {
    const size = 16 * KiB + Math.floor(random() * (900 - 16) * KiB)
    const data = Buffer.allocUnsafe(size)
    for (let j = 0; j < size; j += 4)
      data.writeUInt32LE((random() * 2 ** 32) >>> 0, Math.min(j, size - 4))
    names.push(`libs/soak/f${i}.bin`)
    files[names[i]] = data
  }
  // Every third file: its first two bodies cut short (the connection closed mid-body). Some
  // others: a reset mid-body, or before the headers. Cuts fall inside what the request asked
  // for (a range, or the whole file), so each fault really breaks a body.
  const cut = (kind: 'truncate' | 'reset') => (asked: number) => ({
    kind,
    afterBytes: 1 + Math.floor(random() * (asked - 1) * 0.9),
  })
  const faults = new Map<string, ((asked: number) => Fault)[]>()
  names.forEach((name, i) => {
    if (i % 3 === 0) faults.set(name, [cut('truncate'), cut('truncate')])
    else if (i % 5 === 1) faults.set(name, [cut('reset')])
    else if (i % 7 === 2) faults.set(name, [() => ({ kind: 'reset' })])
  })
  const asked = (size: number, range: string | undefined): number => {
    const m = range && /^bytes=(\d+)-(\d*)$/.exec(range)
    if (!m) return size
    return (m[2] ? Number(m[2]) + 1 : size) - Number(m[1])
  }
  const server = await startArtifactory({
    files,
    onRequest: (r) => {
      const name = r.path.slice(1)
      if (r.method !== 'GET' || !files[name]) return undefined
      return faults.get(name)?.shift()?.(asked(files[name].length, r.range))
    },
  })
  const target = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-soak-'))
  const before = escaped.length
  // A run that hangs is a failure too: it is cancelled after RUN_LIMIT_MS and counted.
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort(new Error('hung')), RUN_LIMIT_MS)
  const http = new HttpClient({ connections: 8, timeoutMs: 10_000 })
  try {
    const results = await runDownloads(
      planFiles(parseEntries(names.join('\n'), server.url), { target, flat: true }),
      {
        http,
        concurrency: 8,
        retries: 3,
        retryDelayMs: 10,
        timeoutMs: 10_000,
        verify: true,
        skipExisting: true,
        dryRun: false,
        split: 4,
        splitMinSize: 256 * KiB,
        target,
      },
      {},
      stop.signal,
    ).finally(() => http.close())
    if (stop.signal.aborted) return `hung: cancelled after ${RUN_LIMIT_MS / 1000} s`
    const failed = results.filter((r) => r.status !== 'downloaded')
    if (failed.length > 0 && process.env.SOAK_DEBUG)
      console.log(
        server.requests
          .filter((r) => r.path === `/${failed[0].download.source}`)
          .map((r) => `${r.range ?? '-'} ${r.status} ${r.bodyBytes}`),
      )
    if (failed.length > 0)
      return `${failed.length} not downloaded: ${failed[0].download.source}: ${failed[0].error}`
    for (let i = 0; i < names.length; i++) {
      const got = await fsp.readFile(path.join(target, `f${i}.bin`))
      if (!got.equals(files[names[i]])) return `f${i}.bin differs from the server's`
    }
    const left = fs.readdirSync(target).filter((f) => !/^f\d+\.bin$/.test(f))
    if (left.length > 0) return `left behind: ${left.join(', ')}`
    // Errors that escape a run surface a moment later, from a socket.
    await new Promise((r) => setTimeout(r, 20))
    if (escaped.length > before) return `escaped: ${String(escaped[before])}`
    return undefined
  } catch (err) {
    return `threw: ${String(err)}`
  } finally {
    clearTimeout(timer)
    await server.close()
    await fsp.rm(target, { recursive: true, force: true })
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const runs = Math.max(1, Number(process.env.SOAK_RUNS ?? 30) || 30)
  const r = await soak({ runs })
  for (const p of r.problems) console.log(`✗ ${p}`)
  console.log(
    `soak: ${r.runs} runs, ${r.failures} failures, peak RSS ${(r.peakRssBytes / 1024 / 1024).toFixed(1)} MiB, ${(r.ms / 1000).toFixed(1)} s`,
  )
  process.exitCode = r.failures > 0 ? 1 : 0
}
