import * as core from '@actions/core'
import { AttemptError } from '../common/errors.ts'
import { Redactor, type Redact } from '../common/redact.ts'
import { shown } from '../report/text.ts'

/** How the rest of the action talks to the runner: one redaction, one cancellation. */
export interface Runner {
  redact: Redact
  /** Logs a line that carries text the action did not write itself (an error, a listed name). */
  say: (line: string) => void
  /** Request-level lines; undefined unless the step log shows them (ACTIONS_STEP_DEBUG). */
  debug?: (line: string) => void
  /** Masks a secret in the runner's log and removes it from every text the action writes. */
  addSecret: (secret: string) => void
  /** Aborted by SIGINT or SIGTERM (a cancelled job). */
  signal: AbortSignal
  /** Stops listening for signals. */
  dispose: () => void
}

/**
 * Starts listening for cancellation and sets up redaction. A cancelled job gets SIGINT, then
 * SIGTERM: both abort the run so that partial files are removed and the summary is written.
 */
export function startRunner(): Runner {
  // One run, one set of secrets: every text this run shows passes through its redactor.
  const secrets = new Redactor()
  const redact = secrets.redact
  const controller = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    core.warning(`Received ${signal}: stopping, removing partial files and writing the summary`)
    controller.abort(new AttemptError('cancelled', `cancelled by ${signal}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    redact,
    say: (line) => core.info(shown(line, redact)),
    // Built only when shown: a debug line costs a URL parse and a write per request.
    debug: core.isDebug() ? (line) => core.debug(shown(line, redact)) : undefined,
    addSecret: (secret) => {
      // The runner masks what it is given, and only some encodings of it: every form the
      // redactor looks for is given, so a server's URL-encoded or JSON-escaped echo is masked too.
      core.setSecret(secret)
      for (const form of secrets.add(secret)) if (form !== secret) core.setSecret(form)
    },
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
    },
  }
}
