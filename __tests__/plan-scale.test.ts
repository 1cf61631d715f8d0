// A plan of more than 125,000 files (where an argument spread used to overflow the stack),
// listed by the local server and carried through every plan step and the report.
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startArtifactory, type ArtifactoryServer } from '../server/index.ts'
import { resolveQuietly } from '../__fixtures__/plan.ts'
import { HttpClient } from '../src/net/http-client.ts'
import { parseEntries } from '../src/input/entries.ts'
import { checkClashes, plannedBytes } from '../src/plan/downloads.ts'
import { shardPlan, sortPlan } from '../src/plan/shard.ts'
import { outputs } from '../src/report/outputs.ts'
import { summaryMarkdown } from '../src/report/summary.ts'
import { totals } from '../src/report/totals.ts'
import type { FileResult } from '../src/engine/results.ts'

const COUNT = 130_000
let server: ArtifactoryServer
let http: HttpClient

beforeAll(async () => {
  const files = new Map<string, Buffer>()
  const one = Buffer.from('x')
  for (let i = 0; i < COUNT; i++) files.set(`scale/v${Math.floor(i / 1000)}/lib-${i}.jar`, one)
  server = await startArtifactory({ files })
  http = new HttpClient({ connections: 2, timeoutMs: 30_000 })
}, 60_000)
afterAll(async () => {
  await http.close()
  await server.close()
})

describe(`a pattern over ${COUNT.toLocaleString('en')} listed files`, () => {
  it('is planned, checked, sorted, sharded and reported without overflowing the stack', async () => {
    const resolved = await resolveQuietly(
      {
        url: server.url,
        entries: parseEntries('scale/**/*.jar => out/\nscale/v0/lib-0.jar => one/', server.url),
        exclude: [],
        target: '/t',
        flat: false,
      },
      http,
    )
    expect(resolved.failures).toEqual([])
    expect(resolved.downloads).toHaveLength(COUNT + 1)
    checkClashes(resolved.downloads)
    const sorted = sortPlan(resolved.downloads)
    // The runner's separators: Z:\t\one\lib-0.jar under Wine.
    expect(sorted[0].dest).toBe(path.resolve('/t', 'one', 'lib-0.jar'))
    expect(shardPlan(sorted, 2, 2)).toHaveLength((COUNT + 1) / 2 - 0.5)
    // The explicit file has no listed size.
    expect(plannedBytes(sorted)).toEqual({ bytes: COUNT, complete: false })
    expect(sorted[1].checksums.sha256).toMatch(/^[0-9a-f]{64}$/)

    const results: FileResult[] = sorted.map((download) => ({
      download,
      status: 'planned',
      size: download.size,
      bytes: 0,
      attempts: 0,
      durationMs: 0,
      ranges: 1,
    }))
    expect(totals(results).planned).toBe(COUNT + 1)
    expect(JSON.parse(outputs(results, (t) => t).files)).toHaveLength(COUNT + 1)
    const summary = summaryMarkdown(
      results,
      { wallMs: 1, target: '/t', dryRun: true, concurrency: 2, minConcurrency: 2 },
      (t) => t,
    )
    expect(summary).toContain(`**${COUNT + 1}** to download`)
    expect(summary.length).toBeLessThan(1024 * 1024)
  }, 60_000)
})
