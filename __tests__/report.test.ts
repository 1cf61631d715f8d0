import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Download } from '../src/engine/download.ts'
import { Redactor } from '../src/common/redact.ts'
import { redactUrl, secretsInUrl } from '../src/common/url-credentials.ts'
import { annotations, failureMessage } from '../src/report/annotations.ts'
import { fileLine, progressLine, retryLine } from '../src/report/log-lines.ts'
import { outputs } from '../src/report/outputs.ts'
import { summaryMarkdown } from '../src/report/summary.ts'
import { totals } from '../src/report/totals.ts'
import { entryFailureResult } from '../src/report/results.ts'
import type { FileResult } from '../src/engine/results.ts'
import { formatBytes, formatDuration, parseSize } from '../src/common/units.ts'
import { seeded } from '../__fixtures__/bytes.ts'

const none = (t: string) => t
const download = (i: number): Download => ({
  source: `libs/com/acme/part-${i}.jar`,
  url: `https://acme.test/artifactory/libs/com/acme/part-${i}.jar`,
  dest: `/t/dir${i % 40}/part-${i}.jar`,
  checksums: {},
  line: 1,
})
const ok = (i: number, size = 1000 + i): FileResult => ({
  download: download(i),
  status: 'downloaded',
  bytes: size,
  size,
  attempts: 1 + (i % 3 === 0 ? 1 : 0),
  durationMs: 20,
  verified: 'sha256',
  ranges: 1,
})
const failed = (i: number): FileResult => ({
  ...ok(i),
  status: 'failed',
  bytes: 0,
  size: undefined,
  verified: undefined,
  attempts: 4,
  // The engine's text carries no count: the report says it once.
  error: `HTTP 503 Service Unavailable`,
})

describe('log lines', () => {
  it('says size, time, rate, attempts and verification per file', () => {
    expect(fileLine({ ...ok(1, 2 * 1024 * 1024), durationMs: 1000 }, '/t', none)).toBe(
      `✓ libs/com/acme/part-1.jar → ${path.join('dir1', 'part-1.jar')}  2.0 MiB in 1.0 s (2.0 MiB/s), 1 attempt, sha256 ok`,
    )
    expect(fileLine({ ...ok(2), status: 'up-to-date', verified: 'sha1' }, '/t', none)).toBe(
      `= libs/com/acme/part-2.jar → ${path.join('dir2', 'part-2.jar')}  up to date (sha1 matches)`,
    )
    expect(fileLine(failed(3), '/t', none)).toBe(
      '✗ libs/com/acme/part-3.jar  HTTP 503 Service Unavailable (4 attempts)',
    )
  })

  it('shows a retry as it happens', () => {
    expect(
      retryLine(
        {
          download: download(7),
          retry: 2,
          retries: 3,
          delayMs: 1600,
          error: 'HTTP 503 Service Unavailable',
        },
        none,
      ),
    ).toBe('retry 2/3 for libs/com/acme/part-7.jar in 1.6 s: HTTP 503 Service Unavailable')
  })

  it('shows progress with ETA when the total is known', () => {
    const line = progressLine(
      {
        filesDone: 3,
        filesTotal: 10,
        bytes: 10 * 1024 * 1024,
        concurrency: 4,
        minConcurrency: 4,
        retries: 0,
      },
      20 * 1024 * 1024,
      5000,
      2 * 1024 * 1024,
    )
    expect(line).toBe(
      'progress: 3/10 files, 10.0 MiB/20.0 MiB, 2.0 MiB/s, ETA 5.0 s, elapsed 5.0 s',
    )
  })
})

describe('annotations', () => {
  it('annotates every failure up to 9', () => {
    const results = [ok(0), ...Array.from({ length: 9 }, (_, i) => failed(i + 1))]
    expect(annotations(results, none)).toHaveLength(9)
    expect(annotations(results, none)[0]).toEqual({
      title: 'Download failed: libs/com/acme/part-1.jar',
      message: 'HTTP 503 Service Unavailable (4 attempts)',
    })
    expect(failureMessage(totals(results))).toBe('9 of 10 downloads failed')
  })

  it('caps at 9 and lets the failure message count the rest', () => {
    const results = Array.from({ length: 25 }, (_, i) => failed(i))
    expect(annotations(results, none)).toHaveLength(9)
    expect(failureMessage(totals(results))).toBe(
      '25 of 25 downloads failed; 16 more failed files are not annotated: see the job summary for all of them',
    )
  })
})

describe('outputs', () => {
  it('lists files in place, errors with source and message, counts and bytes', () => {
    const results = [ok(1, 10), { ...ok(2, 5), status: 'up-to-date' as const, bytes: 0 }, failed(3)]
    expect(outputs(results, none)).toEqual({
      downloaded: '2',
      failed: '1',
      files: JSON.stringify(['/t/dir1/part-1.jar', '/t/dir2/part-2.jar']),
      errors: JSON.stringify([
        {
          source: 'libs/com/acme/part-3.jar',
          message: 'HTTP 503 Service Unavailable',
        },
      ]),
      bytes: '10',
      unverified: '0',
    })
  })
})

describe('summaryMarkdown', () => {
  const facts = { wallMs: 2000, target: '/t', dryRun: false, concurrency: 8, minConcurrency: 8 }

  it('puts a headline and failures first, then every file, for small runs', () => {
    const results = [...Array.from({ length: 9 }, (_, i) => ok(i)), failed(9)]
    const md = summaryMarkdown(results, facts, none)
    expect(md).toContain('**9/10** files in place (9 downloaded, 0 up to date)')
    expect(md).toContain('**6** retries')
    expect(md).toContain('**1** failed')
    expect(md.indexOf('### Failures (1)')).toBeLessThan(md.indexOf('### Files (9)'))
    expect(md).toContain('| `libs/com/acme/part-9.jar` | HTTP 503 Service Unavailable | 4 |')
    expect(md).toContain(
      `| \`libs/com/acme/part-0.jar\` | \`${path.join('dir0', 'part-0.jar')}\` | 1000 B | 20 ms | 2 | downloaded, sha256 ✓ |`,
    )
  })

  it('stays readable and far under 1 MiB at 20,000 files', () => {
    const results = Array.from({ length: 20_000 }, (_, i) => (i % 1000 === 7 ? failed(i) : ok(i)))
    const md = summaryMarkdown(results, facts, none)
    expect(Buffer.byteLength(md)).toBeLessThan(200 * 1024)
    expect(md).toContain('### Failures (20)')
    expect(md).toContain('### Largest 50 of 19980 files')
    expect(md).toContain('<details><summary>All 19980 files by folder</summary>')
    expect(md).toContain('| `libs/com/acme/part-19999.jar`')
  })

  it('lists the largest files as a stable sort by size does: equal sizes in run order', () => {
    // Sizes with many ties, and files of no known size (counted as 0), in a seeded order.
    const sizes = seeded(600, 5)
    const results = Array.from({ length: 600 }, (_, i) => {
      const r = ok(i, sizes[i] % 40)
      return sizes[i] % 7 === 0 ? { ...r, size: undefined } : r
    })
    const md = summaryMarkdown(results, facts, none)
    const table = md.slice(md.indexOf('### Largest 50 of 600 files'), md.indexOf('<details>'))
    const listed = [...table.matchAll(/\| `(libs\/com\/acme\/part-\d+\.jar)`/g)].map((m) => m[1])
    const expected = [...results]
      .sort((a, b) => (b.size ?? 0) - (a.size ?? 0))
      .slice(0, 50)
      .map((r) => r.download.source)
    expect(listed).toEqual(expected)
  })

  it('says when concurrency was lowered and when files were not verified', () => {
    const md = summaryMarkdown(
      [{ ...ok(1), verified: undefined }],
      { ...facts, minConcurrency: 2 },
      none,
    )
    expect(md).toContain('Concurrency: lowered to 2 (of 8)')
    expect(md).toContain('1 file(s) not verified')
  })

  it('never shows a secret', () => {
    const r = new Redactor()
    r.add('s3cr3t-token')
    const md = summaryMarkdown(
      [{ ...failed(1), error: 'HTTP 401: token s3cr3t-token is invalid' }],
      facts,
      (t) => r.redact(t),
    )
    expect(md).not.toContain('s3cr3t-token')
    expect(md).toContain('token *** is invalid')
  })
})

describe('redaction', () => {
  it('finds and hides URL credentials', () => {
    expect(secretsInUrl('https://user:pa55word@host.test/a?token=abcdef&x=1')).toEqual(
      expect.arrayContaining(['pa55word', 'abcdef']),
    )
    expect(redactUrl('https://user:pa55word@host.test/a?token=abcdef&x=1')).toBe(
      'https://***@host.test/a?token=***&x=1',
    )
    expect(new Redactor().redact('GET https://u:p4ss@h.test/x failed')).toBe(
      'GET https://***@h.test/x failed',
    )
  })
})

describe('units', () => {
  it('parses and formats sizes and durations', () => {
    expect(parseSize('2GiB')).toBe(2 * 1024 ** 3)
    expect(parseSize('1.5 KB')).toBe(1500)
    expect(parseSize('12')).toBe(12)
    expect(parseSize('lots')).toBeUndefined()
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatDuration(65_000)).toBe('1m 05s')
  })
})

describe('a failed plan entry', () => {
  // A pattern that matched nothing has no download, destination or bytes: it is its own result
  // type, and every report shows it as one failure of one attempt.
  const noMatch = entryFailureResult({
    line: 3,
    source: 'libs/com/acme/*.war',
    message: 'pattern matched no files',
  })
  const facts = { wallMs: 2000, target: '/t', dryRun: false, concurrency: 8, minConcurrency: 8 }

  it('counts as a failed file with no bytes and no retries', () => {
    expect(totals([noMatch, ok(1, 10)])).toMatchObject({
      files: 2,
      failed: 1,
      inPlace: 1,
      downloaded: 1,
      bytes: 10,
      retries: 0,
    })
    expect(failureMessage(totals([noMatch, ok(1)]))).toBe('1 of 2 downloads failed')
  })

  it('is annotated, listed in the errors output and in the summary failures', () => {
    expect(annotations([noMatch], none)).toEqual([
      {
        title: 'Download failed: libs/com/acme/*.war',
        message: 'pattern matched no files (1 attempt)',
      },
    ])
    expect(outputs([noMatch, ok(1, 10)], none)).toEqual({
      downloaded: '1',
      failed: '1',
      files: JSON.stringify(['/t/dir1/part-1.jar']),
      errors: JSON.stringify([
        { source: 'libs/com/acme/*.war', message: 'pattern matched no files' },
      ]),
      bytes: '10',
      unverified: '0',
    })
    const md = summaryMarkdown([noMatch, ok(1)], facts, none)
    expect(md).toContain('### Failures (1)')
    expect(md).toContain('| `libs/com/acme/*.war` | pattern matched no files | 1 |')
    expect(md).toContain('### Files (1)')
  })
})
