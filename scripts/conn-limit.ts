// `node scripts/conn-limit.ts [runs] [files]`: a server that accepts only 8 connections at once
// (one more is closed as it arrives, as a front end with a connection cap does), and the engine
// asked for 64 at once, with the action's default retries (3) and retry delay (1 s, jittered).
// Refused connections must lower the concurrency as 429 and 503 do, so every file arrives.
//
// Each run downloads 5,000 small files into a fresh folder; the script prints, per run, the
// files that failed, the time and the lowest concurrency, then the failures in all and the
// median time.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { parseEntries } from '../src/input/entries.ts'
import { planFiles } from '../src/plan/downloads.ts'
import { HttpClient } from '../src/net/http-client.ts'
import { newProgress, runDownloads } from '../src/engine/queue.ts'
import { startArtifactory } from '../server/artifactory.ts'

const CONNECTIONS = 8
const CONCURRENCY = 64

/** What one run found. */
export interface ConnLimitRun {
  failed: number
  ms: number
  minConcurrency: number
  /** Connections the server closed on arrival. */
  closedOnArrival: number
  /** The first failures' messages, to say why. */
  errors: string[]
}

/** Runs `files` downloads at {@link CONCURRENCY} against a server allowing {@link CONNECTIONS}. */
export async function connLimitRun(files: number, retryDelayMs = 1000): Promise<ConnLimitRun> {
  const stored: Record<string, Buffer> = {}
  for (let i = 0; i < files; i++) stored[`libs/f${i}.bin`] = Buffer.alloc(1024 + (i % 977), i)
  const server = await startArtifactory({
    files: stored,
    connections: { maxConnections: CONNECTIONS },
  })
  const target = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-conn-limit-'))
  try {
    const downloads = planFiles(parseEntries(Object.keys(stored).join('\n'), server.url), {
      target,
      flat: true,
    })
    const progress = newProgress(downloads.length, CONCURRENCY)
    const started = Date.now()
    const http = new HttpClient({ connections: CONCURRENCY, timeoutMs: 60_000 })
    const results = await runDownloads(
      downloads,
      {
        http,
        concurrency: CONCURRENCY,
        retries: 3,
        retryDelayMs,
        timeoutMs: 60_000,
        verify: true,
        skipExisting: true,
        dryRun: false,
        split: 1,
        splitMinSize: 16 * 1024 * 1024,
        target,
      },
      {},
      undefined,
      progress,
    ).finally(() => http.close())
    const failed = results.filter((r) => r.status !== 'downloaded')
    return {
      failed: failed.length,
      ms: Date.now() - started,
      minConcurrency: progress.minConcurrency,
      closedOnArrival: server.connectionStats.closedOnArrival,
      errors: [...new Set(failed.map((r) => r.error ?? r.status))].slice(0, 3),
    }
  } finally {
    await server.close()
    await fsp.rm(target, { recursive: true, force: true })
  }
}

/** The middle value (the lower middle of an even count). */
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]

if (import.meta.main) {
  const runs = Number(process.argv[2] ?? 10)
  const files = Number(process.argv[3] ?? 5000)
  console.log(
    `${files} files at concurrency ${CONCURRENCY}, server allows ${CONNECTIONS} connections, ${runs} runs`,
  )
  const all: ConnLimitRun[] = []
  for (let i = 1; i <= runs; i++) {
    const r = await connLimitRun(files)
    all.push(r)
    console.log(
      `run ${i}: ${r.failed} failed, ${(r.ms / 1000).toFixed(2)} s, concurrency down to ${r.minConcurrency}, ${r.closedOnArrival} connections closed on arrival${r.errors.length ? ` (${r.errors.join('; ')})` : ''}`,
    )
  }
  const failures = all.map((r) => r.failed)
  console.log(
    `failures per run: ${failures.join(', ')} (total ${failures.reduce((a, b) => a + b, 0)}); median time ${(median(all.map((r) => r.ms)) / 1000).toFixed(2)} s`,
  )
}
