// `npm run spec-scale`: how long resolving a File Spec of 10 entries over 10,000 listed files
// takes on the local server, and how many requests it sends. Plans only (a dry run's planning
// step: resolvePlan, then the clash check), so the numbers are the spec's own cost. Two
// scenarios: the File List API available, and refused (AQL for every listing, as on a server
// without a Pro licence or for an anonymous user).
import { performance } from 'node:perf_hooks'
import { startArtifactory } from '../server/artifactory.ts'
import { HttpClient } from '../src/net/http-client.ts'
import { retryPolicy } from '../src/net/retry.ts'
import { resolvePlan } from '../src/plan/resolve.ts'
import { checkClashes } from '../src/plan/downloads.ts'
import { parseFileSpec } from '../src/input/file-spec.ts'

const MODULES = 100
const PER_MODULE = 100
const RUNS = 5

const files: Record<string, string> = {}
const properties: Record<string, Record<string, string[]>> = {}
const created: Record<string, string> = {}
const artifacts: string[] = []
for (let m = 0; m < MODULES; m++) {
  for (let f = 0; f < PER_MODULE; f++) {
    const p = `libs/app/m${String(m).padStart(2, '0')}/f${String(f).padStart(2, '0')}.jar`
    files[p] = `${m}/${f}`
    properties[p] = { os: [f % 2 ? 'linux' : 'mac'], release: [m % 10 === 0 ? 'true' : 'false'] }
    created[p] = new Date(Date.UTC(2026, 0, 1) + (m * PER_MODULE + f) * 60_000).toISOString()
    if (m === 42) artifacts.push(p)
  }
}

const spec = JSON.stringify({
  files: [
    // Five plain patterns under one folder: one listing between them.
    { pattern: 'libs/app/m0*/*.jar', target: 'a/' },
    { pattern: 'libs/app/m1*/f1*.jar', target: 'b/' },
    { pattern: 'libs/app/m2?/*', target: 'c/', exclusions: ['*/f9*'] },
    { pattern: 'libs/app/(m3*)/(*).jar', target: 'd/{1}-{2}.jar' },
    { pattern: 'libs/app/m4*/*', target: 'e/', recursive: 'false' },
    // Five through AQL: props, excludeProps, the latest, a build, an aql entry.
    { pattern: 'libs/app/*', props: 'release=true;os=linux', target: 'f/' },
    { pattern: 'libs/app/m5*/*', excludeProps: 'os=mac', target: 'g/' },
    { pattern: 'libs/app/*', sortBy: ['created'], sortOrder: 'desc', limit: 1, target: 'h/' },
    { pattern: '*', build: 'app/42', target: 'i/' },
    { aql: { 'items.find': { repo: 'libs', name: { $match: 'f7?.jar' } } }, target: 'j/' },
  ],
})

async function scenario(listApi: boolean): Promise<void> {
  const server = await startArtifactory({
    files,
    properties,
    created,
    listApi,
    builds: { app: [{ number: '42', started: '2026-11-01T10:00:00.000+0000', artifacts }] },
  })
  const http = new HttpClient({ connections: 8, timeoutMs: 60_000 })
  const times: number[] = []
  let planned = 0
  let requests: string[] = []
  const serverMs: number[] = []
  try {
    for (let run = 0; run < RUNS; run++) {
      server.reset()
      const started = performance.now()
      const resolved = await resolvePlan({
        settings: {
          url: server.url,
          entries: [],
          exclude: [],
          spec: parseFileSpec(spec),
          target: '/tmp/spec-scale',
          flat: true,
        },
        http,
        policy: retryPolicy(3, 0),
        signal: new AbortController().signal,
        onRetry: (line) => console.log(line),
        concurrency: 8,
      })
      checkClashes(resolved.downloads)
      times.push(performance.now() - started)
      if (resolved.failures.length) throw new Error(JSON.stringify(resolved.failures))
      planned = resolved.downloads.length
      requests = server.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)
      // The server runs in this process: the time its answers took (AQL over 10,000 items,
      // JSON of 10,000 rows) is part of the wall time above.
      serverMs.push(
        server.requests.reduce((n, r) => n + ((r.endedAt ?? r.startedAt) - r.startedAt), 0),
      )
    }
  } finally {
    await http.close()
    await server.close()
  }
  const byKind = new Map<string, number>()
  for (const r of requests) {
    const kind = r.startsWith('GET /api/build/') ? 'GET /api/build/…' : r
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1)
  }
  times.sort((a, b) => a - b)
  console.log(
    `File List API ${listApi ? 'available' : 'refused  '}: 10 entries over ${MODULES * PER_MODULE} files → ${planned} planned; ` +
      `median ${times[Math.floor(RUNS / 2)].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[RUNS - 1].toFixed(0)}) over ${RUNS} runs; ` +
      `${requests.length} requests: ${[...byKind].map(([k, n]) => `${n}× ${k}`).join(', ')}; ` +
      `server answering (summed over requests, median) ${serverMs.sort((a, b) => a - b)[Math.floor(RUNS / 2)]} ms`,
  )
}

await scenario(true)
await scenario(false)
