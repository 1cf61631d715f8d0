// Proxies through the bundle, as the runner runs it: HTTP_PROXY reaches a host only the proxy can
// resolve, with its credentials masked, and NO_PROXY hosts bypass it.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useBundle } from '../__fixtures__/bundle.ts'
import { useServer } from '../__fixtures__/server.ts'
import { startProxy } from '../server/index.ts'
import { runAction } from '../scripts/runner.ts'

const bundle = useBundle('artdl-proxies-e2e-')
const server = useServer({
  files: { 'libs/a.txt': 'hello' },
  auth: { token: 'static-token' },
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
        workspace: bundle.workspace,
        inputs: { url, paths: 'libs/a.txt', 'access-token': 'static-token' },
        env: { HTTP_PROXY: `http://puser:proxy-pass-123@127.0.0.1:${proxy.port}` },
      })
      expect(run.code).toBe(0)
      expect(fs.readFileSync(path.join(bundle.workspace, 'a.txt'), 'utf8')).toBe('hello')
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
        workspace: bundle.workspace,
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
