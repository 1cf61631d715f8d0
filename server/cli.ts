// `node server/cli.ts [--port N] [--latency MS] [--throttle BYTES_PER_SEC] [--ready-file PATH]`
// Runs the local Artifactory-compatible server with the sample files until SIGINT/SIGTERM;
// prints one JSON line with its URL (also written to --ready-file) once it listens.
import * as fs from 'node:fs'
import { parseArgs } from 'node:util'
import { startArtifactory } from './artifactory.ts'
import { sampleFiles } from './samples.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    latency: { type: 'string' },
    throttle: { type: 'string' },
    'ready-file': { type: 'string' },
    samples: { type: 'boolean', default: true },
  },
})
const server = await startArtifactory({
  files: values.samples ? sampleFiles() : new Map(),
  port: values.port ? Number(values.port) : 0,
  latencyMs: values.latency ? Number(values.latency) : undefined,
  throttleBytesPerSec: values.throttle ? Number(values.throttle) : undefined,
})
const info = JSON.stringify({ url: server.url, origin: server.origin, port: server.port })
console.log(info)
if (values['ready-file']) fs.writeFileSync(values['ready-file'], `${info}\n`)
const stop = async (): Promise<void> => {
  await server.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
