// `npm run bench -- --tls`: the cost of TLS on the large-file workload. 4 × 256 MiB, 4 at once,
// from the local server over plain HTTP and over HTTPS (TLS 1.3, the test CA in
// __fixtures__/tls), with the action (every byte verified against SHA-256) and curl
// (`--cacert`) side by side, each round in a rotated order; medians of BENCH_ROUNDS (3).
// Both ends run on this machine, so the server's encryption competes with the client's
// decryption for the same cores: the ratios, not the absolute times, are the result, and the
// CPU seconds of each client (GNU time) show what TLS costs the client itself.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { startArtifactory, type ArtifactoryServer } from '../server/artifactory.ts'
import { tlsFixtures } from '../server/tls.ts'
import { actionEnv, BUNDLE } from './runner.ts'
import { curlArgs, freshDir, MiB, pseudoRandom, ROUNDS, sameFiles, timed } from './bench-common.ts'

interface Run {
  ms: number
  cpuMs?: number
  rss?: number
  ok: boolean
}

/** Runs the TLS comparison and prints its table. */
export async function benchTls(): Promise<void> {
  const files = new Map<string, Buffer>()
  for (let i = 0; i < 4; i++) files.set(`bench/tls/f${i}.bin`, pseudoRandom(256 * MiB, i + 1))
  const plain = await startArtifactory({ files })
  const secure = await startArtifactory({ files, tls: true })
  const ca = path.join(tlsFixtures.dir, 'ca.pem')
  const cases = [
    { name: 'action, http', run: () => action(plain, files) },
    { name: 'action, https', run: () => action(secure, files, ca) },
    { name: 'curl, http', run: () => curl(plain, files) },
    { name: 'curl, https', run: () => curl(secure, files, ca) },
  ]
  const runs = new Map<string, Run[]>(cases.map((c) => [c.name, []]))
  console.log(
    `TLS cost: 4 × 256 MiB, 4 at once; cores: ${os.cpus().length}; node ${process.version}; median of ${ROUNDS} rounds`,
  )
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(i + round) % cases.length]
        plain.reset()
        secure.reset()
        const r = await c.run()
        runs.get(c.name)?.push(r)
        console.log(
          `  round ${round + 1}: ${c.name} ${(r.ms / 1000).toFixed(2)} s${r.ok ? '' : ' (WRONG)'}`,
        )
      }
    }
  } finally {
    await plain.close()
    await secure.close()
  }
  const med = (name: string): Run => {
    const sorted = [...(runs.get(name) as Run[])].sort((a, b) => a.ms - b.ms)
    return { ...sorted[Math.floor((sorted.length - 1) / 2)], ok: sorted.every((r) => r.ok) }
  }
  const bytes = 4 * 256 * MiB
  const rows = [
    '| tool | protocol | wall (median) | rounds | MiB/s | CPU s (median run) | peak RSS | all bytes right | https ÷ http |',
    '| --- | --- | ---: | --- | ---: | ---: | ---: | :---: | ---: |',
  ]
  for (const tool of ['action', 'curl']) {
    const http = med(`${tool}, http`)
    for (const proto of ['http', 'https']) {
      const m = med(`${tool}, ${proto}`)
      const all = (runs.get(`${tool}, ${proto}`) as Run[]).map((r) => (r.ms / 1000).toFixed(2))
      rows.push(
        `| ${tool} | ${proto} | ${(m.ms / 1000).toFixed(2)} s | ${all.join(' / ')} | ${(bytes / MiB / (m.ms / 1000)).toFixed(0)} | ${m.cpuMs !== undefined ? (m.cpuMs / 1000).toFixed(2) : '–'} | ${m.rss ? `${(m.rss / MiB).toFixed(0)} MiB` : '–'} | ${m.ok ? 'yes' : 'no'} | ${proto === 'https' ? (m.ms / http.ms).toFixed(2) : '1.00'} |`,
      )
    }
  }
  const a = med('action, https')
  const c = med('curl, https')
  console.log(
    `\n${rows.join('\n')}\n\naction ÷ curl over https (time): ${(a.ms / c.ms).toFixed(2)}`,
  )
}

/** The bundled action as the runner runs it (as runner.ts does), under GNU time for its CPU seconds. */
async function action(
  server: ArtifactoryServer,
  files: Map<string, Buffer>,
  ca?: string,
): Promise<Run> {
  const dir = await freshDir('tls-action')
  const workspace = path.join(dir, 'workspace')
  await fsp.mkdir(workspace)
  const output = path.join(dir, 'output.txt')
  const summary = path.join(dir, 'summary.md')
  await fsp.writeFile(output, '')
  await fsp.writeFile(summary, '')
  const env = actionEnv(
    {
      url: server.url,
      paths: [...files.keys()].join('\n'),
      target: 'out',
      flat: 'false',
      concurrency: '4',
      'progress-interval': '0',
      ...(ca ? { 'ca-certificates': ca } : {}),
    },
    { workspace, output, summary, temp: dir },
  )
  const r = await timed([process.execPath, BUNDLE], env)
  const ok = r.code === 0 && (await sameFiles(files, path.join(workspace, 'out')))
  await fsp.rm(dir, { recursive: true, force: true })
  return { ms: r.ms, cpuMs: r.cpuMs, rss: r.rss, ok }
}

async function curl(
  server: ArtifactoryServer,
  files: Map<string, Buffer>,
  ca?: string,
): Promise<Run> {
  const dir = await freshDir('tls-curl')
  const out = path.join(dir, 'out')
  const args = await curlArgs(
    server.url,
    files.keys(),
    out,
    path.join(dir, 'list.txt'),
    4,
    ca ? ['--cacert', ca] : [],
  )
  const r = await timed(args)
  const ok = r.code === 0 && (await sameFiles(files, out))
  await fsp.rm(dir, { recursive: true, force: true })
  return { ms: r.ms, cpuMs: r.cpuMs, rss: r.rss, ok }
}
