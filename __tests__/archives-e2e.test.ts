// Archives through the bundle, as the runner runs it: zip, tar, tar.gz, tgz and tar.xz unpacked
// where they land; corrupt and hostile archives failed, keeping nothing of them.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { useBundle } from '../__fixtures__/bundle.ts'
import { hasProgram, tarWritesXz } from '../__fixtures__/platform.ts'
import { useServer } from '../__fixtures__/server.ts'
import { filesAsMembers, tarOf, tgzOf, type TarMember } from '../__fixtures__/tar.ts'
import { zipBytes } from '../__fixtures__/zip.ts'
import { runAction } from '../scripts/runner.ts'

const bundle = useBundle('artdl-archives-e2e-')
const server = useServer({
  files: { 'libs/a.txt': 'hello' },
  auth: { token: 'static-token' },
})

const exists = (f: string): boolean => fs.existsSync(path.join(bundle.workspace, f))

/** The two files every good archive holds, as the unpacked folder must show them. */
const tree = { 'bin/tool': '#!/bin/sh\necho tool\n', README: 'readme' }

/**
 * The good archives as `tar -cf -C src .` and `zip -qr` write them (the folders as members of
 * their own, `./`-prefixed in the tars), and the hostile ones, all built in the test: no zip or
 * python3 program, which a Windows runner lacks.
 */
function makeArchives(): Record<string, Buffer> {
  const members: TarMember[] = [
    { path: './', type: 'Directory' },
    { path: './bin/', type: 'Directory' },
    ...filesAsMembers(tree).map((m) => ({ ...m, path: `./${m.path}` })),
  ]
  return {
    'arch/a.tar': tarOf(members),
    'arch/a.tar.gz': tgzOf(members),
    'arch/a.tgz': tgzOf(members),
    'arch/a.zip': zipBytes([
      { name: 'bin/', body: '', mode: 0o40755 },
      ...Object.entries(tree).map(([name, body]) => ({ name, body })),
    ]),
    // zip-slip: a member named ../evil.txt
    'arch/slip.zip': zipBytes([
      { name: 'ok.txt', body: 'ok' },
      { name: '../evil.txt', body: 'evil' },
    ]),
    // absolute member name in a tar
    'arch/abs.tar': tarOf([{ path: '/tmp/artdl-abs-evil', body: 'x' }]),
    // a symlink that points outside
    'arch/link.tar': tarOf([{ path: 'escape', type: 'SymbolicLink', linkpath: '../../../etc' }]),
    'arch/corrupt.tar.gz': Buffer.from('this is not gzip at all'),
  }
}

/** The good files in a folder written to scratch, packed by the `tar` program (Node writes no xz). */
async function tarXzOfTree(): Promise<Buffer> {
  const src = path.join(bundle.scratch, 'archive-src')
  await fsp.rm(src, { recursive: true, force: true })
  for (const [name, body] of Object.entries(tree)) {
    await fsp.mkdir(path.dirname(path.join(src, name)), { recursive: true })
    await fsp.writeFile(path.join(src, name), body)
  }
  const out = path.join(bundle.scratch, 'a.tar.xz')
  execFileSync('tar', ['-cJf', out, '-C', src, '.'])
  return fsp.readFile(out)
}

/** Runs the action extracting each of `archives` (under arch/) into a folder of its own. */
async function extractEach(archives: string[]): Promise<Awaited<ReturnType<typeof runAction>>> {
  return runAction({
    workspace: bundle.workspace,
    inputs: {
      url: server.url,
      'access-token': 'static-token',
      paths: archives.map((a) => `arch/${a} => ${a.replace(/\./g, '_')}/${a}`).join('\n'),
      extract: 'true',
    },
  })
}

/** The unpacked tree in each of `dirs`, the archives gone, and only the unpacked files listed. */
function expectUnpacked(run: Awaited<ReturnType<typeof runAction>>, dirs: string[]): void {
  expect(run.code).toBe(0)
  for (const dir of dirs) {
    expect(fs.readFileSync(path.join(bundle.workspace, dir, 'bin', 'tool'), 'utf8')).toContain(
      'echo tool',
    )
    expect(fs.readFileSync(path.join(bundle.workspace, dir, 'README'), 'utf8')).toBe('readme')
  }
  const files = JSON.parse(run.outputs.files) as string[]
  expect(files).toHaveLength(2 * dirs.length)
  expect(files.every((f) => !/\.(zip|tar|gz|tgz|xz)$/.test(f))).toBe(true)
}

describe('archives', () => {
  it('unpacks zip, tar, tar.gz and tgz where they land, and lists the extracted files', async () => {
    for (const [p, b] of Object.entries(makeArchives())) server.setFile(p, b)
    const run = await extractEach(['a.zip', 'a.tar', 'a.tar.gz', 'a.tgz'])
    expectUnpacked(run, ['a_zip', 'a_tar', 'a_tar_gz', 'a_tgz'])
    expect(exists('a_zip/a.zip')).toBe(false)
  })

  // Built by the tar program and unpacked by the xz program, both missing on Windows.
  it.skipIf(!tarWritesXz() || !hasProgram('xz'))(
    'unpacks a tar.xz written by the tar program where it lands, and lists the extracted files (skipped without tar -cJf or the xz program: Windows)',
    async () => {
      server.setFile('arch/a.tar.xz', await tarXzOfTree())
      const run = await extractEach(['a.tar.xz'])
      expectUnpacked(run, ['a_tar_xz'])
      expect(exists('a_tar_xz/a.tar.xz')).toBe(false)
    },
  )

  it('fails a corrupt archive and hostile archives, keeping nothing of them', async () => {
    const archives = makeArchives()
    for (const [p, b] of Object.entries(archives)) server.setFile(p, b)
    const run = await runAction({
      workspace: bundle.workspace,
      inputs: {
        url: server.url,
        'access-token': 'static-token',
        paths:
          'arch/corrupt.tar.gz\narch/slip.zip => slip/slip.zip\narch/abs.tar => abs/abs.tar\narch/link.tar => link/link.tar',
        extract: 'true',
        retries: '0',
      },
    })
    expect(run.code).toBe(1)
    expect(run.outputs.failed).toBe('4')
    const errors = JSON.parse(run.outputs.errors) as { source: string; message: string }[]
    expect(errors.find((e) => e.source === 'arch/corrupt.tar.gz')?.message).toContain('corrupt')
    expect(errors.find((e) => e.source === 'arch/slip.zip')?.message).toContain("'../evil.txt'")
    expect(errors.find((e) => e.source === 'arch/abs.tar')?.message).toContain('absolute path')
    expect(errors.find((e) => e.source === 'arch/link.tar')?.message).toContain('points outside')
    expect(
      fs
        .readdirSync(bundle.workspace, { recursive: true })
        .filter((f) => !fs.statSync(path.join(bundle.workspace, String(f))).isDirectory()),
    ).toEqual([])
    expect(fs.existsSync(path.join(bundle.scratch, 'evil.txt'))).toBe(false)
    expect(fs.existsSync(path.resolve('/tmp/artdl-abs-evil'))).toBe(false)
  })
})
