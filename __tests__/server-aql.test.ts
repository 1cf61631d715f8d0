// The local server's AQL: what the spec tests rely on it to answer as Artifactory does.
import { describe, expect, it } from 'vitest'
import { runAql, type AqlItem } from '../server/aql.ts'
import { aqlItem } from '../__fixtures__/aql-item.ts'

const item = (p: string, extra: Partial<AqlItem> = {}): AqlItem =>
  aqlItem(p, {
    sha256: 'a'.repeat(64),
    sha1: 'b'.repeat(40),
    md5: 'c'.repeat(32),
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    ...extra,
  })
const items = [
  item('m1/a/x.jar', { created: '2026-03-01', properties: { os: ['linux', 'mac'] } }),
  item('m2/a/y.jar', { created: '2026-02-01', builds: [{ name: 'app', number: '1' }] }),
  item('m2/root.txt', { created: '2026-04-01', properties: { os: ['win'] } }),
]
const names = (q: string, virtual = {}): unknown => {
  const a = runAql(q, items, virtual)
  if ('error' in a) return a.error
  return a.results.map((r) => `${r.repo}/${r.path}/${r.name}`)
}

describe('the test server AQL', () => {
  it('answers with the included fields and a range', () => {
    expect(
      runAql('items.find({"name":"x.jar"}).include("repo","path","name","sha256")', items),
    ).toEqual({
      results: [{ repo: 'm1', path: 'a', name: 'x.jar', type: 'file', sha256: 'a'.repeat(64) }],
      range: { start_pos: 0, end_pos: 1, total: 1 },
    })
  })

  it('sorts, offsets and limits', () => {
    expect(
      names(
        'items.find({}).include("name","created").sort({"$desc":["created"]}).offset(1).limit(1)',
      ),
    ).toEqual(['m1/a/x.jar'])
    expect(runAql('items.find({}).sort({"$asc":["created"]}).limit(2)', items)).toMatchObject({
      range: { start_pos: 0, end_pos: 2, total: 2, limit: 2 },
    })
    expect(names('items.find({}).include("name").sort({"$asc":["created"]})')).toBe(
      'Sort field created must be included',
    )
  })

  it('reads $and, $or, $match, $ne and $nmatch, properties and builds', () => {
    expect(names('items.find({"$or":[{"path":"."},{"name":{"$match":"x*"}}]})')).toEqual([
      'm1/a/x.jar',
      'm2/./root.txt',
    ])
    expect(names('items.find({"$and":[{"@os":"linux"},{"@os":{"$eq":"mac"}}]})')).toEqual([
      'm1/a/x.jar',
    ])
    expect(names('items.find({"@os":{"$ne":"linux"}})')).toEqual(['m2/a/y.jar', 'm2/./root.txt'])
    expect(names('items.find({"@os":{"$nmatch":"w*"}})')).toEqual(['m1/a/x.jar', 'm2/a/y.jar'])
    expect(
      names('items.find({"artifact.module.build.name":"app","artifact.module.build.number":"1"})'),
    ).toEqual(['m2/a/y.jar'])
    expect(
      names('items.find({"artifact.module.build.name":"app","artifact.module.build.number":"2"})'),
    ).toEqual([])
  })

  it('finds a virtual repository members items, under their own keys', () => {
    expect(
      names('items.find({"repo":"virt","name":{"$match":"*.jar"}})', { virt: ['m1', 'm2'] }),
    ).toEqual(['m1/a/x.jar', 'm2/a/y.jar'])
  })

  it('refuses unknown fields, bad syntax and queries over 6,000 characters', () => {
    expect(names('items.find({"nmae":"x"})')).toBe('Failed to parse query: unknown field nmae')
    expect(names('items.find({"name":')).toMatch(/^Failed to parse query/)
    expect(names(`items.find({"name":"${'x'.repeat(6000)}"})`)).toMatch(/^Query is too long/)
  })
})
