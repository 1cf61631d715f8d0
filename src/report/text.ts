import * as path from 'node:path'
import type { Redact } from '../common/redact.ts'
import { markdownCode, markdownText, serverText } from '../common/server-text.ts'

/** "1 attempt", "3 attempts". */
export const attemptsText = (n: number): string => `${n} attempt${n === 1 ? '' : 's'}`

/** A destination relative to the target folder, or as it is when it lies outside. */
export function relativeDest(dest: string, target: string): string {
  const rel = path.relative(target, dest)
  return rel && !rel.startsWith('..') ? rel : dest
}

/**
 * Every text the report shows that is not its own (a source, a destination, an error, a note)
 * passes here: secrets removed, then folded and defused by {@link serverText}, then redacted
 * again in case folding formed a secret. One function, so no line can forget it.
 */
export function shown(text: string, redact: Redact): string {
  return redact(serverText(redact(text)))
}

/** Text that is not ours as Markdown that renders as that text, never as a link or HTML. */
export function esc(text: string, redact: Redact): string {
  return markdownText(shown(text, redact))
}

/** Text that is not ours as inline code in a Markdown table cell. */
export function code(text: string, redact: Redact): string {
  return markdownCode(shown(text, redact))
}
