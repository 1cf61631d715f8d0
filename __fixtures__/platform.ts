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

let tarXz: boolean | undefined

/**
 * Whether the `tar` program writes a .tar.xz here (`tar -cJf`): GNU tar needs the xz program for
 * it, and the Windows image's bsdtar may lack it. Asked by writing one, once.
 */
export function tarWritesXz(): boolean {
  if (tarXz !== undefined) return tarXz
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artdl-txz-probe-'))
  try {
    fs.mkdirSync(path.join(dir, 'src'))
    fs.writeFileSync(path.join(dir, 'src', 'a'), 'a')
    const out = path.join(dir, 'a.tar.xz')
    const run = spawnSync('tar', ['-cJf', out, '-C', path.join(dir, 'src'), '.'], {
      stdio: 'ignore',
    })
    tarXz = run.status === 0 && fs.statSync(out, { throwIfNoEntry: false })?.isFile() === true
  } catch {
    tarXz = false
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return tarXz
}
