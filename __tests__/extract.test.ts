// Archives read by libraries (node-tar, yauzl; xz for .tar.xz), hostile members refused
// before anything is written, and extraction that stops when the run is cancelled.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { Header } from 'tar'
import { describe, expect, it } from 'vitest'
import { useTempDir } from '../__fixtures__/temp-dir.ts'
import { extractArchive, listMembers } from '../src/extract/archive.ts'
import { hasProgram, symlinksWork } from '../__fixtures__/platform.ts'
import { zipBytes } from '../__fixtures__/zip.ts'
import { tarOf, tgzOf } from '../__fixtures__/tar.ts'
import { useServer } from '../__fixtures__/server.ts'
import { runAction } from '../scripts/runner.ts'

const dir = useTempDir('artdl-extract-')

/** `count` tiny members in folders of 1,000, gzipped: the header encoding is the cost. */
function manyMembers(count: number): Buffer {
  const buf = Buffer.alloc(count * 1024 + 1024)
  for (let i = 0; i < count; i++) {
    const at = i * 1024
    new Header({
      path: `d${Math.floor(i / 1000)}/f${i}.txt`,
      mode: 0o644,
      size: 2,
      type: 'File',
      mtime: new Date(0),
    }).encode(buf, at)
    buf.write('x\n', at + 512)
  }
  return zlib.gzipSync(buf, { level: 1 })
}

/** Everything left under a folder, relative. */
const left = (root: string): string[] =>
  fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).sort() : []

/** Whether unpacking has written into its temporary folder (cheap: polled every 20 ms). */
const started = (temp: string): boolean => {
  try {
    const first = fs.readdirSync(temp)[0]
    return first !== undefined && fs.readdirSync(path.join(temp, first)).length > 10
  } catch {
    return false
  }
}

/** A zip with any member names and Unix symlinks, written by the test (no python3 on Windows). */
function zipOf(file: string, members: { name: string; body: string; symlink?: boolean }[]): void {
  fs.writeFileSync(
    file,
    zipBytes(members.map((m) => ({ ...m, mode: m.symlink ? 0o120777 : 0o100755 }))),
  )
}

const noXz = !hasProgram('xz')
const noSymlinks = !symlinksWork()

describe('members are read by a library', () => {
  it.skipIf(noXz)(
    'lists tar, tar.gz and tar.xz members with their links, without a tar program (skipped without the xz program: Windows)',
    async () => {
      const tar = tarOf([
        { path: 'bin/', type: 'Directory' },
        { path: 'bin/tool', body: 'echo tool' },
        { path: 'bin/alias', type: 'SymbolicLink', linkpath: 'tool' },
        { path: 'bin/hard', type: 'Link', linkpath: 'bin/tool' },
      ])
      await fsp.writeFile(path.join(dir(), 'a.tar'), tar)
      await fsp.writeFile(path.join(dir(), 'a.tgz'), zlib.gzipSync(tar))
      execFileSync('xz', ['-k', path.join(dir(), 'a.tar')])
      const path0 = process.env.PATH
      const expected = [
        { name: 'bin/', type: 'directory' },
        { name: 'bin/tool', type: 'file' },
        { name: 'bin/alias', type: 'symlink', link: 'tool' },
        { name: 'bin/hard', type: 'hardlink', link: 'bin/tool' },
      ]
      try {
        // No tar on PATH: GNU tar's and bsdtar's listings differ, so none is read.
        process.env.PATH = path.dirname(execFileSync('which', ['xz']).toString().trim())
        for (const [name, kind] of [
          ['a.tar', 'tar'],
          ['a.tgz', 'tgz'],
          ['a.tar.xz', 'txz'],
        ] as const) {
          const members = await listMembers(path.join(dir(), name), kind)
          expect(members.map((m) => ({ ...m, link: m.link || undefined }))).toEqual(
            expected.map((m) => ({ ...m, link: m.link })),
          )
        }
      } finally {
        process.env.PATH = path0
      }
    },
  )

  it.skipIf(noSymlinks)(
    'unpacks a tar.gz with no tar program on PATH, links included (skipped where no symbolic link can be made: Wine)',
    async () => {
      const file = path.join(dir(), 'a.tgz')
      await fsp.writeFile(
        file,
        tgzOf([
          { path: 'bin/tool', body: 'echo tool' },
          { path: 'bin/alias', type: 'SymbolicLink', linkpath: 'tool' },
        ]),
      )
      const path0 = process.env.PATH
      process.env.PATH = ''
      try {
        const files = await extractArchive(file)
        expect(files.sort()).toEqual([path.join(dir(), 'bin/alias'), path.join(dir(), 'bin/tool')])
      } finally {
        process.env.PATH = path0
      }
      expect(fs.readFileSync(path.join(dir(), 'bin/alias'), 'utf8')).toBe('echo tool')
      // The archive is gone; the record of its extraction stays beside where it lay.
      expect(left(dir())).toEqual(['.a.tgz.artdl-extracted.json', 'bin', 'bin/alias', 'bin/tool'])
    },
  )

  it.skipIf(noSymlinks)(
    'lists and unpacks zip members with yauzl, symlinks and executable bits kept (skipped where no symbolic link can be made: Wine)',
    async () => {
      const file = path.join(dir(), 'a.zip')
      zipOf(file, [
        { name: 'bin/tool', body: 'echo tool' },
        { name: 'bin/alias', body: 'tool', symlink: true },
      ])
      expect(await listMembers(file, 'zip')).toEqual([
        { name: 'bin/tool', type: 'file', link: undefined },
        { name: 'bin/alias', type: 'symlink', link: 'tool' },
      ])
      await extractArchive(file)
      expect(fs.readlinkSync(path.join(dir(), 'bin/alias'))).toBe('tool')
      expect(fs.statSync(path.join(dir(), 'bin/tool')).mode & 0o111).not.toBe(0)
      expect(left(dir())).toEqual(['.a.zip.artdl-extracted.json', 'bin', 'bin/alias', 'bin/tool'])
    },
  )
})

describe('hostile archives are refused before anything is written', () => {
  const refused = async (name: string, content: Buffer | (() => void), message: RegExp) => {
    const file = path.join(dir(), 'in', name)
    await fsp.mkdir(path.dirname(file), { recursive: true })
    if (typeof content === 'function') content()
    else await fsp.writeFile(file, content)
    await expect(extractArchive(file)).rejects.toThrow(message)
    expect(left(path.join(dir(), 'in'))).toEqual([])
    expect(left(dir())).toEqual(['in'])
  }

  it('a hard link to a file outside', () =>
    refused(
      'hard.tar',
      tarOf([{ path: 'x', type: 'Link', linkpath: '../../etc/passwd' }]),
      /link 'x' points outside the archive \('\.\.\/\.\.\/etc\/passwd'\)/,
    ))

  it('a symlink that climbs out through its folder', () =>
    refused(
      'sym.tgz',
      tgzOf([{ path: 'a/b', type: 'SymbolicLink', linkpath: '../../x' }]),
      /link 'a\/b' points outside/,
    ))

  it.skipIf(noXz)('an absolute member in a tar.xz (skipped without the xz program: Windows)', () =>
    refused(
      'abs.tar.xz',
      execFileSync('xz', ['-c'], { input: tarOf([{ path: '/tmp/artdl-evil', body: 'x' }]) }),
      /member '\/tmp\/artdl-evil' is an absolute path/,
    ),
  )

  it('a zip symlink that points outside', () =>
    refused(
      'sym.zip',
      () =>
        zipOf(path.join(dir(), 'in', 'sym.zip'), [{ name: 'up', body: '../../..', symlink: true }]),
      /link 'up' points outside the archive/,
    ))

  it('a zip whose links each stay inside but chain out, with a file written through them', () =>
    // Each link is harmless read alone ('a/b/c' -> '..' is 'a'), but 'a/b' is already the
    // extraction folder on disk, so 'c' lands in it and points above it: a member written
    // through the chain would land outside, beside the archive's folder.
    refused(
      'chain.zip',
      () =>
        zipOf(path.join(dir(), 'in', 'chain.zip'), [
          { name: 'a/b', body: '..', symlink: true },
          { name: 'a/b/c', body: '..', symlink: true },
          { name: 'a/b/c/d', body: '..', symlink: true },
          { name: 'a/b/c/d/evil.txt', body: 'written outside' },
        ]),
      /member 'a\/b\/c' lies under the link 'a\/b'/,
    ))

  it('a zip member under a link named in another case (one folder on Windows and macOS)', () =>
    refused(
      'case.zip',
      () =>
        zipOf(path.join(dir(), 'in', 'case.zip'), [
          { name: 'A', body: '.', symlink: true },
          { name: 'a/x', body: 'through the link' },
        ]),
      /member 'a\/x' lies under the link 'a'/,
    ))

  it('a tar member under a link of the same archive', () =>
    refused(
      'under.tar',
      tarOf([
        { path: 'a', type: 'SymbolicLink', linkpath: '.' },
        { path: 'a/x', body: 'through the link' },
      ]),
      /member 'a\/x' lies under the link 'a'/,
    ))

  it('a zip member named ../x, with the name shown as text', () =>
    refused(
      'slip.zip',
      () => zipOf(path.join(dir(), 'in', 'slip.zip'), [{ name: '../x ::warning::y', body: 'x' }]),
      /member '\.\.\/x :\u200b:warning:\u200b:y' contains a '\.' or '\.\.' segment/,
    ))

  it('a truncated tar.gz as corrupt', () =>
    refused(
      'cut.tar.gz',
      // Incompressible, so the cut falls inside the member, not just in gzip's trailer.
      tgzOf([{ path: 'a', body: randomBytes(8000).toString('hex') }]).subarray(0, 2000),
      /cannot extract cut\.tar\.gz: the archive is corrupt/,
    ))

  it('a .tar.xz when no xz program can read it, failing closed', async () => {
    const path0 = process.env.PATH
    process.env.PATH = ''
    try {
      await refused(
        'a.tar.xz',
        Buffer.from('not read'),
        /cannot extract a\.tar\.xz: \.tar\.xz needs the xz program, which is not on PATH/,
      )
    } finally {
      process.env.PATH = path0
    }
  })
})

describe('cancellation during extraction', () => {
  it('stops unpacking, removes the temporary folder and the archive', async () => {
    const file = path.join(dir(), 'many.tar.gz')
    await fsp.writeFile(file, manyMembers(100_000))
    const controller = new AbortController()
    const temp = path.join(dir(), '.many.tar.gz.artdl-extract')
    // Cancelled once the first members are on disk.
    const watch = setInterval(() => {
      if (started(temp)) controller.abort(new Error('SIGTERM'))
    }, 20)
    try {
      await expect(extractArchive(file, controller.signal)).rejects.toThrow(
        'extracting many.tar.gz was cancelled',
      )
    } finally {
      clearInterval(watch)
    }
    expect(controller.signal.aborted).toBe(true)
    expect(left(dir())).toEqual([])
  }, 60_000)
})

describe('SIGTERM while a 100,000-member archive unpacks (node dist/index.js)', () => {
  const server = useServer(() => ({ files: { 'arch/many.tar.gz': manyMembers(100_000) } }))

  // Windows has no signals: process.kill(pid, 'SIGTERM') ends the process at once, uncaught.
  it.skipIf(process.platform === 'win32')(
    'exits non-zero within 5 seconds and leaves nothing behind (skipped on Windows, which has no signals)',
    async () => {
      const workspace = path.join(dir(), 'ws')
      await fsp.mkdir(workspace)
      const temp = path.join(workspace, 'out', '.many.tar.gz.artdl-extract')
      let pid = 0
      let sent = 0
      const watch = setInterval(() => {
        if (!sent && started(temp)) {
          // eslint-disable-next-line no-restricted-properties -- the runner's kill deadline, below
          sent = Date.now()
          process.kill(pid, 'SIGTERM')
        }
      }, 20)
      try {
        const run = await runAction({
          workspace,
          inputs: {
            url: server.url,
            paths: 'arch/many.tar.gz => out/',
            extract: 'true',
            'progress-interval': '0',
          },
          onSpawn: (p) => (pid = p),
        })
        expect(sent).toBeGreaterThan(0)
        // A requirement, not a speed test: the runner kills a cancelled step soon after SIGTERM,
        // so cleanup must be prompt; an extraction that ignored the signal takes ~17 s here.
        // eslint-disable-next-line no-restricted-properties -- see above
        expect(Date.now() - sent).toBeLessThan(5000)
        expect(run.code).not.toBe(0)
        expect(run.summary).toContain('cancelled')
        expect(left(workspace)).toEqual(fs.existsSync(path.join(workspace, 'out')) ? ['out'] : [])
      } finally {
        clearInterval(watch)
      }
    },
    60_000,
  )
})
