// Planning at scale: a pattern over N listed files (300,000 by default) in a dry run of
// `node dist/index.js` against the local server; reports planning time and the child's peak
// RSS. `npm run plan-scale [-- N]`; the benchmark runs it too.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { startArtifactory } from '../server/artifactory.ts'
import { MiB } from './bench-common.ts'
import { runAction } from './runner.ts'

/** Planning time and peak RSS of a dry run over `count` listed files. */
export interface PlanScale {
  count: number
  planned: number
  code: number | null
  /** From spawn to the plan's summary line (listing, matching, clash check, sort). */
  planMs: number
  /** The whole run, report included. */
  totalMs: number
  peakRss: number
}

/** Runs the dry run once. Files are 1 byte: the listing is what is measured, not bodies. */
export async function measurePlanScale(count = 300_000): Promise<PlanScale> {
  const files = new Map<string, Buffer>()
  const one = Buffer.from('x')
  // 1,000 files per folder, as a large repository holds them.
  for (let i = 0; i < count; i++) files.set(`scale/v${Math.floor(i / 1000)}/lib-${i}.jar`, one)
  const server = await startArtifactory({ files })
  const workspace = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-plan-scale-'))
  let planMs = 0
  const started = performance.now()
  try {
    const run = await runAction({
      workspace,
      measureRss: true,
      inputs: {
        url: server.url,
        paths: 'scale/**/*.jar => out/',
        flat: 'false',
        'dry-run': 'true',
        'progress-interval': '0',
      },
      onLine: (line) => {
        if (!planMs && / entr(y|ies) requested → /.test(line)) planMs = performance.now() - started
      },
    })
    return {
      count,
      planned: (JSON.parse(run.outputs.files ?? '[]') as string[]).length,
      code: run.code,
      planMs,
      totalMs: run.ms,
      peakRss: run.peakRss ?? 0,
    }
  } finally {
    await server.close()
    await fsp.rm(workspace, { recursive: true, force: true })
  }
}

/** One line for the benchmark's log. */
export function planScaleLine(m: PlanScale): string {
  return (
    `${m.count.toLocaleString('en')} listed files: ${m.planned.toLocaleString('en')} planned, exit ${m.code}, ` +
    `planning ${(m.planMs / 1000).toFixed(1)} s, whole run ${(m.totalMs / 1000).toFixed(1)} s, ` +
    `peak RSS ${(m.peakRss / MiB).toFixed(0)} MiB`
  )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 300_000)
  console.log(planScaleLine(await measurePlanScale(count)))
}
