// `npm run build`: the action's bundle and, beside it, the hashing thread's own bundle, so that
// dist/ holds JavaScript only. The thread's file is started by name (`new Worker(url)`), so it
// cannot be part of the action's bundle; Node would refuse to strip its types under
// node_modules and, on some Node 24 versions, warn about it.
//
//   node scripts/build.ts [folder]     (dist by default; the end-to-end tests build elsewhere)
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const NCC = path.join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')
/** The name hasher.ts starts the thread by, beside the action's index.js. */
const WORKER_OUT = 'hash-worker.js'

/**
 * Builds the action into `out`, emptied first: ncc removes only the .js files it finds there, and
 * a file that an older build left behind would ship unnoticed.
 */
export function build(out: string): void {
  fs.rmSync(out, { recursive: true, force: true })
  ncc(['src/index.ts', '-o', out, '--source-map', '--license', 'licenses.txt'])
  // ncc names its output index.js and empties the .js files of its folder: the thread is built
  // into a folder of its own, then moved beside the action's index.js.
  const worker = path.join(out, '.hash-worker')
  ncc(['src/engine/hash-worker.ts', '-o', worker])
  fs.renameSync(path.join(worker, 'index.js'), path.join(out, WORKER_OUT))
  fs.rmSync(worker, { recursive: true, force: true })
}

/** Runs ncc's command line from the project's root; throws with its output when it fails. */
function ncc(args: string[]): void {
  const res = spawnSync(process.execPath, [NCC, 'build', ...args], { cwd: ROOT, encoding: 'utf8' })
  if (res.status !== 0)
    throw new Error(`ncc build ${args.join(' ')} failed:\n${res.stderr}${res.stdout}`)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  build(path.resolve(ROOT, process.argv[2] ?? 'dist'))
