// Text a server chose, fed hostile: it must never start a workflow command, split a log line,
// colour the terminal, or become a link or HTML in the job summary.
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { logged, output, useAction } from '../__fixtures__/action-harness.ts'
import { markdownCode, markdownText, serverText } from '../src/common/server-text.ts'
import { errorBodyMessage } from '../src/net/error-body.ts'
import { startArtifactory } from '../server/index.ts'
import { runAction } from '../scripts/runner.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

/** A server's error message written to forge commands, colours, links and HTML. */
const HOSTILE = [
  'busy',
  '::warning title=pwned::forged annotation',
  '::set-output name=files::["/etc/passwd"]',
  '::add-mask::busy',
  '::stop-commands::resume-token',
  '  ::error::indented',
].join('\n')
const HOSTILE_TAIL =
  '\r::notice::after a CR\u2028::debug::after U+2028\u0085::debug::after NEL ' +
  '\u001b[31mred\u001b[0m \u001b]8;;https://evil.test\u0007link\u001b]8;;\u0007 ' +
  '##[set-output name=files;]x ##[add-mask]y ' +
  '<img src=x onerror=alert(1)> [x](javascript:alert(1)) `code` | cell \u202eevil'
const BODY = JSON.stringify({ errors: [{ status: 503, message: HOSTILE + HOSTILE_TAIL }] })

/** Lines as the runner splits them: LF, CR, and the characters .NET's ReadLine also ends on. */
const runnerLines = (text: string): string[] => text.split(/\r\n|\r|\n/)

/** What a runner would take as a command in one line (v2 `::` at the start, v1 `##[` anywhere). */
const isCommand = (line: string): boolean => /^\s*::/.test(line) || line.includes('##[')

describe('serverText', () => {
  it('folds every line break onto one line', () => {
    const out = serverText(HOSTILE + HOSTILE_TAIL)
    expect(runnerLines(out)).toHaveLength(1)
    expect(out).not.toMatch(/[\u2028\u2029\u0085]/)
    expect(out).toContain('busy\\n')
    expect(out).toContain('\\r')
    expect(out).toContain('\\u2028')
    expect(out).toContain('\\u0085')
  })

  it('breaks every :: and ##[ so no command can form, wherever the text is placed', () => {
    const out = serverText(HOSTILE + HOSTILE_TAIL)
    expect(out).not.toContain('::')
    expect(out).not.toContain('##[')
    // Still readable: the words are all there.
    expect(out.replace(/\u200b/g, '')).toContain('::warning title=pwned::forged annotation')
    expect(serverText('::set-output name=x::y')).not.toMatch(/^\s*::/)
    expect(serverText(':::::')).not.toContain('::')
    expect(serverText('###[')).not.toContain('##[')
  })

  it('removes terminal escapes whole and shows other control characters', () => {
    expect(serverText('\u001b[31mred\u001b[0m')).toBe('red')
    expect(serverText('\u001b]8;;https://evil.test\u0007link\u001b]8;;\u0007')).toBe('link')
    expect(serverText('a\u0000b\u0007c\u007fd\u009be')).toBe('a\\u0000b\\u0007c\\u007fd\\u009be')
    expect(serverText('tab\there')).toBe('tab\\there')
    expect(serverText('rtl \u202eevil')).toBe('rtl \\u202eevil')
  })

  it('clips to a bounded length without splitting an escape', () => {
    expect(serverText('x'.repeat(5000))).toHaveLength(1000)
    expect(serverText('x'.repeat(5000)).endsWith('…')).toBe(true)
    const clipped = serverText('\n'.repeat(100), 11)
    expect(clipped).toBe('\\n\\n\\n\\n\\n…')
    expect(serverText('short', 300)).toBe('short')
  })

  it('is idempotent, so text escaped where it arose passes the report unchanged', () => {
    for (const text of [HOSTILE + HOSTILE_TAIL, 'a::b', 'x'.repeat(3000), '\n'.repeat(700)]) {
      const once = serverText(text)
      expect(serverText(once)).toBe(once)
    }
  })

  it('leaves ordinary text alone', () => {
    const text = "HTTP 404 Not Found: Could not find resource 'libs/a.jar' (C++ std:string)"
    expect(serverText(text)).toBe(text)
  })
})

describe('markdownText', () => {
  it('renders HTML and links as the text they are', () => {
    const out = markdownText('<img src=x onerror=alert(1)> [x](javascript:alert(1)) a|b `c`')
    expect(out).not.toContain('<img')
    expect(out).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;')
    expect(out).not.toContain('[x](')
    expect(out).toContain('\\[x\\]\\(javascript:alert\\(1\\)\\)')
    expect(out).toContain('a\\|b')
    expect(out).toContain('\\`c\\`')
    expect(markdownText('line\n# heading')).toBe('line\\\\n\\# heading')
  })

  it('keeps inline code one code span on one table cell', () => {
    expect(markdownCode('a`b|c\nd')).toBe("`a'b\\|c\\nd`")
    expect(markdownCode('<img src=x>')).toBe('`<img src=x>`')
  })
})

describe('error bodies', () => {
  it('are one defused line of at most 300 characters', () => {
    const message = errorBodyMessage(BODY, 'application/json')
    expect(runnerLines(message)).toHaveLength(1)
    expect(message).not.toContain('::')
    expect(message.length).toBeLessThanOrEqual(300)
    const plain = errorBodyMessage('busy \u001b[2J::error::x\nsecond line', 'text/plain')
    expect(plain).toBe('busy :\u200b:error:\u200b:x')
  })
})

describe('a 503 whose body forges commands', () => {
  const action = useAction('artdl-hostile-')

  const hostileServer = () =>
    startArtifactory({
      files: { 'libs/a.bin': 'a' },
      onRequest: () => ({
        kind: 'status',
        status: 503,
        headers: { 'content-type': 'application/json' },
        body: BODY,
      }),
    })

  it('reaches the log, annotations, outputs and summary as text, in-process', async () => {
    const server = await hostileServer()
    try {
      action.inputs = {
        ...action.inputs,
        url: server.url,
        paths: 'libs/a.bin\nlibs/dir/*.bin',
        retries: '1',
      }
      await run()
      // Each call is one line the runner reads: none may carry a command.
      const lines = [core.info, core.debug, core.warning, core.error, core.setFailed]
        .flatMap((fn) => fn.mock.calls.map((c) => String(c[0])))
        .flatMap(runnerLines)
      expect(lines.some((l) => l.includes('pwned'))).toBe(true)
      expect(lines.filter(isCommand)).toEqual([])
      const titles = core.error.mock.calls.map((c) => String(c[1]?.title ?? ''))
      expect(titles.filter(isCommand)).toEqual([])
      const errors = String(output('errors'))
      expect(errors).toContain('pwned')
      expect(errors).not.toContain('::')
      expect(errors).not.toMatch(/\\n::/)
      expect(core.summary.text).toContain('pwned')
      expect(core.summary.text).not.toContain('<img')
      expect(core.summary.text).not.toContain('[x](')
      expect(core.summary.text).not.toContain('\u001b')
    } finally {
      await server.close()
    }
  })

  it('shows a hostile listed name as text in the log and the summary', async () => {
    const server = await startArtifactory({
      files: { 'libs/dir/ok.bin': 'ok' },
      hostileListing: {
        'libs/dir': ['/../[x](javascript:alert(1))<img src=x onerror=alert(1)>\n::add-mask::ok'],
      },
    })
    try {
      action.inputs = { ...action.inputs, url: server.url, paths: 'libs/dir/*.bin' }
      await run()
      const lines = logged().flatMap(runnerLines)
      expect(lines.some((l) => l.includes('the server listed'))).toBe(true)
      expect(lines.filter(isCommand)).toEqual([])
      expect(core.summary.text).toContain('the server listed')
      expect(core.summary.text).not.toContain('<img')
      expect(core.summary.text).not.toContain('[x](')
      expect(core.summary.text).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;')
    } finally {
      await server.close()
    }
  })

  it('never starts a stdout line with :: that the action did not write (node dist/index.js)', async () => {
    const server = await hostileServer()
    try {
      const run = await runAction({
        inputs: {
          url: server.url,
          paths: 'libs/a.bin\nlibs/dir/*.bin',
          retries: '1',
          'retry-delay': '0',
          'progress-interval': '0',
        },
      })
      expect(run.code).not.toBe(0)
      expect(run.stdout).toContain('pwned')
      const commands = runnerLines(run.stdout).filter(isCommand)
      // The action's own: groups, and the annotations and failure it sends through core.
      for (const line of commands) expect(line).toMatch(/^::(group|endgroup|error|warning)\b/)
      for (const line of commands) {
        // Inside its own command the server's text cannot open another one.
        expect(line.slice(2)).not.toContain('::warning title=pwned')
        expect(line).not.toContain('::set-output')
      }
      expect(commands.some((l) => l.startsWith('::error'))).toBe(true)
      expect(run.summary).toContain('pwned')
      expect(run.summary).not.toContain('<img')
      expect(run.outputs.errors).not.toContain('::')
    } finally {
      await server.close()
    }
  })
})
