// The one place where text a server chose (error bodies, header values, listed names, redirect
// targets, archive member names) becomes text the action shows. The runner reads a workflow
// command from any stdout line that starts with `::` (after blanks), and a `##[command]` from
// anywhere in a line; Markdown in the job summary renders links and HTML. So server text is
// folded onto one line, its control characters and terminal escapes made visible or removed,
// both command prefixes broken, and its length bounded, whatever it holds.

import { redactUrl } from './url-credentials.ts'

/** Longest server text shown, in characters (a message is a line, not a dump). */
export const SERVER_TEXT_MAX = 1000

/** What stands where server text was cut at its length bound. */
export const SERVER_TEXT_CUT = '…'

// Terminal escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ESC \`, and two-byte
// `ESC x`): removed whole, so no colour, cursor move, title change or hyperlink survives.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g

// Characters that end a line for the runner or a reader (C0 and C1 controls, DEL, the Unicode
// line and paragraph separators) or reorder what is shown (bidirectional controls).
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

const NEEDS_WORK = new RegExp(`${UNSAFE.source}|::|##\\[`)

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** A zero-width space: splits `::` and `##[` without changing how the text reads. */
const BREAK = '\u200b'

function escapeChar(ch: string): string {
  return NAMED[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/**
 * Server text made safe for one log line, an annotation or an output: one line, no control
 * character (shown as `\n`, `\u001b`…), no terminal escape, no `::` or `##[` that the runner
 * could read as a command, at most `max` characters (cut with {@link SERVER_TEXT_CUT}). Idempotent, so text
 * escaped where it arose can pass through the report's escaping again unchanged. URL
 * credentials go first; the run's secrets are not its business: the runner's redactor removes them from what is shown, in the forms this
 * function leaves them in (escaped, broken, or cut off before the cut mark).
 */
export function serverText(raw: string, max = SERVER_TEXT_MAX): string {
  // A URL's credentials go before anything is cut: half a password can no longer be found.
  const text = redactUrl(raw)
  // Most text is harmless: one test instead of a walk over every character of every line.
  if (text.length < max && !NEEDS_WORK.test(text)) return text
  let out = ''
  const plain = text.replace(ANSI, '')
  for (const ch of plain) {
    let piece = UNSAFE.test(ch) ? escapeChar(ch) : ch
    // Break the command prefixes as they form, whatever came before.
    if (piece === ':' && out.endsWith(':')) piece = `${BREAK}:`
    else if (piece === '[' && out.endsWith('##')) piece = `${BREAK}[`
    if (out.length + piece.length > max - 1) return `${out}${SERVER_TEXT_CUT}`
    out += piece
  }
  return out
}

// What can turn text into markup that does more than style it: links and images (`[ ] ( ) !`),
// code (`` ` ``), table cells (`|`), headings (`#`), attributes (`{ }`), underscores, and the
// backslash itself. `*` is left: emphasis cannot make a link or HTML, and the redaction mark
// `***` stays literal. `< > & "` become entities, so no HTML tag or autolink can form.
const MARKDOWN = /[\\`_{}[\]()#!|]/g

/**
 * Server text made safe for the job summary's Markdown: {@link serverText}, then every HTML
 * character as an entity and every Markdown character backslash-escaped, so
 * `<img src=x onerror=…>` and `[x](javascript:…)` show as the text they are.
 */
export function markdownText(text: string, max = SERVER_TEXT_MAX): string {
  return serverText(text, max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(MARKDOWN, '\\$&')
}

/**
 * Server text as inline code in the job summary (a source, a path): {@link serverText}, with
 * backticks replaced (a code span cannot hold its own delimiter) and pipes escaped (GFM table
 * cells split on them even inside code).
 */
export function markdownCode(text: string, max = SERVER_TEXT_MAX): string {
  return `\`${serverText(text, max).replace(/`/g, "'").replace(/\|/g, '\\|')}\``
}
