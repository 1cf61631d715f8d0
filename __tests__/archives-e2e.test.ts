// Archives through the bundle, as the runner runs it: zip, tar, tar.gz, tgz and tar.xz unpacked
// where they land; corrupt and hostile archives failed, keeping nothing of them.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { execFileSync, spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { useBundle } from '../__fixtures__/bundle.ts'
import { useServer } from '../__fixtures__/server.ts'
import { runAction } from '../scripts/runner.ts'

const bundle = useBundle('artdl-archives-e2e-')
const server = useServer({
  files: { 'libs/a.txt': 'hello' },
  auth: { token: 'static-token' },
})

const exists = (f: string): boolean => fs.existsSync(path.join(bundle.workspace, f))

/** Whether a command runs here: `zip` and `python3` are missing from some runner images. */
const available = (command: string): boolean =>
  spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0

// The fixtures are built with zip and python3 (the Windows image has neither on PATH by
// default; its `python3` is a Microsoft Store stub).
describe.skipIf(!available('zip') || !available('python3'))(
  'archives (skipped without the zip and python3 programs: Windows)',
  () => {
    async function makeArchives(): Promise<Record<string, Buffer>> {
      const src = path.join(bundle.scratch, 'archive-src')
      await fsp.rm(src, { recursive: true, force: true })
      await fsp.mkdir(path.join(src, 'bin'), { recursive: true })
      await fsp.writeFile(path.join(src, 'bin', 'tool'), '#!/bin/sh\necho tool\n')
      await fsp.writeFile(path.join(src, 'README'), 'readme')
      const out = path.join(bundle.scratch, 'archives')
      await fsp.mkdir(out, { recursive: true })
      execFileSync('tar', ['-cf', path.join(out, 'a.tar'), '-C', src, '.'])
      execFileSync('tar', ['-czf', path.join(out, 'a.tar.gz'), '-C', src, '.'])
      execFileSync('tar', ['-czf', path.join(out, 'a.tgz'), '-C', src, '.'])
      execFileSync('tar', ['-cJf', path.join(out, 'a.tar.xz'), '-C', src, '.'])
      execFileSync('zip', ['-qr', path.join(out, 'a.zip'), '.'], { cwd: src })
      // zip-slip: a member named ../evil.txt
      execFileSync('python3', [
        '-c',
        `import zipfile; z=zipfile.ZipFile('${path.join(out, 'slip.zip')}','w'); z.writestr('ok.txt','ok'); z.writestr('../evil.txt','evil'); z.close()`,
      ])
      // absolute member name in a tar
      execFileSync('python3', [
        '-c',
        `import tarfile,io; t=tarfile.open('${path.join(out, 'abs.tar')}','w'); d=b'x'; i=tarfile.TarInfo('/tmp/artdl-abs-evil'); i.size=1; t.addfile(i, io.BytesIO(d)); t.close()`,
      ])
      // a symlink that points outside
      execFileSync('python3', [
        '-c',
        `import tarfile; t=tarfile.open('${path.join(out, 'link.tar')}','w'); i=tarfile.TarInfo('escape'); i.type=tarfile.SYMTYPE; i.linkname='../../../etc'; t.addfile(i); t.close()`,
      ])
      const files: Record<string, Buffer> = {}
      for (const f of fs.readdirSync(out)) files[`arch/${f}`] = fs.readFileSync(path.join(out, f))
      files['arch/corrupt.tar.gz'] = Buffer.from('this is not gzip at all')
      return files
    }

    it('unpacks zip, tar, tar.gz, tgz and tar.xz where they land, and lists the extracted files', async () => {
      const archives = await makeArchives()
      for (const [p, b] of Object.entries(archives)) server.setFile(p, b)
      const run = await runAction({
        workspace: bundle.workspace,
        inputs: {
          url: server.url,
          'access-token': 'static-token',
          paths: ['a.zip', 'a.tar', 'a.tar.gz', 'a.tgz', 'a.tar.xz']
            .map((a) => `arch/${a} => ${a.replace(/\./g, '_')}/${a}`)
            .join('\n'),
          extract: 'true',
        },
      })
      expect(run.code).toBe(0)
      for (const dir of ['a_zip', 'a_tar', 'a_tar_gz', 'a_tgz', 'a_tar_xz']) {
        expect(fs.readFileSync(path.join(bundle.workspace, dir, 'bin', 'tool'), 'utf8')).toContain(
          'echo tool',
        )
        expect(fs.readFileSync(path.join(bundle.workspace, dir, 'README'), 'utf8')).toBe('readme')
      }
      expect(exists('a_zip/a.zip')).toBe(false)
      const files = JSON.parse(run.outputs.files) as string[]
      expect(files).toHaveLength(10)
      expect(files.every((f) => !/\.(zip|tar|gz|tgz|xz)$/.test(f))).toBe(true)
    })

    it('fails a corrupt archive and hostile archives, keeping nothing of them', async () => {
      const archives = await makeArchives()
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
  },
)
