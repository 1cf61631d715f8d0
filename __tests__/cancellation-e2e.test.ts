// Cancellation through the bundle, as the runner runs it: SIGTERM stops the run promptly, removes
// partial files and still writes the summary.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useBundle } from '../__fixtures__/bundle.ts'
import { startArtifactory } from '../server/index.ts'
import { runAction } from '../scripts/runner.ts'

const bundle = useBundle('artdl-cancellation-e2e-')

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
          workspace: bundle.workspace,
          inputs: { url: slow.url, paths: 'libs/slow/*.bin => out/', concurrency: '3', split: '1' },
          onSpawn: (p) => (pid = p),
        })
        // Signal once partial files are on disk (each transfer takes ~8 s at this throttle), so
        // the test proves they are removed, whatever the machine's speed.
        const out = path.join(bundle.workspace, 'out')
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
        const left = fs.existsSync(path.join(bundle.workspace, 'out'))
          ? fs.readdirSync(path.join(bundle.workspace, 'out'))
          : []
        expect(left.filter((f) => f.endsWith('.artdl-part'))).toEqual([])
        for (const f of left)
          expect(fs.statSync(path.join(bundle.workspace, 'out', f)).size).toBe(4 * 1024 * 1024)
        expect(run.summary).toContain('cancelled')
      } finally {
        await slow.close()
      }
    },
  )
})
