import * as os from 'node:os'
import * as core from '@actions/core'
import { AttemptError } from '../common/errors.ts'
import { Redactor, type Redact } from '../common/redact.ts'
import { shown } from '../report/text.ts'

/** How the rest of the action talks to the runner: one redaction, one cancellation. */
export interface Runner {
  redact: Redact
  /** Logs a line that carries text the action did not write itself (an error, a listed name). */
  say: (line: string) => void
  /**
   * Logs a line the action wrote itself, as `core.info` would, but held with the next ones and
   * written with them (see {@link startRunner}); `say`, `debug` and {@link flush} write it first.
   */
  info: (line: string) => void
  /** Writes the lines `info` holds. Before any line written without the runner. */
  flush: () => void
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
  // A line per file is a write per file: at 300,000 files a pipe the runner drains slower than
  // that holds them one by one, and what it holds outlives the young generation (see README,
  // Benchmark › Memory). Held lines go out together, at 16 K characters or once the event loop
  // turns, so a line never waits for I/O or a timer; the bytes and their order are the same.
  let held: string[] = []
  let heldChars = 0
  let due = false
  const flush = (): void => {
    if (!held.length) return
    const text = held.join(os.EOL)
    held = []
    heldChars = 0
    core.info(text)
  }
  const info = (line: string): void => {
    held.push(line)
    heldChars += line.length
    if (heldChars >= 16 * 1024) flush()
    else if (!due) {
      due = true
      setImmediate(() => {
        due = false
        flush()
      })
    }
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    flush()
    core.warning(`Received ${signal}: stopping, removing partial files and writing the summary`)
    controller.abort(new AttemptError('cancelled', `cancelled by ${signal}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    redact,
    say: (line) => {
      flush()
      core.info(shown(line, redact))
    },
    info,
    flush,
    // Built only when shown: a debug line costs a URL parse and a write per request.
    debug: core.isDebug()
      ? (line) => {
          flush()
          core.debug(shown(line, redact))
        }
      : undefined,
    addSecret: (secret) => {
      // The runner masks what it is given, and only some encodings of it: every form the
      // redactor looks for is given, so a server's URL-encoded or JSON-escaped echo is masked too.
      core.setSecret(secret)
      for (const form of secrets.add(secret)) if (form !== secret) core.setSecret(form)
    },
    signal: controller.signal,
    dispose: () => {
      flush()
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
    },
  }
}
