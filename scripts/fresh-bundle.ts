// The bundle the end-to-end tests run: built from src/ as it is on disk, never the committed
// dist/ (which may be older than the code under test). Built once per content and cached, so a
// run without changes to src/ costs a hash and nothing more.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from './build.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'artdl-bundle')
/** What the build reads besides src/. */
const BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.ts']
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 5 * 60_000

/**
 * The path of `index.js` in a bundle of the current src/, built as `npm run build` builds dist/
 * (scripts/build.ts; only the output folder differs). Parallel test files share one build.
 */
export async function freshBundle(): Promise<string> {
  const hash = contentHash()
  const dir = path.join(CACHE, hash)
  const bundle = path.join(dir, 'index.js')
  const lock = `${dir}.lock`
  fs.mkdirSync(CACHE, { recursive: true })
  for (;;) {
    if (fs.existsSync(bundle)) return bundle
    try {
      fs.mkdirSync(lock)
    } catch {
      // Another test file is building this content: wait for it, or take over a stale lock.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0)
      if (age > STALE_LOCK_MS) fs.rmSync(lock, { recursive: true, force: true })
      else await new Promise((resolve) => setTimeout(resolve, 250))
      continue
    }
    try {
      buildInto(dir)
      removeOthers(hash)
    } finally {
      fs.rmSync(lock, { recursive: true, force: true })
    }
  }
}

/** Runs `npm run build`'s build into `dir`, complete or not at all. */
function buildInto(dir: string): void {
  const temp = `${dir}.tmp-${process.pid}`
  try {
    build(temp)
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true })
    throw new Error(`building the bundle for the tests failed: ${(error as Error).message}`, {
      cause: error,
    })
  }
  // Complete or absent: a reader never sees a half-written bundle.
  fs.renameSync(temp, dir)
}

/** A hash of everything the bundle is built from. */
function contentHash(): string {
  const hash = createHash('sha256')
  const files = [
    ...BUILD_INPUTS.map((f) => path.join(ROOT, f)),
    ...walk(path.join(ROOT, 'src')).sort(),
  ]
  for (const file of files) {
    hash.update(path.relative(ROOT, file)).update('\0')
    hash.update(fs.readFileSync(file)).update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

/** Bundles of older content are not needed again. */
function removeOthers(keep: string): void {
  for (const name of fs.readdirSync(CACHE)) {
    if (name === keep || name.endsWith('.lock')) continue
    const full = path.join(CACHE, name)
    // Another run may be building other content right now: only its leftovers go.
    if (name.includes('.tmp-') && Date.now() - fs.statSync(full).mtimeMs < STALE_LOCK_MS) continue
    fs.rmSync(full, { recursive: true, force: true })
  }
}
