import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { afterEach, describe, expect, it } from 'vitest'
import {
  codeSpan,
  markdownTable,
  parseActionYml,
  renderReadme,
  runCli,
  STALE_MESSAGE,
  wrap,
} from '../scripts/docs.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const ACTION_YML = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')

/** The text between a pair of markers. */
function section(readme: string, name: string): string {
  const start = readme.indexOf(`<!-- ${name}:start -->`)
  const end = readme.indexOf(`<!-- ${name}:end -->`)
  expect(start, `marker ${name}:start`).toBeGreaterThanOrEqual(0)
  expect(end, `marker ${name}:end`).toBeGreaterThan(start)
  return readme.slice(start, end)
}

/** Names under `inputs:` or `outputs:`, found with a regex rather than the parser under test. */
function namesIn(actionYml: string, map: 'inputs' | 'outputs'): string[] {
  const block = new RegExp(`^${map}:\\n([\\s\\S]*?)(?=^\\S|(?![\\s\\S]))`, 'm').exec(actionYml)
  expect(block, `${map}: in action.yml`).not.toBeNull()
  return [...(block as RegExpExecArray)[1].matchAll(/^ {2}([A-Za-z0-9_-]+):\s*$/gm)].map(
    (m) => m[1],
  )
}

/** action.yml with the description of the first entry under `map` replaced. */
function withDescription(actionYml: string, map: 'inputs' | 'outputs', yaml: string): string {
  const at = actionYml.search(new RegExp(`^${map}:`, 'm'))
  const rest = actionYml.slice(at)
  const replaced = rest.replace(/^( {4}description:).*$/m, `$1 ${yaml}`)
  expect(replaced).not.toBe(rest)
  return actionYml.slice(0, at) + replaced
}

describe('README.md generated sections', () => {
  it('is up to date with action.yml (run `npm run docs` when this fails)', () => {
    expect(renderReadme(README, ACTION_YML)).toBe(README)
  })

  it('renders idempotently', () => {
    const once = renderReadme(README, ACTION_YML)
    expect(renderReadme(once, ACTION_YML)).toBe(once)
    const emptied = README.replace(
      /(<!-- inputs:start -->)[\s\S]*?(<!-- inputs:end -->)/,
      '$1\nstale\n$2',
    )
    expect(renderReadme(emptied, ACTION_YML)).toBe(once)
  })

  it('documents every input and output of action.yml', () => {
    const rendered = renderReadme(README, ACTION_YML)
    const inputs = namesIn(ACTION_YML, 'inputs')
    const outputs = namesIn(ACTION_YML, 'outputs')
    expect(inputs).toContain('paths')
    expect(outputs).toContain('files')
    const meta = parseActionYml(ACTION_YML)
    expect(meta.inputs.map((i) => i.name)).toEqual(inputs)
    expect(meta.outputs.map((o) => o.name)).toEqual(outputs)
    const inputsTable = section(rendered, 'inputs')
    const outputsTable = section(rendered, 'outputs')
    const usage = section(rendered, 'usage')
    for (const name of inputs) {
      expect(inputsTable).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'))
      expect(usage).toMatch(new RegExp(`^ {4}${name}: ''$`, 'm'))
    }
    for (const name of outputs) {
      expect(outputsTable).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'))
    }
    // One row per input/output plus the header and the delimiter.
    expect(inputsTable.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(inputs.length + 2)
    expect(outputsTable.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(
      outputs.length + 2,
    )
  })

  it('shows a changed description, default and required flag', () => {
    let yml = withDescription(
      ACTION_YML,
      'inputs',
      "'A brand-new description, with an ''escaped'' quote.'",
    )
    yml = withDescription(yml, 'outputs', '"An output described in \\"double\\" quotes."')
    const rendered = renderReadme(README, yml)
    const first = parseActionYml(yml).inputs[0]
    expect(section(rendered, 'inputs')).toContain(
      "A brand-new description, with an 'escaped' quote.",
    )
    expect(section(rendered, 'usage')).toContain(
      "# A brand-new description, with an 'escaped' quote.",
    )
    expect(section(rendered, 'usage')).toContain(`\n    ${first.name}: ''`)
    expect(section(rendered, 'outputs')).toContain('An output described in "double" quotes.')
    expect(rendered).not.toBe(README)

    // `paths` is optional since `spec` exists: flip its flag to see a required input rendered.
    const requiredYml = ACTION_YML.replace(
      /(\n {2}paths:\n(?: {4}.*\n)*? {4}required: )false/,
      '$1true',
    )
    expect(requiredYml).not.toBe(ACTION_YML)
    expect(section(renderReadme(README, ACTION_YML), 'inputs')).not.toMatch(/\(required\)/)
    const required = section(renderReadme(README, requiredYml), 'inputs')
    expect(required).toMatch(/^\| `paths` .*\| \(required\) +\|$/m)
    expect(required).toMatch(/^\| `concurrency` .*\| `8` +\|$/m)
  })

  it('is formatted the way Prettier formats it (format:check passes)', async () => {
    const options = await prettier.resolveConfig(path.join(ROOT, 'README.md'))
    const rendered = renderReadme(README, ACTION_YML)
    const formatted = await prettier.format(rendered, { ...options, parser: 'markdown' })
    expect(formatted).toBe(rendered)
  })

  it('refuses a README without its markers', () => {
    expect(() => renderReadme('# Title\n', ACTION_YML)).toThrow(/<!-- usage:start -->/)
    const swapped = '<!-- usage:end -->\n<!-- usage:start -->\n'
    expect(() => renderReadme(swapped, ACTION_YML)).toThrow(/in that order/)
  })
})

describe('parseActionYml', () => {
  it('reads plain, quoted and block scalars, comments and required flags', () => {
    const meta = parseActionYml(
      [
        "name: 'Demo'",
        'description: A plain one # with a comment',
        'inputs:',
        '  # a comment between inputs',
        '  plain:',
        '    description: Plain text',
        '    required: true',
        '  single:',
        "    description: 'It''s quoted: # not a comment'",
        "    default: '8'",
        '  double:',
        '    description: "Tab\\tand \\"quotes\\""',
        '    default: "x"',
        '  literal:',
        '    description: |',
        '      Line one',
        '      Line two',
        '    required: false',
        '  folded:',
        '    description: >-',
        '      Folded',
        '      text',
        '',
        '      New paragraph',
        "  'quoted-key':",
        "    description: 'Spans",
        "      two lines'",
        'outputs:',
        '  out:',
        '    description: Out',
        'runs:',
        "  using: 'node24'",
      ].join('\n'),
    )
    expect(meta.name).toBe('Demo')
    expect(meta.description).toBe('A plain one')
    expect(meta.inputs).toEqual([
      { name: 'plain', description: 'Plain text', required: true },
      {
        name: 'single',
        description: "It's quoted: # not a comment",
        required: false,
        default: '8',
      },
      { name: 'double', description: 'Tab\tand "quotes"', required: false, default: 'x' },
      { name: 'literal', description: 'Line one\nLine two\n', required: false },
      { name: 'folded', description: 'Folded text\nNew paragraph', required: false },
      { name: 'quoted-key', description: 'Spans two lines', required: false },
    ])
    expect(meta.outputs).toEqual([{ name: 'out', description: 'Out', required: false }])
  })

  it('names the line it cannot read', () => {
    expect(() => parseActionYml("inputs:\n  a:\n    description: 'open\n")).toThrow(/line 3/)
    expect(() => parseActionYml('inputs:\n  a:\n    description: x\n   b:\n')).toThrow(
      /line 4: All mapping items must start at the same column/,
    )
  })
})

describe('Markdown helpers', () => {
  it('escapes pipes and keeps backticks inside code spans', () => {
    expect(codeSpan('a`b')).toBe('``a`b``')
    expect(codeSpan('`x')).toBe('`` `x ``')
    const yml = "inputs:\n  a:\n    description: 'x | y'\n    default: 'p|q'\noutputs:\n"
    const readme =
      '<!-- usage:start --><!-- usage:end -->\n<!-- inputs:start --><!-- inputs:end -->\n<!-- outputs:start --><!-- outputs:end -->\n'
    const rendered = renderReadme(readme, yml)
    expect(rendered).toMatch(/^\| `a` +\| x \\\| y +\| `p\\\|q` +\|$/m)
  })

  it('pads tables like Prettier', () => {
    expect(markdownTable(['A', 'Bee'], [['x', 'longer text']])).toBe(
      ['| A   | Bee         |', '| --- | ----------- |', '| x   | longer text |'].join('\n'),
    )
  })

  it('wraps comments without breaking code spans', () => {
    expect(wrap('one two `three four five` six', 12)).toEqual([
      'one two',
      '`three four five`',
      'six',
    ])
  })
})

describe('npm run docs', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })

  function copy(readme: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-test-'))
    dirs.push(dir)
    fs.writeFileSync(path.join(dir, 'README.md'), readme)
    fs.writeFileSync(path.join(dir, 'action.yml'), ACTION_YML)
    return dir
  }

  it('--check fails on a stale README and the plain run fixes it', () => {
    const stale = README.replace(/(<!-- outputs:start -->)[\s\S]*?(<!-- outputs:end -->)/, '$1$2')
    const dir = copy(stale)
    const lines: string[] = []
    const log = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) }
    expect(runCli(['--check'], dir, log)).toBe(1)
    expect(lines).toContain(STALE_MESSAGE)
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe(stale)
    expect(runCli([], dir, log)).toBe(0)
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe(README)
    expect(runCli(['--check'], dir, log)).toBe(0)
  })

  it.runIf(Number(process.versions.node.split('.')[0]) >= 24)(
    'runs as a script: --check passes on the committed README',
    () => {
      const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'docs.ts'), '--check'], {
        encoding: 'utf8',
      })
      expect(res.stderr).not.toContain(STALE_MESSAGE)
      expect(res.status).toBe(0)
    },
  )
})
