// Items for the local server's AQL, written as the path a test reads best.
import type { AqlItem } from '../server/aql.ts'
import type { SpecFile } from '../src/plan/spec-pattern.ts'

/** `repo/folder/name` split as Artifactory stores it: the folder is `.` at the repository root. */
export const repoFile = (p: string): SpecFile => {
  const parts = p.split('/')
  return {
    repo: parts[0],
    path: parts.length > 2 ? parts.slice(1, -1).join('/') : '.',
    name: parts[parts.length - 1],
  }
}

/** An AQL item at `p` (`repo/folder/name`): size 1, no checksums, dates, properties or builds. */
export const aqlItem = (p: string, extra: Partial<AqlItem> = {}): AqlItem => ({
  ...repoFile(p),
  size: 1,
  sha256: '',
  sha1: '',
  md5: '',
  created: '',
  modified: '',
  properties: {},
  builds: [],
  ...extra,
})
