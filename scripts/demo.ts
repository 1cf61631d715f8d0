// `npm run demo`: the action's main job on an embedded default. Starts a local
// Artifactory-compatible server on 127.0.0.1 with sample files (one transient fault that is
// retried), runs the bundled action against it exactly as the runner does, prints the log,
// the outputs and the job summary as text, and stops the server.
// `npm run demo -- --https`: the same over HTTPS, the server's certificate signed by the test CA
// in __fixtures__/tls, which the action is given as `ca-certificates`.
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { startArtifactory } from '../server/artifactory.ts'
import { tlsFixtures } from '../server/tls.ts'
import { sampleFiles } from '../server/samples.ts'
import { runAction } from './runner.ts'

const https = process.argv.includes('--https')
const files = sampleFiles()
const server = await startArtifactory({
  files,
  tls: https || undefined,
  latencyMs: 5,
  // 2 MiB/s per connection, as a slow proxy would allow: large files come in ranges, and
  // the progress line has something to say.
  throttleBytesPerSec: 2 * 1024 * 1024,
  faults: { 'libs-release/com/acme/app/1.4.2/app-1.4.2.jar': [{ kind: 'status', status: 503 }] },
})
const workspace = await fsp.mkdtemp(path.join(os.tmpdir(), 'artdl-demo-'))
const paths = [
  '# a pattern: everything under com/acme, folders kept below repo/',
  'libs-release/com/acme/** => repo/',
  '# a single file, renamed',
  'generic-local/docs/readme.txt => docs/README.txt',
].join('\n')

console.log(`demo: local Artifactory at ${server.url} with ${files.size} sample files`)
console.log(`demo: running dist/index.js as the runner would, into ${workspace}\n`)
const result = await runAction({
  workspace,
  inputs: {
    url: server.url,
    paths,
    target: 'downloads',
    flat: 'false',
    concurrency: '8',
    'split-min-size': '4MiB',
    retries: '3',
    'retry-delay': '200',
    'progress-interval': '1',
    ...(https ? { 'ca-certificates': path.join(tlsFixtures.dir, 'ca.pem') } : {}),
  },
  onLine: (line) => {
    const shown = asRunnerShows(line)
    if (shown !== undefined) console.log(`  │ ${shown}`)
  },
})
await server.close()

console.log(`\ndemo: exit code ${result.code}, ${Math.round(result.ms)} ms`)
console.log('demo: outputs')
for (const [name, value] of Object.entries(result.outputs)) {
  const shown = value.length > 160 ? `${value.slice(0, 157)}…` : value
  console.log(`  ${name} = ${shown}`)
}
console.log('\ndemo: job summary\n')
console.log(markdownToText(result.summary))
await fsp.rm(workspace, { recursive: true, force: true })
process.exit(result.code === 0 && result.outputs.failed === '0' ? 0 : 1)

/** A workflow command as the runner's log shows it (debug lines are hidden unless step debug is on). */
function asRunnerShows(line: string): string | undefined {
  if (line.startsWith('::debug::') || line.startsWith('::add-mask::') || line === '::endgroup::')
    return undefined
  if (line.startsWith('::group::')) return `▼ ${line.slice(9)}`
  const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
  if (m) return `${m[1].toUpperCase()}: ${decodeURIComponent(m[3])}`
  return line
}

/** Renders the summary's Markdown as plain terminal text: aligned tables, no markup. */
function markdownToText(md: string): string {
  const out: string[] = []
  const lines = md.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('|')) {
      const rows: string[][] = []
      for (; i < lines.length && lines[i].startsWith('|'); i++) {
        if (/^\|[\s:|-]+\|$/.test(lines[i])) continue
        rows.push(
          lines[i]
            .slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((c) => plain(c.trim())),
        )
      }
      i--
      const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
      rows.forEach((r, n) => {
        out.push(`  ${r.map((c, k) => c.padEnd(widths[k])).join('  ')}`)
        if (n === 0) out.push(`  ${widths.map((w) => '─'.repeat(w)).join('  ')}`)
      })
    } else {
      out.push(plain(lines[i].replace(/^#+\s*/, (h) => (h.length > 3 ? '  ' : ''))))
    }
  }
  return out.join('\n')
}

function plain(text: string): string {
  return text
    .replace(/\*\*(.*?)\*\*/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/<\/?(details|summary)>/g, '')
    .replace(/\\\|/g, '|')
}
