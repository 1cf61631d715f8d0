// Generates the README's Inputs, Outputs and Usage sections from action.yml, the one source of
// truth for the action's interface. `npm run docs` rewrites README.md in place; `npm run docs --
// --check` only says whether it would change anything (CI runs that).
//
// action.yml is read with a small parser for the subset of YAML it uses (top-level keys, the
// `inputs:` and `outputs:` maps, plain, quoted and block scalars): no YAML dependency needed.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/** One input or output of the action. */
export interface ActionField {
  name: string
  description: string
  required: boolean
  /** Undefined when action.yml gives no default. */
  default?: string
}

/** The part of action.yml the README documents. */
export interface ActionMetadata {
  name?: string
  description?: string
  inputs: ActionField[]
  outputs: ActionField[]
}

/** Where users take the action from, in the generated usage block. */
export const ACTION_REF = 'acme/artifactory-download-action@v1'

/** Width the usage block's comment lines are wrapped at (indentation and `# ` included). */
const USAGE_WIDTH = 90

const MARKERS = ['usage', 'inputs', 'outputs'] as const
type Section = (typeof MARKERS)[number]

// ---------------------------------------------------------------------------------------------
// action.yml

interface Line {
  indent: number
  text: string
  /** 1-based, for error messages. */
  number: number
}

/**
 * Parses the action.yml subset the README needs.
 * @throws Error naming the line it cannot read
 */
export function parseActionYml(text: string): ActionMetadata {
  const lines: Line[] = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((raw, i) => {
      const content = raw.replace(/\s+$/, '')
      return {
        indent: content.length - content.trimStart().length,
        text: content.trim(),
        number: i + 1,
      }
    })
  const meta: ActionMetadata = { inputs: [], outputs: [] }
  let i = 0
  while (i < lines.length) {
    const line = lines[i]
    if (isBlankOrComment(line) || line.indent > 0) {
      i++
      continue
    }
    const { key, rest } = splitKey(line)
    if (key === 'inputs' || key === 'outputs') {
      if (rest !== '') throw new Error(`action.yml line ${line.number}: '${key}' must be a map`)
      const { fields, next } = readFields(lines, i + 1)
      meta[key] = fields
      i = next
    } else if (key === 'name' || key === 'description') {
      const { value, next } = readValue(lines, i, rest)
      meta[key] = value
      i = next
    } else {
      i++
    }
  }
  return meta
}

function isBlankOrComment(line: Line): boolean {
  return line.text === '' || line.text.startsWith('#')
}

function splitKey(line: Line): { key: string; rest: string } {
  const m = /^([^\s:#'"][^:]*?|'[^']*'|"[^"]*"):(?:\s+(.*))?$/.exec(line.text)
  if (!m)
    throw new Error(`action.yml line ${line.number}: expected 'key: value', got '${line.text}'`)
  return { key: m[1].replace(/^(['"])(.*)\1$/, '$2'), rest: stripComment(m[2] ?? '') }
}

/** Removes a trailing ` # comment` from a plain value (quoted values keep their `#`). */
function stripComment(value: string): string {
  if (value.startsWith("'") || value.startsWith('"')) return value
  return value.replace(/\s+#.*$/, '')
}

/** Reads the `name:` → properties map of `inputs:` or `outputs:`, starting below the key. */
function readFields(lines: Line[], start: number): { fields: ActionField[]; next: number } {
  const fields: ActionField[] = []
  let i = start
  let nameIndent: number | undefined
  while (i < lines.length) {
    const line = lines[i]
    if (isBlankOrComment(line)) {
      i++
      continue
    }
    if (line.indent === 0) break
    nameIndent ??= line.indent
    if (line.indent !== nameIndent) {
      throw new Error(`action.yml line ${line.number}: unexpected indentation`)
    }
    const { key: name, rest } = splitKey(line)
    if (rest !== '') throw new Error(`action.yml line ${line.number}: '${name}' must be a map`)
    const field: ActionField = { name, description: '', required: false }
    i++
    let propIndent: number | undefined
    while (i < lines.length) {
      const prop = lines[i]
      if (isBlankOrComment(prop)) {
        i++
        continue
      }
      if (prop.indent <= nameIndent) break
      propIndent ??= prop.indent
      if (prop.indent !== propIndent) {
        throw new Error(`action.yml line ${prop.number}: unexpected indentation`)
      }
      const { key, rest: raw } = splitKey(prop)
      const { value, next } = readValue(lines, i, raw)
      if (key === 'description') field.description = value
      else if (key === 'required') field.required = /^(true|True|TRUE)$/.test(value)
      else if (key === 'default') field.default = value
      i = next
    }
    fields.push(field)
  }
  return { fields, next: i }
}

/**
 * Reads the scalar that starts after `key:` on line `at` (`raw` is what follows the colon):
 * plain, 'single-quoted' (`''` is a quote), "double-quoted", or a `|`/`>` block.
 */
function readValue(lines: Line[], at: number, raw: string): { value: string; next: number } {
  const keyIndent = lines[at].indent
  const block = /^([|>])([+-]?)\d*\s*(?:#.*)?$/.exec(raw)
  if (block) return readBlock(lines, at, keyIndent, block[1] === '>', block[2])
  if (raw.startsWith("'") || raw.startsWith('"')) return readQuoted(lines, at, raw)
  // Plain scalar, possibly continued on more-indented lines (folded with spaces).
  const parts = [raw]
  let i = at + 1
  while (i < lines.length && lines[i].text !== '' && lines[i].indent > keyIndent) {
    parts.push(stripComment(lines[i].text))
    i++
  }
  return { value: parts.join(' ').trim(), next: i }
}

function readQuoted(lines: Line[], at: number, raw: string): { value: string; next: number } {
  const quote = raw[0]
  // Multi-line quoted scalars fold: line breaks become spaces, blank lines become newlines.
  let text = raw.slice(1)
  let i = at
  for (;;) {
    const end = closingQuote(text, quote)
    if (end !== undefined) {
      const body = text.slice(0, end)
      return { value: quote === "'" ? body.replace(/''/g, "'") : unescapeDouble(body), next: i + 1 }
    }
    i++
    if (i >= lines.length)
      throw new Error(`action.yml line ${lines[at].number}: unterminated string`)
    text += lines[i].text === '' ? '\n' : text.endsWith('\n') ? lines[i].text : ` ${lines[i].text}`
  }
}

function closingQuote(text: string, quote: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++
    } else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i++
      else return i
    }
  }
  return undefined
}

function unescapeDouble(body: string): string {
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    '"': '"',
    '\\': '\\',
    '/': '/',
    ' ': ' ',
  }
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e: string) =>
    e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (simple[e] ?? e),
  )
}

function readBlock(
  lines: Line[],
  at: number,
  keyIndent: number,
  folded: boolean,
  chomp: string,
): { value: string; next: number } {
  const body: string[] = []
  let indent: number | undefined
  let i = at + 1
  for (; i < lines.length; i++) {
    const line = lines[i]
    if (line.text === '') {
      body.push('')
      continue
    }
    if (line.indent <= keyIndent) break
    indent ??= line.indent
    body.push(' '.repeat(Math.max(0, line.indent - indent)) + line.text)
  }
  while (body.length && body[body.length - 1] === '') body.pop()
  let value = folded ? foldLines(body) : body.join('\n')
  if (chomp !== '-' && value !== '') value += '\n'
  return { value, next: i }
}

/** YAML folding: lines of one paragraph join with spaces; blank lines become line breaks. */
function foldLines(body: string[]): string {
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const line = body[i]
    if (i === 0) out = line
    else if (line === '') out += '\n'
    else out += out.endsWith('\n') || body[i - 1].startsWith(' ') ? line : ` ${line}`
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** A description on one line (tables and comments have no paragraphs). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** A Markdown code span that survives backticks in `text`. */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|')
}

/** Display width of a cell the way Prettier measures it (wide characters count twice). */
function width(text: string): number {
  let w = 0
  for (const ch of text) {
    const code = ch.codePointAt(0) as number
    if (/\p{Mn}/u.test(ch) || code === 0x200d || (code >= 0xfe00 && code <= 0xfe0f)) continue
    w += /\p{Extended_Pictographic}/u.test(ch) || isWide(code) ? 2 : 1
  }
  return w
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6)
  )
}

/** A table with padded columns, exactly as Prettier prints it (so `format:check` agrees). */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(3, width(h), ...rows.map((r) => width(r[c] ?? ''))))
  const line = (cells: string[]): string =>
    `| ${cells.map((text, c) => text + ' '.repeat(widths[c] - width(text))).join(' | ')} |`
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** The Inputs table: name, description, default (or "(required)"). */
export function inputsTable(meta: ActionMetadata): string {
  return markdownTable(
    ['Input', 'Description', 'Default'],
    meta.inputs.map((input) => [codeSpan(input.name), cell(input.description), defaultCell(input)]),
  )
}

function defaultCell(input: ActionField): string {
  if (input.required && !input.default) return '(required)'
  if (input.default === undefined) return ''
  return input.default === '' ? "`''`" : cell(codeSpan(input.default))
}

/** The Outputs table: name, description. */
export function outputsTable(meta: ActionMetadata): string {
  return markdownTable(
    ['Output', 'Description'],
    meta.outputs.map((output) => [codeSpan(output.name), cell(output.description)]),
  )
}

/** Splits text into words, keeping each `code span` whole so wrapping never breaks one. */
function words(text: string): string[] {
  const out: string[] = []
  let current = ''
  let inCode = false
  for (const ch of oneLine(text)) {
    if (ch === '`') inCode = !inCode
    if (ch === ' ' && !inCode) {
      if (current) out.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  if (current) out.push(current)
  return out
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
export function wrap(text: string, max: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of words(text)) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line) lines.push(line)
  return lines
}

/** The usage block, in the style of actions/checkout's README: every input with its comment. */
export function usageBlock(meta: ActionMetadata): string {
  const indent = '    '
  const comment = (text: string): string[] =>
    wrap(text, USAGE_WIDTH - indent.length - 2).map((l) => `${indent}# ${l}`)
  const inputs = meta.inputs.map((input) => {
    const lines = comment(input.description)
    if (input.required) lines.push(`${indent}# Required.`)
    if (input.default) lines.push(...comment(`Default: ${oneLine(input.default)}`))
    lines.push(`${indent}${input.name}: ''`)
    return lines.join('\n')
  })
  return ['```yaml', `- uses: ${ACTION_REF}`, '  with:', inputs.join('\n\n'), '```'].join('\n')
}

/** What goes between each pair of markers. */
export function sections(meta: ActionMetadata): Record<Section, string> {
  return { usage: usageBlock(meta), inputs: inputsTable(meta), outputs: outputsTable(meta) }
}

/**
 * The README with its generated sections rebuilt from action.yml. Pure and idempotent:
 * everything between `<!-- name:start -->` and `<!-- name:end -->` is replaced.
 * @throws Error when a pair of markers is missing or out of order
 */
export function renderReadme(readme: string, actionYml: string): string {
  const generated = sections(parseActionYml(actionYml))
  let out = readme.replace(/\r\n/g, '\n')
  for (const name of MARKERS) {
    const start = `<!-- ${name}:start -->`
    const end = `<!-- ${name}:end -->`
    const from = out.indexOf(start)
    const to = out.indexOf(end)
    if (from < 0 || to < 0 || to < from) {
      throw new Error(`README.md needs the markers '${start}' and '${end}', in that order`)
    }
    if (out.indexOf(start, from + 1) >= 0 || out.indexOf(end, to + 1) >= 0) {
      throw new Error(`README.md has the markers '${start}'/'${end}' more than once`)
    }
    out = `${out.slice(0, from)}${start}\n\n${generated[name]}\n\n${out.slice(to)}`
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Command line

export const STALE_MESSAGE = 'README.md is stale: run npm run docs'

/**
 * `docs [--check]` on the README.md and action.yml in `root`. Returns the exit code.
 * @param log where messages go (stdout for progress, stderr for the stale message)
 */
export function runCli(
  args: string[],
  root: string,
  log: { out: (line: string) => void; err: (line: string) => void } = {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  },
): number {
  const unknown = args.filter((a) => a !== '--check')
  if (unknown.length) {
    log.err(`usage: node scripts/docs.ts [--check] (unknown: ${unknown.join(' ')})`)
    return 2
  }
  const readmePath = path.join(root, 'README.md')
  const readme = fs.readFileSync(readmePath, 'utf8')
  const rendered = renderReadme(readme, fs.readFileSync(path.join(root, 'action.yml'), 'utf8'))
  if (rendered === readme) {
    log.out('README.md is up to date with action.yml')
    return 0
  }
  if (args.includes('--check')) {
    log.err(STALE_MESSAGE)
    return 1
  }
  fs.writeFileSync(readmePath, rendered)
  log.out('README.md updated from action.yml')
  return 0
}

const self = fileURLToPath(import.meta.url)
if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  try {
    process.exitCode = runCli(process.argv.slice(2), path.resolve(path.dirname(self), '..'))
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exitCode = 1
  }
}
