// What the benches (bench.ts, bench-https.ts, bench-tls.ts) do alike: generate the data, give
// each run a fresh folder, time a command under GNU time, check the output byte for byte, write
// the peers' lists of downloads, and report the action's start-up.
import { execFileSync, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { BUNDLE } from './runner.ts'

export const MiB = 1024 * 1024

/** Rounds of each measurement: BENCH_ROUNDS, or 3. */
export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3) || 3)

/** `size` bytes, incompressible enough and fast to make: a xorshift block of up to 1 MiB, varied per seed and per MiB. */
export function pseudoRandom(size: number, seed: number): Buffer {
  const block = Buffer.alloc(Math.min(size, MiB))
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i + 4 <= block.length; i += 4) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    block.writeUInt32LE(x, i)
  }
  const out = Buffer.alloc(size)
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off)
    out.writeUInt32LE((seed + off) >>> 0, off)
  }
  return out
}

/** An empty folder `name` under the benches' temporary folder, emptied if it was there. */
export async function freshDir(name: string): Promise<string> {
  const dir = path.join(os.tmpdir(), 'artdl-bench', name)
  await fsp.rm(dir, { recursive: true, force: true })
  await fsp.mkdir(dir, { recursive: true })
  return dir
}

/** What one command cost: wall time, and with GNU time its peak RSS and CPU (user + system). */
export interface Timed {
  ms: number
  rss?: number
  cpuMs?: number
  code: number | null
}

/** Runs a command, under GNU time when there is one (peak RSS and CPU seconds). */
export async function timed(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timed> {
  const useTime = fs.existsSync('/usr/bin/time')
  const report = path.join(os.tmpdir(), `artdl-bench-time-${process.pid}`)
  const argv = useTime ? ['/usr/bin/time', '-f', '%M %U %S', '-o', report, ...args] : args
  const started = performance.now()
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('close', resolve)
  })
  const ms = performance.now() - started
  if (!useTime) return { ms, code }
  // The last line: a command killed by a signal gets a line about it before.
  const last = fs.readFileSync(report, 'utf8').trim().split('\n').pop() ?? ''
  fs.rmSync(report, { force: true })
  const [kb, user, sys] = last.split(' ').map(Number)
  return {
    ms,
    code,
    rss: Number.isFinite(kb) ? kb * 1024 : undefined,
    cpuMs: Number.isFinite(user + sys) ? (user + sys) * 1000 : undefined,
  }
}

/** Whether every file is under `out` at its path, byte for byte. */
export async function sameFiles(files: Map<string, Buffer>, out: string): Promise<boolean> {
  for (const [p, body] of files) {
    const data = await fsp.readFile(path.join(out, p)).catch(() => undefined)
    if (!data?.equals(body)) return false
  }
  return true
}

/**
 * Writes curl's list of downloads (each file of `url` to its path under `out`) to `list` and
 * resolves the arguments of a parallel, quiet, failing curl over it; `extra` goes before the list.
 */
export async function curlArgs(
  url: string,
  files: Iterable<string>,
  out: string,
  list: string,
  concurrency: number,
  extra: string[] = [],
): Promise<string[]> {
  const lines: string[] = []
  for (const p of files) lines.push(`url = "${url}/${p}"`, `output = "${path.join(out, p)}"`)
  await fsp.writeFile(list, lines.join('\n'))
  return [
    'curl',
    '--parallel',
    '--parallel-max',
    String(concurrency),
    '--create-dirs',
    '--fail',
    '--silent',
    '--no-progress-meter',
    '--show-error',
    ...extra,
    '--config',
    list,
  ]
}

/** The peers on this machine (curl, curl+openssl, aria2c), installing aria2 when missing and allowed. */
export function findPeers(): string[] {
  const has = (cmd: string): boolean => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  }
  if (!has('aria2c') && process.getuid?.() === 0 && has('apt-get')) {
    console.log('installing aria2 from the system packages…')
    try {
      execFileSync(
        'sh',
        [
          '-c',
          'apt-get install -y -qq aria2 >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq aria2)',
        ],
        { stdio: 'ignore' },
      )
    } catch {
      console.log('could not install aria2; it is left out')
    }
  }
  const peers = ['curl', 'aria2c'].filter(has)
  if (has('curl') && has('openssl')) peers.splice(1, 0, 'curl+openssl')
  return peers
}

/**
 * Writes aria2c's input file (each file of `url` to its path under `out`) to `list` and
 * resolves the arguments of a quiet aria2c over it; `extra` goes last.
 */
export async function aria2Args(
  url: string,
  files: Iterable<string>,
  out: string,
  list: string,
  concurrency: number,
  extra: string[] = [],
): Promise<string[]> {
  const lines: string[] = []
  for (const p of files) lines.push(`${url}/${p}`, `  out=${p}`)
  await fsp.writeFile(list, lines.join('\n'))
  return [
    'aria2c',
    '-q',
    '-d',
    out,
    '-i',
    list,
    '-j',
    String(concurrency),
    '--file-allocation=none',
    '--auto-file-renaming=false',
    '--allow-overwrite=true',
    ...extra,
  ]
}

/** `args` (a curl), then one `openssl dgst -sha256` over every output: how a careful user verifies. */
export async function thenOpenssl(
  args: string[],
  outputs: string[],
  dir: string,
): Promise<string[]> {
  const list = path.join(dir, 'files.txt')
  await fsp.writeFile(list, outputs.join('\n'))
  return [
    'sh',
    '-c',
    `"$@" && xargs openssl dgst -sha256 -r < ${JSON.stringify(list)} > ${JSON.stringify(path.join(dir, 'sums.txt'))}`,
    'sh',
    ...args,
  ]
}

/** The median of the defined values (undefined when there are none). */
export function medianOf(values: (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b)
  return known.length ? known[Math.floor((known.length - 1) / 2)] : undefined
}

/**
 * The bundles the action runs from: BENCH_BUNDLE (comma-separated paths to an `index.js`, to
 * compare builds in the same run), or dist/index.js.
 */
export function benchBundles(): string[] {
  const listed = (process.env.BENCH_BUNDLE ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  return listed.length ? listed.map((p) => path.resolve(p)) : [BUNDLE]
}

/**
 * From spawning the action to the first thing a server saw of it (`firstAt`, a `Date.now()`):
 * module load, inputs, settings and the plan's first request. Undefined when nothing arrived.
 */
export function startupMs(spawnedAt: number, firstAt: number | undefined): number | undefined {
  return firstAt === undefined || !Number.isFinite(firstAt) ? undefined : firstAt - spawnedAt
}

/** The start-up line both benches print, from the median over rounds of {@link startupMs}. */
export function startupLine(ms: number | undefined, seen: 'request' | 'connection'): string[] {
  return ms === undefined
    ? []
    : ['', `action start-up: first ${seen} ${ms} ms after spawn (median)`]
}
