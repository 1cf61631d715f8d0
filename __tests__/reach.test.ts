// OIDC, proxies, archives, the tool cache and cancellation, with the bundled action run as the
// runner runs it (a child process with INPUT_* variables) against local servers.
import { execFileSync, spawnSync } from 'node:child_process'
import { create as createTar } from 'tar'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { useServer } from '../__fixtures__/server.ts'
import { startArtifactory, startProxy } from '../server/index.ts'
import { runAction } from '../scripts/runner.ts'
import { freshBundle } from '../scripts/fresh-bundle.ts'

let workspace: string
let scratch: string

// The action is run from a build of src/ as it is now (built once per content, shared).
beforeAll(() => freshBundle(), 300_000)
beforeAll(async () => {
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-reach-'))
})
afterAll(async () => {
  await fsp.rm(scratch, { recursive: true, force: true })
})
const server = useServer({
  files: { 'libs/a.txt': 'hello' },
  auth: { token: 'static-token' },
  oidc: {
    provider: 'github',
    idToken: 'the-id-token',
    accessToken: 'exchanged-access-token',
    username: 'ci-bot',
  },
})
beforeEach(async () => {
  workspace = await fsp.mkdtemp(path.join(scratch, 'ws-'))
})

const exists = (f: string): boolean => fs.existsSync(path.join(workspace, f))

describe('OIDC', () => {
  const idTokenEnv = () => ({
    ACTIONS_ID_TOKEN_REQUEST_URL: `${server.origin}/_id-token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
  })

  it('exchanges the job ID token and downloads with the access token, masked', async () => {
    const run = await runAction({
      workspace,
      inputs: {
        url: server.url,
        paths: 'libs/a.txt',
        'oidc-provider-name': 'github',
        'oidc-audience': 'jfrog-aud',
      },
      env: idTokenEnv(),
    })
    expect(run.code).toBe(0)
    expect(fs.readFileSync(path.join(workspace, 'a.txt'), 'utf8')).toBe('hello')
    expect(run.outputs['oidc-user']).toBe('ci-bot')
    expect(run.stdout).toContain('::add-mask::exchanged-access-token')
    expect(run.stdout.replaceAll('::add-mask::exchanged-access-token', '')).not.toContain(
      'exchanged-access-token',
    )
    const download = server.requests.find((r) => r.path === '/libs/a.txt')
    expect(download?.headers.authorization).toBe('Bearer exchanged-access-token')
    const idRequest = server.requests.find((r) => r.url.startsWith('/_id-token'))
    expect(idRequest?.url).toContain('audience=jfrog-aud')
  })

  it('says to add id-token: write when the job cannot request an ID token', async () => {
    const run = await runAction({
      workspace,
      inputs: { url: server.url, paths: 'libs/a.txt', 'oidc-provider-name': 'github' },
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("add 'permissions: id-token: write'")
    expect(server.requests).toHaveLength(0)
  })

  it('reports a refused exchange with status and message, and downloads nothing', async () => {
    const run = await runAction({
      workspace,
      inputs: { url: server.url, paths: 'libs/a.txt', 'oidc-provider-name': 'not-configured' },
      env: idTokenEnv(),
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/::error::OIDC token exchange.*HTTP 401/)
    expect(run.stdout).toContain('invalid subject token')
    expect(run.stdout.replaceAll('::add-mask::the-id-token', '')).not.toContain('the-id-token')
    expect(server.requests.some((r) => r.path === '/libs/a.txt')).toBe(false)
  })
})

describe('proxies', () => {
  it('goes through HTTP_PROXY to a host only the proxy can resolve, and masks proxy credentials', async () => {
    const proxy = await startProxy({
      hosts: { 'artifactory.internal': '127.0.0.1' },
      auth: { username: 'puser', password: 'proxy-pass-123' },
    })
    try {
      const url = `http://artifactory.internal:${server.port}/artifactory`
      const run = await runAction({
        workspace,
        inputs: { url, paths: 'libs/a.txt', 'access-token': 'static-token' },
        env: { HTTP_PROXY: `http://puser:proxy-pass-123@127.0.0.1:${proxy.port}` },
      })
      expect(run.code).toBe(0)
      expect(fs.readFileSync(path.join(workspace, 'a.txt'), 'utf8')).toBe('hello')
      expect(proxy.requests.length).toBeGreaterThan(0)
      expect(run.stdout).toContain('::add-mask::proxy-pass-123')
    } finally {
      await proxy.close()
    }
  })

  it('bypasses the proxy for NO_PROXY hosts', async () => {
    const proxy = await startProxy({ hosts: { 'artifactory.internal': '127.0.0.1' } })
    try {
      const url = `http://artifactory.internal:${server.port}/artifactory`
      const run = await runAction({
        workspace,
        inputs: { url, paths: 'libs/a.txt', 'access-token': 'static-token', retries: '0' },
        env: { HTTP_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: 'artifactory.internal' },
      })
      // Without the proxy the name does not resolve: the direct attempt fails, the proxy saw nothing.
      expect(run.code).toBe(1)
      expect(run.stdout).toMatch(/host name not found|ENOTFOUND|EAI_AGAIN/)
      expect(proxy.requests).toHaveLength(0)
    } finally {
      await proxy.close()
    }
  })
})

/** Whether a command runs here: `zip` and `python3` are missing from some runner images. */
const available = (command: string): boolean =>
  spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0

// The fixtures are built with zip and python3 (the Windows image has neither on PATH by
// default; its `python3` is a Microsoft Store stub).
describe.skipIf(!available('zip') || !available('python3'))(
  'archives (skipped without the zip and python3 programs: Windows)',
  () => {
    async function makeArchives(): Promise<Record<string, Buffer>> {
      const src = path.join(scratch, 'archive-src')
      await fsp.rm(src, { recursive: true, force: true })
      await fsp.mkdir(path.join(src, 'bin'), { recursive: true })
      await fsp.writeFile(path.join(src, 'bin', 'tool'), '#!/bin/sh\necho tool\n')
      await fsp.writeFile(path.join(src, 'README'), 'readme')
      const out = path.join(scratch, 'archives')
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
        workspace,
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
        expect(fs.readFileSync(path.join(workspace, dir, 'bin', 'tool'), 'utf8')).toContain(
          'echo tool',
        )
        expect(fs.readFileSync(path.join(workspace, dir, 'README'), 'utf8')).toBe('readme')
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
        workspace,
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
          .readdirSync(workspace, { recursive: true })
          .filter((f) => !fs.statSync(path.join(workspace, String(f))).isDirectory()),
      ).toEqual([])
      expect(fs.existsSync(path.join(scratch, 'evil.txt'))).toBe(false)
      expect(fs.existsSync(path.resolve('/tmp/artdl-abs-evil'))).toBe(false)
    })
  },
)

describe('tool cache', () => {
  it('downloads and caches on a miss, then reuses the cache without a request', async () => {
    const archives = await (async () => {
      const src = path.join(scratch, 'tool-src')
      await fsp.mkdir(path.join(src, 'bin'), { recursive: true })
      await fsp.writeFile(path.join(src, 'bin', 'mytool'), 'tool v1')
      // node-tar, not a tar program: Wine has no tar.exe.
      createTar({ gzip: true, sync: true, file: path.join(scratch, 'mytool.tgz'), cwd: src }, ['.'])
      return fs.readFileSync(path.join(scratch, 'mytool.tgz'))
    })()
    server.setFile('tools/mytool-1.2.3.tgz', archives)
    const cache = path.join(scratch, 'tool-cache')
    const inputs = {
      url: server.url,
      'access-token': 'static-token',
      paths: 'tools/mytool-1.2.3.tgz',
      target: 'tool',
      extract: 'true',
      'tool-cache': 'mytool@1.2.3',
      'add-to-path': 'true',
    }
    const miss = await runAction({ workspace, inputs, env: { RUNNER_TOOL_CACHE: cache } })
    expect(miss.code).toBe(0)
    expect(miss.outputs['cache-hit']).toBe('false')
    expect(fs.readFileSync(path.join(miss.outputs.path, 'bin', 'mytool'), 'utf8')).toBe('tool v1')
    server.reset()
    const hit = await runAction({
      workspace: path.join(workspace, 'again'),
      inputs,
      env: { RUNNER_TOOL_CACHE: cache },
    })
    expect(hit.code).toBe(0)
    expect(hit.outputs['cache-hit']).toBe('true')
    expect(hit.outputs.path).toBe(miss.outputs.path)
    expect(JSON.parse(hit.outputs.files)).toEqual([path.join(hit.outputs.path, 'bin', 'mytool')])
    expect(server.requests).toHaveLength(0)
  })
})

describe('cancellation', () => {
  // Windows has no signals: process.kill(pid, 'SIGTERM') ends the process at once, uncaught.
  it.skipIf(process.platform === 'win32')(
    'on SIGTERM stops within 5 seconds, leaves no partial file, and writes the summary (skipped on Windows, which has no signals)',
    async () => {
      const slow = await startArtifactory({
        files: Object.fromEntries(
          Array.from({ length: 6 }, (_, i) => [
            `libs/slow/s${i}.bin`,
            Buffer.alloc(4 * 1024 * 1024, i),
          ]),
        ),
        throttleBytesPerSec: 512 * 1024,
      })
      try {
        let pid = 0
        const running = runAction({
          workspace,
          inputs: { url: slow.url, paths: 'libs/slow/*.bin => out/', concurrency: '3', split: '1' },
          onSpawn: (p) => (pid = p),
        })
        // Signal once partial files are on disk (each transfer takes ~8 s at this throttle), so
        // the test proves they are removed, whatever the machine's speed.
        const out = path.join(workspace, 'out')
        const partial = (): boolean =>
          fs.existsSync(out) &&
          fs
            .readdirSync(out)
            .some(
              (f) =>
                f.endsWith('.artdl-part') &&
                (fs.statSync(path.join(out, f), { throwIfNoEntry: false })?.size ?? 0) > 0,
            )
        let ended = false
        void running.finally(() => (ended = true))
        while (!ended && (slow.stats.bodyResponses < 3 || !partial()))
          await new Promise((r) => setTimeout(r, 20))
        expect(ended, 'the run ended before it was signalled').toBe(false)
        // eslint-disable-next-line no-restricted-properties -- the runner's kill deadline, below
        const sent = Date.now()
        process.kill(pid, 'SIGTERM')
        const run = await running
        // A real bound, not a speed test: a cancelled job's runner sends SIGTERM and kills the
        // step 2.5 s later (after SIGINT and 7.5 s), so cleanup must be prompt. 5 s leaves room
        // for a loaded machine; a run that ignored the signal would take ~8 s or more.
        // eslint-disable-next-line no-restricted-properties -- see above
        expect(Date.now() - sent).toBeLessThan(5000)
        expect(run.code).toBe(1)
        const left = fs.existsSync(path.join(workspace, 'out'))
          ? fs.readdirSync(path.join(workspace, 'out'))
          : []
        expect(left.filter((f) => f.endsWith('.artdl-part'))).toEqual([])
        for (const f of left)
          expect(fs.statSync(path.join(workspace, 'out', f)).size).toBe(4 * 1024 * 1024)
        expect(run.summary).toContain('cancelled')
      } finally {
        await slow.close()
      }
    },
  )
})
