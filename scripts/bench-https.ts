// `npm run bench -- https`: the action against its peers over HTTPS from nginx, as every real
// Artifactory is served: TLS 1.3, HTTP/1.1 with keep-alive, and an `X-Checksum-Sha256` header on
// every file so that the action verifies as it would against Artifactory. Latency comes from a
// small TCP proxy that holds each client-to-server chunk for the given time (one delay per
// request). nginx is installed with apt-get when missing and allowed (root); without it the
// project's own HTTPS server stands in, and the report says so.
//
// Workloads: 500 × 64 KiB at 16 at once, without and with 30 ms added; 4 × 256 MiB at 4 at once.
// Every tool runs under GNU time (wall, CPU of it and its children, peak RSS) in each round, in
// a rotated order; the tables give medians and ratios measured in the same run, then each goal
// of issue 22 next to what this run found.
import { createHash } from 'node:crypto'
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { startArtifactory, type ArtifactoryServer } from '../server/artifactory.ts'
import { tlsFixtures } from '../server/tls.ts'
import { profileCosts } from './cpu-profile.ts'
import { actionEnv } from './runner.ts'
import {
  aria2Args,
  benchBundles,
  curlArgs,
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

interface HttpsWorkload {
  name: string
  title: string
  files: Map<string, Buffer>
  concurrency: number
  latencyMs: number
  /**
   * Through the proxy even without latency, which gives the start-up time; the large files go
   * straight to the origin, so that the proxy's copying costs nobody throughput.
   */
  viaProxy: boolean
}

interface Row {
  tool: string
  ms: number
  cpuS?: number
  rss?: number
  ok: boolean
  rounds: number[]
  /** The action only: spawn to the first connection the proxy saw. */
  startupMs?: number
}

/** An origin the tools download from, with what it costs to stop it. */
interface Origin {
  url: string
  kind: string
  close: () => Promise<void>
}

function filesOf(count: number, size: number, prefix: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  for (let i = 0; i < count; i++)
    files.set(`bench/${prefix}/f${String(i).padStart(5, '0')}.bin`, pseudoRandom(size, i + 7))
  return files
}

/** Runs the HTTPS comparison and prints its tables and the goals' check. */
export async function benchHttps(): Promise<void> {
  const workloads: HttpsWorkload[] = [
    {
      name: 'small',
      title: '500 × 64 KiB over HTTPS, 16 at once, no added latency',
      files: filesOf(500, 64 * 1024, 'small'),
      concurrency: 16,
      latencyMs: 0,
      viaProxy: true,
    },
    {
      name: 'small-30ms',
      title: '500 × 64 KiB over HTTPS, 16 at once, 30 ms added per request',
      files: filesOf(500, 64 * 1024, 'small'),
      concurrency: 16,
      latencyMs: 30,
      viaProxy: true,
    },
    {
      name: 'large',
      title: '4 × 256 MiB over HTTPS, 4 at once',
      files: filesOf(4, 256 * MiB, 'large'),
      concurrency: 4,
      latencyMs: 0,
      viaProxy: false,
    },
  ]
  // BENCH_HTTPS=small,large runs only those (for profiling one workload again and again).
  const picked = process.env.BENCH_HTTPS?.split(',')
  if (picked)
    workloads.splice(0, workloads.length, ...workloads.filter((w) => picked.includes(w.name)))
  const peers = findPeers()
  const all = new Map<string, Buffer>()
  for (const w of workloads) for (const [p, b] of w.files) all.set(p, b)
  const origin = await startOrigin(all)
  const ca = path.join(tlsFixtures.dir, 'ca.pem')
  console.log(
    `HTTPS from ${origin.kind}; peers: ${peers.join(', ') || 'none'}; cores: ${os.cpus().length}; node ${process.version}; median of ${ROUNDS} rounds, tools in rotated order`,
  )
  const results = new Map<string, Row[]>()
  try {
    for (const w of workloads) {
      const proxy = await startDelayProxy(new URL(origin.url), w.latencyMs)
      try {
        // The small workloads also run the action trusting the CA through its own input, as a
        // team with a private CA does, rather than through NODE_EXTRA_CA_CERTS.
        const own = w.files.size > 100 ? [ACTION_CA_INPUT] : []
        const tools = ['action', ...own, ...peers, ...FLOORS]
        const runs = new Map<string, Row[]>(tools.map((t) => [t, []]))
        for (let round = 0; round < ROUNDS; round++) {
          for (const tool of tools.map((_, i) => tools[(i + round) % tools.length])) {
            proxy.firstConnectionAt = undefined
            runs
              .get(tool)
              ?.push(await runTool(tool, w, w.viaProxy ? proxy.url : origin.url, ca, proxy))
          }
        }
        const rows = tools.map((t) => medianRow(runs.get(t) as Row[]))
        results.set(w.name, rows)
        console.log(`\n${table(w, rows)}`)
        if (PROFILE && w.files.size > 100) console.log(`\n${await profileRun(w, proxy, ca)}`)
      } finally {
        await proxy.close()
      }
    }
  } finally {
    await origin.close()
  }
  console.log(`\n### Goals (issue 22), from this run\n\n${goals(results).join('\n')}`)
}

/**
 * `--profile`: the small workloads run once more, outside the timed rounds, with V8's CPU
 * profiler on, the bundle's functions named by their source files through its source map;
 * the report gives the five largest self times per file.
 */
const PROFILE = process.argv.includes('--profile')

async function profileRun(w: HttpsWorkload, proxy: DelayProxy, ca: string): Promise<string> {
  const dir = await freshDir(`https-${w.name}-profile`)
  const profiles = path.join(dir, 'profiles')
  const row = await runTool('action', w, proxy.url, ca, proxy, [
    '--cpu-prof',
    `--cpu-prof-dir=${profiles}`,
    benchBundles()[0],
  ])
  const costs = await profileCosts(profiles)
  await fsp.rm(dir, { recursive: true, force: true })
  const total = costs.reduce((n, c) => n + c.selfUs, 0)
  const perFile = (us: number): string => (us / 1000 / w.files.size).toFixed(3)
  const out = [
    `#### Profile: ${w.title} (one run, every thread; all bytes right: ${row.ok ? 'yes' : 'no'})`,
    '',
    `profiled CPU ${perFile(total)} ms per file (${(total / 1000).toFixed(0)} ms, start-up included)`,
    '',
    '| self time | ms per file | share |',
    '| --- | ---: | ---: |',
  ]
  for (const c of costs.slice(0, 5))
    out.push(
      `| \`${c.name}\` | ${perFile(c.selfUs)} | ${((100 * c.selfUs) / total).toFixed(1)} % |`,
    )
  return out.join('\n')
}

/**
 * Node 24 and undici alone on the same downloads (scripts/bench-floor.ts): bodies drained, and
 * bodies hashed and written to a temporary renamed into place; and both again on Node 24
 * without undici, through a minimal HTTP/1.1 reader on each lane's own socket. Not peers: the
 * floors under what a downloader on this runtime spends, with and without its HTTP client,
 * against which the CPU goals can be read.
 */
const FLOORS = [
  'node floor: requests',
  'node floor: files',
  'node floor: raw TLS requests',
  'node floor: raw TLS files',
]
const FLOOR_MODES = ['requests', 'files', 'raw', 'raw-files']
const FLOOR_SCRIPT = path.join(import.meta.dirname, 'bench-floor.ts')

/** The action with the CA given as its `ca-certificates` input (the private-CA case). */
const ACTION_CA_INPUT = 'action, ca-certificates input'

async function runTool(
  tool: string,
  w: HttpsWorkload,
  url: string,
  ca: string,
  proxy: DelayProxy,
  nodeArgs: string[] = [benchBundles()[0]],
): Promise<Row> {
  const dir = await freshDir(`https-${w.name}-${tool}`)
  const out = path.join(dir, 'out')
  let args: string[]
  let env: NodeJS.ProcessEnv = process.env
  if (tool === 'action' || tool === ACTION_CA_INPUT) {
    const temp = path.join(dir, 'runner')
    await fsp.mkdir(temp, { recursive: true })
    const output = path.join(temp, 'output.txt')
    const summary = path.join(temp, 'summary.md')
    await fsp.writeFile(output, '')
    await fsp.writeFile(summary, '')
    env = {
      ...actionEnv(
        {
          url,
          paths: [...w.files.keys()].join('\n'),
          target: 'out',
          flat: 'false',
          concurrency: String(w.concurrency),
          'progress-interval': '0',
          ...(tool === ACTION_CA_INPUT && { 'ca-certificates': ca }),
        },
        { workspace: dir, output, summary, temp },
      ),
      ...(tool === 'action' && { NODE_EXTRA_CA_CERTS: ca }),
    }
    args = [process.execPath, ...nodeArgs]
  } else if (tool === 'curl' || tool === 'curl+openssl') {
    // The config file is written here, before the clock starts.
    args = await curlArgs(url, w.files.keys(), out, path.join(dir, 'list.txt'), w.concurrency, [
      '--cacert',
      ca,
    ])
    if (tool === 'curl+openssl')
      args = await thenOpenssl(
        args,
        [...w.files.keys()].map((p) => path.join(out, p)),
        dir,
      )
  } else if (FLOORS.includes(tool)) {
    const list = path.join(dir, 'floor.txt')
    await fsp.writeFile(list, [...w.files.keys()].map((p) => `${url}/${p}\t${p}`).join('\n'))
    env = { ...process.env, NODE_EXTRA_CA_CERTS: ca }
    const mode = FLOOR_MODES[FLOORS.indexOf(tool)]
    args = [process.execPath, FLOOR_SCRIPT, list, out, String(w.concurrency), mode]
  } else {
    args = await aria2Args(url, w.files.keys(), out, path.join(dir, 'aria2.txt'), w.concurrency, [
      `--ca-certificate=${ca}`,
      '-x1',
      '-s1',
    ])
  }
  const spawned = Date.now()
  const t = await timed(args, env)
  // The requests-only floors write nothing: their check is that every request got its 200.
  const writes = tool !== FLOORS[0] && tool !== FLOORS[2]
  const ok = t.code === 0 && (!writes || (await sameFiles(w.files, out)))
  await fsp.rm(dir, { recursive: true, force: true })
  return {
    tool,
    ms: t.ms,
    cpuS: t.cpuMs === undefined ? undefined : t.cpuMs / 1000,
    rss: t.rss,
    ok,
    rounds: [t.ms],
    startupMs: tool.startsWith('action') ? startupMs(spawned, proxy.firstConnectionAt) : undefined,
  }
}

/** The round with the median wall time; CPU and start-up are their own medians. */
function medianRow(runs: Row[]): Row {
  const sorted = [...runs].sort((a, b) => a.ms - b.ms)
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]
  return {
    ...mid,
    ok: runs.every((r) => r.ok),
    cpuS: medianOf(runs.map((r) => r.cpuS)),
    rss: Math.max(...runs.map((r) => r.rss ?? 0)) || undefined,
    startupMs: medianOf(runs.map((r) => r.startupMs)),
    rounds: runs.map((r) => r.ms),
  }
}

function table(w: HttpsWorkload, rows: Row[]): string {
  const ours = rows[0]
  const bytes = [...w.files.values()].reduce((n, b) => n + b.length, 0)
  const out = [
    `### ${w.title}`,
    '',
    '| tool | wall (median) | rounds | MiB/s | CPU-s | CPU ms per file | peak RSS | all bytes right | action ÷ tool (wall) | action ÷ tool (CPU) |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | :---: | ---: | ---: |',
  ]
  for (const r of rows) {
    const cpu = r.cpuS !== undefined ? r.cpuS.toFixed(2) : '–'
    const perFile = r.cpuS !== undefined ? ((r.cpuS * 1000) / w.files.size).toFixed(2) : '–'
    const cpuRatio =
      ours.cpuS !== undefined && r.cpuS
        ? (ours.cpuS / r.cpuS).toFixed(2)
        : r === ours
          ? '1.00'
          : '–'
    out.push(
      `| ${r.tool} | ${(r.ms / 1000).toFixed(2)} s | ${r.rounds.map((ms) => (ms / 1000).toFixed(2)).join(' / ')} | ${(bytes / MiB / (r.ms / 1000)).toFixed(0)} | ${cpu} | ${perFile} | ${r.rss ? `${(r.rss / MiB).toFixed(0)} MiB` : '–'} | ${r.ok ? 'yes' : 'no'} | ${(ours.ms / r.ms).toFixed(2)} | ${cpuRatio} |`,
    )
  }
  out.push(...startupLine(ours.startupMs, 'connection'))
  const withInput = rows.find((r) => r.tool === ACTION_CA_INPUT)
  if (withInput?.startupMs !== undefined)
    out.push(`${ACTION_CA_INPUT}: first connection ${withInput.startupMs} ms after spawn (median)`)
  if (w.latencyMs) {
    const floor = Math.ceil(w.files.size / w.concurrency) * w.latencyMs
    out.push(
      '',
      `latency floor ⌈files/concurrency⌉ × latency = ${(floor / 1000).toFixed(2)} s; action ÷ floor = ${(ours.ms / floor).toFixed(2)}`,
    )
  }
  return out.join('\n')
}

/** Each goal of issue 22 next to this run's ratio. */
function goals(results: Map<string, Row[]>): string[] {
  const rows = ['| goal | measured | met |', '| --- | ---: | :---: |']
  const get = (w: string, tool: string): Row | undefined =>
    results.get(w)?.find((r) => r.tool === tool && r.ok)
  const check = (goal: string, value: number | undefined, limit: number, atLeast = false): void => {
    if (value === undefined || !Number.isFinite(value)) rows.push(`| ${goal} | not measured | – |`)
    else
      rows.push(
        `| ${goal} | ${value.toFixed(2)} | ${(atLeast ? value >= limit : value <= limit) ? 'yes' : '**no**'} |`,
      )
  }
  const a30 = get('small-30ms', 'action')
  const c30 = get('small-30ms', 'curl')
  check('30 ms: action wall ÷ curl ≤ 0.75', a30 && c30 && a30.ms / c30.ms, 0.75)
  // 16 requests in flight, each held 30 ms: no downloader finishes sooner than the latency
  // floor, so when curl itself is near it the goal asks for less than that floor.
  const latencyFloorMs = Math.ceil(500 / 16) * 30
  if (c30)
    rows.push(
      `| 30 ms: 0.75 × curl's wall ÷ latency floor (not a goal: below 1.00, no downloader with 16 requests in flight can reach 0.75 × curl) | ${((0.75 * c30.ms) / latencyFloorMs).toFixed(2)} | – |`,
    )
  check('30 ms: action wall ÷ latency floor ≤ 1.25', a30 && a30.ms / latencyFloorMs, 1.25)
  check('30 ms: action CPU-s for 500 files ≤ 0.5', a30?.cpuS, 0.5)
  const floorRow = (label: string, value: number | undefined): void => {
    if (value !== undefined && Number.isFinite(value))
      rows.push(`| ${label} (not a goal: the runtime alone) | ${value.toFixed(2)} | – |`)
  }
  for (const floor of FLOORS) floorRow(`30 ms: ${floor}, CPU-s`, get('small-30ms', floor)?.cpuS)
  const a0 = get('small', 'action')
  const c0 = get('small', 'curl')
  check('no latency: action wall ÷ curl ≤ 2', a0 && c0 && a0.ms / c0.ms, 2)
  for (const floor of FLOORS) {
    const f = get('small', floor)
    floorRow(`no latency: ${floor}, wall ÷ curl`, f && c0 && f.ms / c0.ms)
  }
  const al = get('large', 'action')
  const cl = get('large', 'curl')
  const pl = get('large', 'curl+openssl')
  check('4 × 256 MiB: action throughput ÷ curl ≥ 0.9', al && cl && cl.ms / al.ms, 0.9, true)
  check(
    '4 × 256 MiB: action CPU ÷ curl + openssl ≤ 1.0',
    al?.cpuS !== undefined && pl?.cpuS ? al.cpuS / pl.cpuS : undefined,
    1.0,
  )
  for (const floor of FLOORS) {
    const f = get('large', floor)
    floorRow(`4 × 256 MiB: ${floor}, CPU ÷ curl`, f?.cpuS && cl?.cpuS && f.cpuS / cl.cpuS)
  }
  check('4 × 256 MiB: action peak RSS (MiB) ≤ 150', al?.rss && al.rss / MiB, 150)
  return rows
}

/** nginx when it is there or can be installed; else the project's own HTTPS server. */
async function startOrigin(files: Map<string, Buffer>): Promise<Origin> {
  const nginx = findNginx()
  if (!nginx) {
    console.log('nginx is missing and could not be installed: the local HTTPS server stands in')
    const server: ArtifactoryServer = await startArtifactory({ files, tls: true })
    return {
      url: server.url,
      kind: 'the local server (nginx missing)',
      close: () => server.close(),
    }
  }
  return startNginx(nginx, files)
}

function findNginx(): string | undefined {
  const which = (): string | undefined => {
    for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(p)) return p
    return undefined
  }
  if (which()) return which()
  if (process.getuid?.() !== 0) return undefined
  console.log('installing nginx-light from the system packages…')
  try {
    execFileSync(
      'sh',
      [
        '-c',
        'apt-get install -y -qq nginx-light >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null)',
      ],
      { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } },
    )
  } catch {
    return undefined
  }
  return which()
}

async function startNginx(bin: string, files: Map<string, Buffer>): Promise<Origin> {
  const dir = await freshDir('nginx')
  const root = path.join(dir, 'root')
  const map: string[] = []
  for (const [p, body] of files) {
    const file = path.join(root, p)
    await fsp.mkdir(path.dirname(file), { recursive: true })
    await fsp.writeFile(file, body)
    map.push(`/${p} ${createHash('sha256').update(body).digest('hex')};`)
  }
  await fsp.writeFile(path.join(dir, 'sha256.map'), map.join('\n'))
  await fsp.chmod(dir, 0o755)
  const port = await freePort()
  const tls = tlsFixtures.dir
  const conf = `
daemon off;
worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  keepalive_timeout 60s;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types { application/octet-stream bin; }
  map $uri $sha256 { include ${dir}/sha256.map; default ""; }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${tls}/server.pem;
    ssl_certificate_key ${tls}/server.key;
    ssl_protocols TLSv1.3;
    root ${root};
    location / { add_header X-Checksum-Sha256 $sha256 always; }
  }
}
`
  const confFile = path.join(dir, 'nginx.conf')
  await fsp.writeFile(confFile, conf)
  // As root nginx runs its workers as `nobody`: they must read the files and the key.
  for (const name of ['server.pem', 'server.key'])
    await fsp.copyFile(path.join(tls, name), path.join(dir, name))
  const child: ChildProcess = spawn(bin, ['-c', confFile, '-p', dir], { stdio: 'inherit' })
  await waitForPort(port, child)
  return {
    url: `https://127.0.0.1:${port}`,
    // nginx -v prints its version on stderr.
    kind: spawnSync(bin, ['-v'], { encoding: 'utf8' }).stderr.trim() || 'nginx',
    close: async () => {
      child.kill('SIGQUIT')
      await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`)
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy()
        resolve(true)
      })
      s.on('error', () => resolve(false))
    })
    if (up) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('nginx did not start listening')
}

/** A TCP proxy that holds every client-to-server chunk for `delayMs`: latency per request. */
interface DelayProxy {
  url: string
  /** When the first connection of the current run arrived (set to undefined between runs). */
  firstConnectionAt?: number
  close: () => Promise<void>
}

async function startDelayProxy(target: URL, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>()
  const proxy: DelayProxy = { url: '', close: async () => undefined }
  const server = net.createServer((client) => {
    proxy.firstConnectionAt ??= Date.now()
    const upstream = net.connect(Number(target.port), target.hostname)
    sockets.add(client).add(upstream)
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    const forward = (chunk: Buffer): void => {
      if (delayMs > 0) setTimeout(() => upstream.write(chunk), delayMs)
      else upstream.write(chunk)
    }
    client.on('data', forward)
    client.on('end', () => setTimeout(() => upstream.end(), delayMs))
    upstream.pipe(client)
    const done = (): void => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', done).on('close', done)
    upstream.on('error', done).on('close', done)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  proxy.url = `https://127.0.0.1:${port}`
  proxy.close = async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  return proxy
}
