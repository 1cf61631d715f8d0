// The tool cache through the bundle, as the runner runs it: a miss downloads and caches, a hit
// reuses the cache without a request.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { create as createTar } from 'tar'
import { describe, expect, it } from 'vitest'
import { useBundle } from '../__fixtures__/bundle.ts'
import { useServer } from '../__fixtures__/server.ts'
import { runAction } from '../scripts/runner.ts'

const bundle = useBundle('artdl-tool-cache-e2e-')
const server = useServer({
  files: { 'libs/a.txt': 'hello' },
  auth: { token: 'static-token' },
})

describe('tool cache', () => {
  it('downloads and caches on a miss, then reuses the cache without a request', async () => {
    const archives = await (async () => {
      const src = path.join(bundle.scratch, 'tool-src')
      await fsp.mkdir(path.join(src, 'bin'), { recursive: true })
      await fsp.writeFile(path.join(src, 'bin', 'mytool'), 'tool v1')
      // node-tar, not a tar program: Wine has no tar.exe.
      createTar(
        { gzip: true, sync: true, file: path.join(bundle.scratch, 'mytool.tgz'), cwd: src },
        ['.'],
      )
      return fs.readFileSync(path.join(bundle.scratch, 'mytool.tgz'))
    })()
    server.setFile('tools/mytool-1.2.3.tgz', archives)
    const cache = path.join(bundle.scratch, 'tool-cache')
    const inputs = {
      url: server.url,
      'access-token': 'static-token',
      paths: 'tools/mytool-1.2.3.tgz',
      target: 'tool',
      extract: 'true',
      'tool-cache': 'mytool@1.2.3',
      'add-to-path': 'true',
    }
    const miss = await runAction({
      workspace: bundle.workspace,
      inputs,
      env: { RUNNER_TOOL_CACHE: cache },
    })
    expect(miss.code).toBe(0)
    expect(miss.outputs['cache-hit']).toBe('false')
    expect(fs.readFileSync(path.join(miss.outputs.path, 'bin', 'mytool'), 'utf8')).toBe('tool v1')
    server.reset()
    const hit = await runAction({
      workspace: path.join(bundle.workspace, 'again'),
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
