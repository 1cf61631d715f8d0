// What the machine running the tests can do, asked of the machine itself rather than read from
// process.platform: Wine is `win32` without tar.exe or working symbolic links, and a real
// Windows runner has both. A test that needs one of these skips and says why in its title.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/** Whether a program runs here (`xz --version`): Windows lacks xz and python3, Wine lacks tar. */
export function hasProgram(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0
}

let symlinks: boolean | undefined

/**
 * Whether symbolic links can be made and read back here. Wine's `fs.symlink` claims success
 * and creates nothing; Windows without the privilege refuses them.
 */
export function symlinksWork(): boolean {
  if (symlinks !== undefined) return symlinks
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artdl-symlink-probe-'))
  try {
    fs.writeFileSync(path.join(dir, 'target'), 'x')
    fs.symlinkSync('target', path.join(dir, 'link'))
    symlinks = fs.readlinkSync(path.join(dir, 'link')) === 'target'
  } catch {
    symlinks = false
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return symlinks
}

/** Whether the temporary folder ignores case (Windows, macOS by default, and Wine). */
export function tempIgnoresCase(): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artdl-case-probe-'))
  try {
    fs.writeFileSync(path.join(dir, 'a'), '')
    return fs.existsSync(path.join(dir, 'A'))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
