import * as path from 'node:path'

/** Makes any text safe to show (removes secrets). */
export type Redact = (text: string) => string

/** "1 attempt", "3 attempts". */
export const attemptsText = (n: number): string => `${n} attempt${n === 1 ? '' : 's'}`

/** A destination relative to the target folder, or as it is when it lies outside. */
export function relativeDest(dest: string, target: string): string {
  const rel = path.relative(target, dest)
  return rel && !rel.startsWith('..') ? rel : dest
}

/** Text for one Markdown table cell: pipes escaped, on one line. */
export function esc(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

/** Text as inline code in a Markdown table cell. */
export function code(text: string): string {
  return `\`${esc(text).replace(/`/g, "'")}\``
}
