// `npm run bench`: the action against its peers on the same work, on 127.0.0.1.
// Starts the project's Artifactory-compatible server, generates the data, runs each workload
// with the bundled action (`node dist/index.js` with INPUT_* variables, as the runner does)
// and with curl --parallel, curl followed by `openssl dgst -sha256` (what a careful user runs
// to verify) and aria2c (installed from the system's packages when missing), checks every
// output byte for byte, and prints wall time, MiB/s, CPU-seconds (user + system of the tool and
// its children) per GiB, peak RSS and the ratio to each peer measured in the same run. Absolute
// times on a shared machine are noise; the ratios are the result. The last section checks each
// target of issue 15 against those ratios.
//
// Each workload runs in several rounds (3, or BENCH_ROUNDS), the tools in a rotated order each
// round, and the table shows each tool's median: on a shared 2-core VM one run swings by 30 %
// or more, and whoever runs first pays for the VM touching fresh memory.
//
//   npm run bench                 all workloads
//   npm run bench -- small faults only those (startup, small, large, throttled, faults, rerun, listing, huge, https)
//   npm run bench -- https        over HTTPS from nginx, with and without latency (bench-https.ts)
//   npm run bench -- https --profile   also one profiled run of each small HTTPS workload: top five costs per file
//   BENCH_HTTPS=small-30ms npm run bench -- https   only that HTTPS workload (small, small-30ms, large)
//   npm run bench -- --tls        4 × 256 MiB over HTTPS against plain HTTP, action and curl
//   BENCH_BUNDLE=a/index.js,b/index.js npm run bench -- startup
//                                 start-up of each build, rounds interleaved (default dist/index.js)
//
// CPU time comes from the kernel's account of reaped children (`cutime` + `cstime` of
// /proc/self/stat, 10 ms ticks): the bench runs one tool at a time, so the growth across one run
// is that tool's, including every process it started (curl and openssl under `sh`, the action's
// threads). The server runs inside the bench process and is not counted.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { startArtifactory, type ArtifactoryServer, type Fault } from '../server/artifactory.ts'
import { runAction } from './runner.ts'
import { measurePlanScale, planScaleLine } from './plan-scale.ts'
import {
  curlArgs,
  aria2Args,
  benchBundles,
  findPeers,
  freshDir,
  medianOf,
  MiB,
  pseudoRandom,
  ROUNDS,
  sameFiles,
  startupLine,
  startupMs,
  thenOpenssl,
  timed,
} from './bench-common.ts'

const GiB = 1024 * MiB
/** Rounds of the start-up section: short runs, so more of them (BENCH_STARTUP_ROUNDS, or 15). */
const STARTUP_ROUNDS = Math.max(1, Number(process.env.BENCH_STARTUP_ROUNDS ?? 15) || 15)
// Flags (`--profile`, `--tls`) change how a workload runs, not which ones run.
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const want = (name: string): boolean => only.length === 0 || only.includes(name)

interface Measure {
  tool: string
  ms: number
  bytes: number
  rss?: number
  /** CPU-seconds (user + system) of the tool and its children; undefined where /proc is missing. */
  cpuS?: number
  ok: boolean
  note?: string
  /** Wall time of every round, in run order (the table shows the median). */
  rounds?: number[]
  /** The action only: from spawning `node dist/index.js` to the first request the server saw. */
  firstRequestMs?: number
}

interface Workload {
  name: string
  title: string
  files: Map<string, Buffer>
  server: {
    latencyMs?: number
    throttleBytesPerSec?: number
    faults?: () => Record<string, Fault[]>
  }
  concurrency: number
  /** The action runs with its default concurrency and split (the peers get `concurrency`). */
  actionDefaults?: boolean
  /** Extra inputs for the action. */
  inputs?: Record<string, string>
  /** aria2c options beyond the defaults. */
  aria2?: string[]
  /** Lower bound of the wall time, when physics gives one. */
  floorMs?: number
  retries?: number
}

function filesOf(count: number, size: number, prefix: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  for (let i = 0; i < count; i++)
    files.set(`bench/${prefix}/f${String(i).padStart(5, '0')}.bin`, pseudoRandom(size, i + 1))
  return files
}

const workloads: Workload[] = [
  {
    name: 'small',
    title: '500 × 64 KiB, 30 ms latency, 16 at once',
    files: filesOf(500, 64 * 1024, 'small'),
    server: { latencyMs: 30 },
    concurrency: 16,
    floorMs: Math.ceil(500 / 16) * 30,
  },
  {
    name: 'large',
    title: '4 × 256 MiB, 4 at once',
    files: filesOf(4, 256 * MiB, 'large'),
    server: {},
    concurrency: 4,
  },
  {
    name: 'throttled',
    title: '96 MiB, each connection capped at 12 MiB/s (action: default settings)',
    files: filesOf(1, 96 * MiB, 'throttled'),
    server: { throttleBytesPerSec: 12 * MiB },
    concurrency: 4,
    actionDefaults: true,
    aria2: ['-x4', '-s4', '-k1M'],
  },
  {
    name: 'faults',
    title: '200 × 256 KiB, every 5th fails twice (503, reset, truncated), retries 3',
    files: filesOf(200, 256 * 1024, 'faults'),
    server: {
      faults: () => {
        const kinds: Fault[][] = [
          [{ kind: 'status', status: 503 }, { kind: 'reset' }],
          [{ kind: 'reset' }, { kind: 'truncate', afterBytes: 100_000 }],
          [
            { kind: 'truncate', afterBytes: 50_000 },
            { kind: 'status', status: 503 },
          ],
        ]
        const out: Record<string, Fault[]> = {}
        for (let i = 0; i < 200; i += 5)
          out[`bench/faults/f${String(i).padStart(5, '0')}.bin`] = kinds[(i / 5) % 3]
        return out
      },
    },
    concurrency: 16,
    retries: 3,
  },
]

const huge = {
  name: 'huge',
  title: '20,000 × 1 KiB (memory bound)',
}

/** The numbers the targets of issue 15 are checked against, gathered as workloads finish. */
const found: {
  large?: Measure[]
  small?: { measures: Measure[]; floorMs?: number }
  throttled?: Measure[]
  huge?: { rss500?: number; rss20000?: number }
} = {}

const CLOCK_TICKS = clockTicks()

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux). */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
}

/** CPU-seconds (user + system) of every child this process has reaped so far, from /proc. */
function childrenCpuS(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8')
    // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS
  } catch {
    return undefined
  }
}

/** Runs `fn` (which starts and reaps one child) and returns its result with the child's CPU-seconds. */
async function withCpu<T>(fn: () => Promise<T>): Promise<T & { cpuS?: number }> {
  const before = childrenCpuS()
  const result = await fn()
  const after = childrenCpuS()
  return {
    ...result,
    cpuS: before === undefined || after === undefined ? undefined : after - before,
  }
}

/** The run with the median wall time; correct only if every run was. */
function median(runs: Measure[]): Measure {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms)
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]
  const bad = runs.find((m) => !m.ok)
  return {
    ...mid,
    ok: !bad,
    rss: Math.max(...runs.map((m) => m.rss ?? 0)) || undefined,
    cpuS: medianOf(runs.map((m) => m.cpuS)),
    note: bad?.note ?? mid.note,
    rounds: runs.map((m) => m.ms),
    firstRequestMs: medianOf(runs.map((m) => m.firstRequestMs)),
  }
}

/** Writes and deletes 2 GiB once: a VM's first touch of fresh memory costs ~2.5 s per GiB of page cache, which would otherwise land on whichever tool runs first. */
async function warmUp(): Promise<void> {
  const file = path.join(await freshDir('warm-up'), 'warm.bin')
  const block = Buffer.alloc(16 * MiB, 1)
  const fh = await fsp.open(file, 'w')
  for (let i = 0; i < 128; i++) await fh.write(block)
  await fh.close()
  await fsp.rm(file)
}

async function main(): Promise<void> {
  const peers = findPeers()
  await warmUp()
  console.log(
    `peers: ${peers.length ? peers.join(', ') : 'none found'}; cores: ${os.cpus().length}; node ${process.version}; median of ${ROUNDS} rounds, tools in rotated order`,
  )
  const tables: string[] = []
  if (want('startup')) tables.push(await runStartup())
  for (const w of workloads) {
    if (!want(w.name)) continue
    console.log(`\n## ${w.title}`)
    const measures: Measure[] = []
    const server = await startArtifactory({
      files: w.files,
      latencyMs: w.server.latencyMs,
      throttleBytesPerSec: w.server.throttleBytesPerSec,
    })
    try {
      const reset = (): void => {
        server.reset()
        for (const [p, faults] of Object.entries(w.server.faults?.() ?? {}))
          server.setFaults(p, faults)
      }
      const tools = ['action', ...peers]
      const runs = new Map<string, Measure[]>(tools.map((t) => [t, []]))
      for (let round = 0; round < ROUNDS; round++) {
        const order = tools.map((_, i) => tools[(i + round) % tools.length])
        for (const tool of order) {
          reset()
          const m = tool === 'action' ? await runOurs(w, server) : await runPeer(tool, w, server)
          runs.get(tool)?.push(m)
        }
      }
      for (const tool of tools) measures.push(median(runs.get(tool) as Measure[]))
    } finally {
      await server.close()
    }
    tables.push(table(w, measures))
    console.log(tables[tables.length - 1])
    if (w.name === 'large') found.large = measures
    if (w.name === 'small') found.small = { measures, floorMs: w.floorMs }
    if (w.name === 'throttled') found.throttled = measures
  }
  if (want('rerun')) await runRerun()
  if (want('listing')) await runListing()
  if (want('plan-scale')) {
    console.log('\n## Plan of a pattern over 300,000 listed files (dry run)')
    console.log(planScaleLine(await measurePlanScale(300_000)))
  }
  if (want('huge')) await runHuge()
  if (want('https')) await (await import('./bench-https.ts')).benchHttps()
  if (tables.length === 0) return
  console.log('\n# Results\n')
  console.log(tables.join('\n\n'))
  if (Object.keys(found).length)
    console.log(`\n# Targets (issue 15), from this run\n\n${targets().join('\n')}`)
}

async function runOurs(w: Workload, server: ArtifactoryServer): Promise<Measure> {
  const dir = await freshDir(`${w.name}-action`)
  const run = await withCpu(() =>
    runAction({
      bundle: benchBundles()[0],
      workspace: dir,
      measureRss: true,
      inputs: {
        url: server.url,
        paths: [...w.files.keys()].join('\n'),
        target: 'out',
        flat: 'false',
        ...(w.actionDefaults ? {} : { concurrency: String(w.concurrency) }),
        retries: String(w.retries ?? 3),
        'retry-delay': '100',
        'progress-interval': '0',
        ...w.inputs,
      },
    }),
  )
  const ok = run.code === 0 && (await sameFiles(w.files, path.join(dir, 'out')))
  await fsp.rm(dir, { recursive: true, force: true })
  return {
    tool: 'action',
    ms: run.ms,
    bytes: total(w),
    rss: run.peakRss,
    cpuS: run.cpuS,
    ok,
    note: run.code === 0 ? undefined : `exit ${run.code}`,
    firstRequestMs: startupMs(run.spawnedAt, Math.min(...server.requests.map((r) => r.startedAt))),
  }
}

async function runPeer(peer: string, w: Workload, server: ArtifactoryServer): Promise<Measure> {
  const dir = await freshDir(`${w.name}-${peer}`)
  const out = path.join(dir, 'out')
  const list = path.join(dir, 'list.txt')
  let args: string[]
  if (peer === 'curl' || peer === 'curl+openssl') {
    args = await curlArgs(server.url, w.files.keys(), out, list, w.concurrency, [
      '--retry',
      String(w.retries ?? 0),
      '--retry-all-errors',
      '--retry-delay',
      '0',
    ])
    // Then the digests, the way a careful user checks them (what they would compare with the
    // published checksums).
    if (peer === 'curl+openssl')
      args = await thenOpenssl(
        args,
        [...w.files.keys()].map((p) => path.join(out, p)),
        dir,
      )
  } else {
    args = await aria2Args(server.url, w.files.keys(), out, list, w.concurrency, [
      '--max-tries',
      String((w.retries ?? 0) + 1),
      '--retry-wait',
      '0',
      ...(w.aria2 ?? ['-x1', '-s1']),
    ])
  }
  const { ms, rss, code, cpuS } = await withCpu(() => timed(args))
  const ok = code === 0 && (await sameFiles(w.files, out))
  await fsp.rm(dir, { recursive: true, force: true })
  return {
    tool: peer === 'aria2c' && w.aria2 ? `aria2c ${w.aria2.slice(0, 2).join(' ')}` : peer,
    ms,
    bytes: total(w),
    rss,
    cpuS,
    ok,
    note: code === 0 ? undefined : `exit ${code}`,
  }
}

function total(w: Workload): number {
  let n = 0
  for (const b of w.files.values()) n += b.length
  return n
}

function table(w: Workload, measures: Measure[]): string {
  const ours = measures[0]
  const rows = [
    `### ${w.title}`,
    '',
    '| tool | wall (median) | rounds | MiB/s | CPU-s | CPU-s per GiB | peak RSS | all bytes right | action ÷ tool (time) | action ÷ tool (CPU) |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | :---: | ---: | ---: |',
  ]
  for (const m of measures) {
    const ratio = m === ours ? '1.00' : (ours.ms / m.ms).toFixed(2)
    const cpuRatio =
      ours.cpuS !== undefined && m.cpuS
        ? (ours.cpuS / m.cpuS).toFixed(2)
        : m === ours
          ? '1.00'
          : '–'
    rows.push(
      `| ${m.tool} | ${(m.ms / 1000).toFixed(2)} s | ${(m.rounds ?? [m.ms]).map((ms) => (ms / 1000).toFixed(2)).join(' / ')} | ${(m.bytes / MiB / (m.ms / 1000)).toFixed(0)} | ${m.cpuS !== undefined ? m.cpuS.toFixed(2) : '–'} | ${m.cpuS !== undefined ? (m.cpuS / (m.bytes / GiB)).toFixed(2) : '–'} | ${m.rss ? `${(m.rss / MiB).toFixed(0)} MiB` : '–'} | ${m.ok ? 'yes' : `no${m.note ? ` (${m.note})` : ''}`} | ${ratio} | ${cpuRatio} |`,
    )
  }
  rows.push(...startupLine(ours.firstRequestMs, 'request'))
  if (w.floorMs)
    rows.push(
      '',
      `latency floor ⌈files/concurrency⌉ × latency = ${(w.floorMs / 1000).toFixed(2)} s; action ÷ floor = ${(ours.ms / w.floorMs).toFixed(2)}`,
    )
  const correct = measures.slice(1).filter((m) => m.ok)
  if (correct.length) {
    const best = correct.reduce((a, b) => (a.ms < b.ms ? a : b))
    rows.push('', `action ÷ best correct peer (${best.tool}) = ${(ours.ms / best.ms).toFixed(2)}`)
  }
  return rows.join('\n')
}

/** 20,000 small files vs 500: peak RSS ratio (bounded memory for very large runs). */
async function runHuge(): Promise<void> {
  console.log(`\n## ${huge.title}`)
  const results: { count: number; ms: number; rss?: number; ok: boolean }[] = []
  for (const count of [500, 20_000]) {
    const files = filesOf(count, 1024, `huge${count}`)
    const server = await startArtifactory({ files })
    const dir = await freshDir(`huge-${count}`)
    const run = await runAction({
      workspace: dir,
      measureRss: true,
      inputs: {
        url: server.url,
        // A pattern: the runner passes inputs as environment variables, and 20,000 paths
        // exceed what one may hold (E2BIG), on a real runner as here.
        paths: `bench/huge${count}/** => bench/huge${count}/`,
        target: 'out',
        flat: 'false',
        concurrency: '16',
        'progress-interval': '0',
      },
    })
    const summaryKiB = Buffer.byteLength(run.summary) / 1024
    results.push({
      count,
      ms: run.ms,
      rss: run.peakRss,
      ok: run.code === 0 && (await sameFiles(files, path.join(dir, 'out'))),
    })
    console.log(
      `${count} files: ${(run.ms / 1000).toFixed(1)} s, peak RSS ${((run.peakRss ?? 0) / MiB).toFixed(0)} MiB, summary ${summaryKiB.toFixed(0)} KiB, log lines ${run.stdout.split('\n').length}`,
    )
    await server.close()
    await fsp.rm(dir, { recursive: true, force: true })
  }
  const [a, b] = results
  found.huge = { rss500: a.rss, rss20000: b.rss }
  if (a.rss && b.rss) console.log(`peak RSS 20,000 ÷ 500 = ${(b.rss / a.rss).toFixed(2)}`)
}

/** Each target of issue 15 next to what this run measured, as ratios to peers of the same run. */
function targets(): string[] {
  const rows = ['| target | measured | met |', '| --- | --- | :---: |']
  const row = (target: string, value: number | undefined, limit: number, atLeast = false): void => {
    if (value === undefined || !Number.isFinite(value)) {
      rows.push(`| ${target} | not measured | – |`)
      return
    }
    const met = atLeast ? value >= limit : value <= limit
    rows.push(`| ${target} | ${value.toFixed(2)} | ${met ? 'yes' : '**no**'} |`)
  }
  const byTool = (ms: Measure[] | undefined, tool: string): Measure | undefined =>
    ms?.find((m) => m.tool === tool && m.ok)
  const large = found.large
  const action = large?.[0]
  const curl = byTool(large, 'curl')
  const pipeline = byTool(large, 'curl+openssl')
  row(
    '4 × 256 MiB: action throughput ÷ bare curl ≥ 0.9',
    action && curl && curl.ms / action.ms,
    0.9,
    true,
  )
  row(
    '4 × 256 MiB: action wall ÷ curl + openssl ≤ 0.8',
    action && pipeline && action.ms / pipeline.ms,
    0.8,
  )
  row(
    '4 × 256 MiB: action CPU-s ÷ curl + openssl ≤ 1.2',
    action?.cpuS !== undefined && pipeline?.cpuS ? action.cpuS / pipeline.cpuS : undefined,
    1.2,
  )
  const t = found.throttled
  const aria = t?.find((m) => m.tool.startsWith('aria2c') && m.ok)
  row(
    '96 MiB throttled: aria2c -x4 -s4 wall ÷ action ≥ 0.9',
    t && aria && aria.ms / t[0].ms,
    0.9,
    true,
  )
  const small = found.small
  const best = small?.measures
    .slice(1)
    .filter((m) => m.ok)
    .sort((x, y) => x.ms - y.ms)[0]
  row(
    '500 × 64 KiB: action ÷ best peer ≤ 0.75',
    small && best && small.measures[0].ms / best.ms,
    0.75,
  )
  row(
    '500 × 64 KiB: action ÷ latency floor ≤ 1.25',
    small?.floorMs ? small.measures[0].ms / small.floorMs : undefined,
    1.25,
  )
  row('4 × 256 MiB: peak RSS (MiB) ≤ 150', action?.rss && action.rss / MiB, 150)
  const h = found.huge
  row(
    'peak RSS 20,000 files ÷ 500 files ≤ 1.5',
    h?.rss500 && h.rss20000 ? h.rss20000 / h.rss500 : undefined,
    1.5,
  )
  return rows
}

/**
 * Start-up alone: one 1 KiB file, many rounds, each bundle of {@link benchBundles} in turn per
 * round (so builds compared share the machine's load). Spawn to the first request the server
 * saw, and the whole run's wall time.
 */
async function runStartup(): Promise<string> {
  const title = `Start-up: spawn to the first request, one 1 KiB file (${STARTUP_ROUNDS} rounds)`
  console.log(`\n## ${title}`)
  const files = filesOf(1, 1024, 'startup')
  const server = await startArtifactory({ files })
  const bundles = benchBundles()
  const firsts = new Map<string, number[]>(bundles.map((b) => [b, []]))
  const walls = new Map<string, number[]>(bundles.map((b) => [b, []]))
  try {
    for (let round = 0; round < STARTUP_ROUNDS; round++) {
      for (const bundle of bundles) {
        server.reset()
        const dir = await freshDir('startup')
        const run = await runAction({
          bundle,
          workspace: dir,
          inputs: { url: server.url, paths: [...files.keys()].join('\n'), target: 'out' },
        })
        if (run.code !== 0) throw new Error(`${bundle}: exit ${run.code}\n${run.stdout}`)
        const first = startupMs(run.spawnedAt, server.requests[0]?.startedAt)
        if (first !== undefined) firsts.get(bundle)?.push(first)
        walls.get(bundle)?.push(run.ms)
      }
    }
  } finally {
    await server.close()
  }
  const rows = [
    `### ${title}`,
    '',
    '| bundle | first request (median) | min – max | whole run (median) |',
    '| --- | ---: | ---: | ---: |',
  ]
  for (const b of bundles) {
    const f = firsts.get(b) ?? []
    rows.push(
      `| ${path.relative(process.cwd(), b) || b} | ${medianOf(f)} ms | ${Math.min(...f)} – ${Math.max(...f)} ms | ${medianOf(walls.get(b) ?? [])?.toFixed(0)} ms |`,
    )
  }
  const table = rows.join('\n')
  console.log(table)
  return table
}

// `--tls`: the cost of TLS on the large-file workload (scripts/bench-tls.ts), alone.
if (process.argv.includes('--tls')) await (await import('./bench-tls.ts')).benchTls()
else await main()

/** A second run over an up-to-date target: what it costs next to the first (skip-existing). */
async function runRerun(): Promise<void> {
  console.log('\n## Re-run over an up-to-date target: 500 × 64 KiB, 30 ms latency, 16 at once')
  const files = filesOf(500, 64 * 1024, 'rerun')
  const server = await startArtifactory({ files, latencyMs: 30 })
  const dir = await freshDir('rerun')
  const inputs = {
    url: server.url,
    paths: [...files.keys()].join('\n'),
    target: 'out',
    flat: 'false',
    concurrency: '16',
    'progress-interval': '0',
  }
  try {
    const rows: string[] = []
    for (const name of ['first run', 're-run']) {
      server.reset()
      const run = await runAction({ workspace: dir, inputs })
      const ok = run.code === 0 && (await sameFiles(files, path.join(dir, 'out')))
      const byMethod = new Map<string, number>()
      for (const r of server.requests) byMethod.set(r.method, (byMethod.get(r.method) ?? 0) + 1)
      rows.push(
        `| ${name} | ${(run.ms / 1000).toFixed(2)} s | ${[...byMethod].map(([m, n]) => `${n} ${m}`).join(', ')} | ${server.stats.bodyResponses} | ${(server.requests.reduce((n, r) => n + r.bodyBytes, 0) / MiB).toFixed(1)} MiB | ${ok ? 'yes' : 'no'} |`,
      )
    }
    const table = [
      '| run | wall | requests | bodies sent | body bytes | all bytes right |',
      '| --- | ---: | --- | ---: | ---: | :---: |',
      ...rows,
    ].join('\n')
    console.log(table)
  } finally {
    await server.close()
    await fsp.rm(dir, { recursive: true, force: true })
  }
}

/** Listing and planning a pattern over 10,000 files (dry run: no bodies). */
async function runListing(): Promise<void> {
  console.log('\n## Pattern over 10,000 files: listing and planning (dry run)')
  const files = filesOf(10_000, 16, 'list')
  const server = await startArtifactory({ files })
  const dir = await freshDir('listing')
  try {
    const spawned = Date.now()
    const run = await runAction({
      workspace: dir,
      inputs: {
        url: server.url,
        paths: 'bench/list/**/*.bin => out/',
        'dry-run': 'true',
        'progress-interval': '0',
      },
    })
    const listing = server.requests.find((r) => r.path.startsWith('/api/'))
    const planned = JSON.parse(run.outputs.files ?? '[]') as string[]
    console.log(
      `${planned.length} files planned, exit ${run.code}, ${(run.ms / 1000).toFixed(2)} s in all; ` +
        `listing request answered ${listing?.endedAt ? listing.endedAt - spawned : '?'} ms after spawn ` +
        `(server time ${listing?.endedAt ? listing.endedAt - listing.startedAt : '?'} ms); ` +
        `${server.requests.length} request(s), ${server.stats.bodyResponses} file bodies`,
    )
  } finally {
    await server.close()
    await fsp.rm(dir, { recursive: true, force: true })
  }
}
