// The bundle run as the runner runs it: a token a server echoes near the 300-character cut of
// its error message reaches no channel in any part.
import { describe, expect, it } from 'vitest'
import { useBundle } from '../__fixtures__/bundle.ts'
import { startArtifactory } from '../server/index.ts'
import { runAction, type ActionRun } from '../scripts/runner.ts'

const bundle = useBundle('artdl-redaction-e2e-')

/** 64 characters, as a JFrog access token's tail might be. */
const TOKEN = 'tk' + 'Q9w8E7r6T5y4U3i2'.repeat(3) + 'Mm01Nn23Bb45Vv'

/** Everything the step left where a reader could see it, outside the masking commands. */
function channels(run: ActionRun): string {
  const log = run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
  return [log, run.summary, JSON.stringify(run.outputs)].join('\n')
}

describe('the bundle', () => {
  it('leaves no 10-character part of an echoed token in the log, the summary or the outputs', async () => {
    const message = `${'x'.repeat(262)} token: ${TOKEN} was not accepted by the realm`
    const server = await startArtifactory({
      files: { 'libs/a.bin': 'a' },
      auth: { token: TOKEN },
      faults: {
        'libs/a.bin': [
          {
            kind: 'status',
            status: 403,
            body: JSON.stringify({ errors: [{ status: 403, message }] }),
          },
        ],
      },
    })
    try {
      const run = await runAction({
        workspace: bundle.workspace,
        inputs: { url: server.url, paths: 'libs/a.bin', 'access-token': TOKEN, retries: '0' },
      })
      expect(run.code).toBe(1)
      expect(run.outputs.errors).toContain('was not accepted')
      const seen = channels(run)
      const leaked: string[] = []
      for (let i = 0; i + 10 <= TOKEN.length; i++)
        if (seen.includes(TOKEN.slice(i, i + 10))) leaked.push(TOKEN.slice(i, i + 10))
      expect(leaked).toEqual([])
    } finally {
      await server.close()
    }
  })
})
