import { execFile } from 'node:child_process'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { AttemptError, messageOf } from '../common/errors.ts'
import { unsafeName } from '../plan/patterns.ts'

const exec = promisify(execFile)

/** Archive kinds `extract: true` unpacks, by file name. */
export function archiveKind(file: string): 'zip' | 'tar' | 'tgz' | 'txz' | undefined {
  const name = file.toLowerCase()
  if (name.endsWith('.zip')) return 'zip'
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'tgz'
  if (name.endsWith('.tar.xz') || name.endsWith('.txz')) return 'txz'
  if (name.endsWith('.tar')) return 'tar'
  return undefined
}

const TAR_FLAGS = { tar: 'x', tgz: 'xz', txz: 'xJ' } as const

/**
 * Unpacks an archive where it lies, then removes it. Members are checked before anything is
 * written (no absolute paths, no `..`, no links leading outside), unpacked into a temporary
 * folder beside the archive, and only then moved into place: a corrupt or hostile archive
 * leaves nothing behind. Returns the absolute paths of the extracted files.
 */
export async function extractArchive(file: string): Promise<string[]> {
  const kind = archiveKind(file)
  if (!kind) return [file]
  const dir = path.dirname(file)
  const temp = path.join(dir, `.${path.basename(file)}.artdl-extract`)
  await fsp.rm(temp, { recursive: true, force: true })
  try {
    await checkMembers(file, kind)
    await fsp.mkdir(temp, { recursive: true })
    // @actions/tool-cache is loaded only when an archive is unpacked: it is not on the start-up path.
    const tc = await import('@actions/tool-cache')
    if (kind === 'zip') await tc.extractZip(file, temp)
    else await tc.extractTar(file, temp, TAR_FLAGS[kind])
    const files = await walk(temp)
    await checkLinks(temp)
    const placed: string[] = []
    for (const f of files) {
      const to = path.join(dir, path.relative(temp, f))
      await fsp.mkdir(path.dirname(to), { recursive: true })
      await fsp.rename(f, to)
      placed.push(to)
    }
    await fsp.rm(file, { force: true })
    return placed
  } catch (err) {
    await fsp.rm(file, { force: true })
    throw err instanceof AttemptError
      ? err
      : new AttemptError(
          'unsafe',
          `cannot extract ${path.basename(file)}: ${firstLine(messageOf(err))}`,
        )
  } finally {
    await fsp.rm(temp, { recursive: true, force: true })
  }
}

async function checkMembers(file: string, kind: 'zip' | 'tar' | 'tgz' | 'txz'): Promise<void> {
  let names: string[]
  const links: [string, string][] = []
  try {
    if (kind === 'zip') {
      names = (await exec('unzip', ['-Z1', file], { maxBuffer: 256 * 1024 * 1024 })).stdout
        .split('\n')
        .filter(Boolean)
    } else {
      const flag = { tar: '', tgz: 'z', txz: 'J' }[kind]
      const verbose = (
        await exec('tar', [`-t${flag}vf`, file], { maxBuffer: 256 * 1024 * 1024 })
      ).stdout
        .split('\n')
        .filter(Boolean)
      names = []
      for (const line of verbose) {
        // `lrwxrwxrwx user/group 0 date time name -> target`
        const m = /^(\S)\S*\s+\S+\s+\d+\s+\S+\s+\S+\s+(.*)$/.exec(line)
        if (!m) continue
        if (m[1] === 'l' || m[1] === 'h') {
          const [name, target] = m[2].split(' -> ')
          names.push(name)
          links.push([name, target ?? ''])
        } else names.push(m[2])
      }
    }
  } catch (err) {
    throw new AttemptError(
      'unsafe',
      `cannot extract ${path.basename(file)}: the archive is corrupt (${firstLine(messageOf(err))})`,
    )
  }
  for (const name of names) {
    const reason = unsafeName(name.replace(/\/$/, '').replace(/^\.\//, ''))
    if (reason && name !== './') {
      throw new AttemptError(
        'unsafe',
        `refused to extract ${path.basename(file)}: member '${name}' ${reason}`,
      )
    }
  }
  for (const [name, target] of links) {
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(name), target))
    if (target.startsWith('/') || resolved.startsWith('..')) {
      throw new AttemptError(
        'unsafe',
        `refused to extract ${path.basename(file)}: link '${name}' points outside the archive ('${target}')`,
      )
    }
  }
}

/** Every regular file and link under a folder. */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await walk(full)))
    else out.push(full)
  }
  return out
}

/** Refuses any extracted link that resolves outside the extraction folder (zip symlinks are not listed by -Z1). */
async function checkLinks(root: string): Promise<void> {
  for (const f of await walk(root)) {
    const stat = await fsp.lstat(f)
    if (!stat.isSymbolicLink()) continue
    const target = await fsp.readlink(f)
    const resolved = path.resolve(path.dirname(f), target)
    const rel = path.relative(root, resolved)
    if (path.isAbsolute(target) || rel.startsWith('..')) {
      throw new AttemptError(
        'unsafe',
        `refused to extract: link '${path.relative(root, f)}' points outside the archive ('${target}')`,
      )
    }
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim()) ?? text
}
