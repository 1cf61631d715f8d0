import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { AttemptError } from '../common/errors.ts'

/**
 * The local side of the downloads: creates destination folders, refuses any that lead outside
 * `target` through a symlink, and says which destinations already exist. Each folder is
 * prepared once per run: for 500 files in one folder that is one mkdir, one realpath and one
 * readdir instead of 500 of each, main-thread time saved on every file (see README,
 * Benchmark › Why the engine is built this way).
 *
 * On a case-insensitive target (Windows, macOS by default; the plan probes it) `README.TXT`
 * on disk is the file planned as `readme.txt`: names are compared without case there, or
 * skip-existing would download again a file that is already in place.
 */
export class Destinations {
  private readonly target: string
  private readonly dryRun: boolean
  private readonly key: (name: string) => string
  /** Per folder: the names in it, by comparison key, to the name as it is on disk. */
  private readonly folders = new Map<string, Promise<Map<string, string>>>()
  private realTarget?: Promise<string>

  constructor(target: string, dryRun: boolean, { caseInsensitive = false } = {}) {
    this.target = target
    this.dryRun = dryRun
    this.key = caseInsensitive ? (name) => name.toLowerCase() : (name) => name
  }

  /**
   * Prepares the folder of `dest`; resolves the path of the file or link already there under
   * that name (spelled as on disk, which on a case-insensitive target may differ in case), or
   * undefined when there is none.
   */
  async prepare(dest: string): Promise<string | undefined> {
    const folder = path.dirname(dest)
    let names = this.folders.get(folder)
    if (!names) {
      names = this.prepareFolder(folder)
      this.folders.set(folder, names)
    }
    const existing = (await names).get(this.key(path.basename(dest)))
    return existing === undefined ? undefined : path.join(folder, existing)
  }

  private async prepareFolder(folder: string): Promise<Map<string, string>> {
    if (!this.dryRun) await fsp.mkdir(folder, { recursive: true })
    let real: string
    try {
      real = await fsp.realpath(folder)
    } catch {
      return new Map() // dry run and the folder does not exist yet: nothing to follow, nothing there
    }
    this.realTarget ??= fsp.realpath(this.target).catch(() => this.target)
    const rel = path.relative(await this.realTarget, real)
    // Only a folder planned inside target can be led out of it: one a spec target places
    // elsewhere on purpose (an absolute target, used as written) is where the workflow said.
    if (outside(path.relative(this.target, folder))) return this.namesIn(folder)
    if (outside(rel)) {
      throw new AttemptError(
        'unsafe',
        `refused: ${folder} leads outside 'target' through a symbolic link (to ${real})`,
      )
    }
    return this.namesIn(folder)
  }

  /** The names in a folder, by comparison key. */
  private async namesIn(folder: string): Promise<Map<string, string>> {
    const names = new Map<string, string>()
    for (const name of await fsp.readdir(folder)) {
      const key = this.key(name)
      if (!names.has(key)) names.set(key, name)
    }
    return names
  }
}

/** Whether a relative path leads out of the folder it is relative to. */
const outside = (rel: string): boolean =>
  rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)
