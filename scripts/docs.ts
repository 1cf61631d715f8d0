// Generates the README's Inputs, Outputs and Usage sections from action.yml, the one source of
// truth for the action's interface. `npm run docs` rewrites README.md in place; `npm run docs --
// --check` only says whether it would change anything (CI runs that).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { isMap, isScalar, LineCounter, parseDocument, visit, type Node, type YAMLError } from 'yaml'

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

/**
 * Reads the part of action.yml the README documents. Scalars are read with YAML's failsafe
 * schema, as strings exactly as written (`default: 1.0` stays `1.0`, not the number 1).
 * @throws Error naming the line it cannot read, or the key that has the wrong shape
 */
export function parseActionYml(text: string): ActionMetadata {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter, prettyErrors: false })
  const [error] = doc.errors
  if (error) {
    const line = lineCounter.linePos(errorStart(doc, error)).line
    throw new Error(`action.yml line ${line}: ${error.message.split('\n')[0]}`)
  }
  const meta: ActionMetadata = { inputs: [], outputs: [] }
  const root = doc.contents
  if (root === null) return meta
  if (!isMap(root)) throw new Error('action.yml: expected a map at the top level')
  for (const key of ['name', 'description'] as const) {
    const value = root.get(key, true)
    if (value !== undefined) meta[key] = scalar(value, key)
  }
  for (const key of ['inputs', 'outputs'] as const) {
    const map: unknown = root.get(key, true)
    if (isEmpty(map)) continue
    if (!isMap(map)) throw new Error(`action.yml: '${key}' must be a map`)
    meta[key] = map.items.map((item) => field(String(scalar(item.key, key)), item.value, key))
  }
  return meta
}

/** One entry of `inputs:` or `outputs:`. */
function field(name: string, node: unknown, where: string): ActionField {
  const f: ActionField = { name, description: '', required: false }
  if (isEmpty(node)) return f
  if (!isMap(node)) throw new Error(`action.yml: '${where}.${name}' must be a map`)
  const prop = (key: string): string | undefined => {
    const value = node.get(key, true)
    return value === undefined ? undefined : scalar(value, `${where}.${name}.${key}`)
  }
  f.description = prop('description') ?? ''
  // The runner reads `required` as a YAML 1.2 boolean.
  f.required = /^(true|True|TRUE)$/.test(prop('required') ?? '')
  const value = prop('default')
  if (value !== undefined) f.default = value
  return f
}

/** No value (`outputs:` with nothing under it). */
function isEmpty(node: unknown): boolean {
  return node == null || (isScalar(node) && (node.value === '' || node.value == null))
}

function scalar(node: unknown, where: string): string {
  if (node === null) return ''
  if (!isScalar(node as Node)) throw new Error(`action.yml: '${where}' must be text`)
  return String((node as { value: unknown }).value ?? '')
}

/**
 * Where the broken node starts. YAML finds an unclosed quote only where the file ends (a
 * quoted scalar may span lines); the line it was opened on is the one to fix.
 */
function errorStart(doc: ReturnType<typeof parseDocument>, error: YAMLError): number {
  let start = error.pos[0]
  if (error.code !== 'MISSING_CHAR') return start
  visit(doc, {
    Scalar(_, node) {
      const range = node.range
      if (range && range[0] < start && error.pos[0] <= range[2] && node.type !== 'PLAIN')
        start = range[0]
    },
  })
  return start
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
