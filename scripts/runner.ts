// Runs the bundled action the way the GitHub runner does: `node dist/index.js` with INPUT_*
// variables and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Shared by the demo, the benchmark
// and the end-to-end tests; under vitest it runs a fresh build of src/ instead of dist/.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freshBundle } from './fresh-bundle.ts'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const BUNDLE = path.join(ROOT, 'dist', 'index.js')

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  outputs: Record<string, string>
  summary: string
  /** Wall time of the child process. */
  ms: number
  /** When the child was spawned (`Date.now()`), to time what a server saw against it. */
  spawnedAt: number
  /** Peak resident set size of the child, in bytes (from /proc, sampled), when measured. */
  peakRss?: number
}

export interface RunOptions {
  inputs: Record<string, string>
  /** The job's workspace (GITHUB_WORKSPACE); a fresh temp folder when omitted. */
  workspace?: string
  env?: Record<string, string | undefined>
  /** Called with each stdout line as it arrives (the demo prints them). */
  onLine?: (line: string) => void
  /** Called once the child is running (tests send signals). */
  onSpawn?: (pid: number) => void
  measureRss?: boolean
  /**
   * The bundle to run. Defaults to dist/index.js, except under vitest: there a bundle built
   * from src/ as it is on disk, so `npm test` never tests an older build than the code.
   */
  bundle?: string
}

/** The environment the runner gives an action step. */
export function actionEnv(
  inputs: Record<string, string>,
  dirs: { workspace: string; output: string; summary: string; temp: string },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_OUTPUT: dirs.output,
    GITHUB_STEP_SUMMARY: dirs.summary,
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: path.join(dirs.temp, 'tool-cache'),
  }
  // Windows needs these for sockets (SystemRoot), temp folders and the user profile.
  for (const name of ['SystemRoot', 'TEMP', 'TMP', 'USERPROFILE'])
    if (process.platform === 'win32' && process.env[name]) env[name] = process.env[name]
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  return env
}

/** Parses the GITHUB_OUTPUT file format (`name<<DELIM\nvalue\nDELIM`). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  // @actions/core ends lines with os.EOL: \r\n on Windows.
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (m) {
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
      out[m[1]] = value.join('\n')
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=')
      out[lines[i].slice(0, at)] = lines[i].slice(at + 1)
    }
  }
  return out
}

/** Runs `node dist/index.js` as a step would, and collects what it left. */
export async function runAction(options: RunOptions): Promise<ActionRun> {
  const temp = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-runner-'))
  const workspace = options.workspace ?? path.join(temp, 'workspace')
  await fsp.mkdir(workspace, { recursive: true })
  const output = path.join(temp, 'output.txt')
  const summary = path.join(temp, 'summary.md')
  await fsp.writeFile(output, '')
  await fsp.writeFile(summary, '')
  const env = { ...actionEnv(options.inputs, { workspace, output, summary, temp }), ...options.env }
  const bundle = options.bundle ?? (process.env.VITEST ? await freshBundle() : BUNDLE)
  const started = performance.now()
  const spawnedAt = Date.now()
  const child = spawn(process.execPath, [bundle], {
    env,
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  options.onSpawn?.(child.pid as number)
  let peakRss = 0
  const sampler = options.measureRss
    ? setInterval(() => {
        peakRss = Math.max(peakRss, readRss(child.pid as number))
      }, 20)
    : undefined
  let stdout = ''
  let pending = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
    pending += chunk
    // The action ends lines with os.EOL: \r\n on Windows.
    const parts = pending.split(/\r?\n/)
    pending = parts.pop() as string
    for (const line of parts) options.onLine?.(line)
  })
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  )
  if (sampler) clearInterval(sampler)
  const ms = performance.now() - started
  if (pending) options.onLine?.(pending)
  const result: ActionRun = {
    code,
    signal,
    stdout: stdout.replaceAll('\r\n', '\n'),
    outputs: parseOutputs(fs.readFileSync(output, 'utf8')),
    summary: fs.readFileSync(summary, 'utf8'),
    ms,
    spawnedAt,
    peakRss: options.measureRss ? peakRss : undefined,
  }
  await fsp.rm(temp, { recursive: true, force: true }).catch(() => undefined)
  return result
}

/** VmHWM (peak RSS) of a live process, 0 when it is gone. */
function readRss(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = /VmHWM:\s+(\d+) kB/.exec(status)
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}
