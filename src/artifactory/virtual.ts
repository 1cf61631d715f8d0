import type { ListedFile } from './remote-file.ts'

/**
 * Files AQL found for a repository, as they are reached through it. On a virtual repository
 * AQL answers with its local members' keys: the files are renamed under the repository the
 * user named (downloads go through its URL, and local layouts keep its name). When two
 * members hold the same path, the virtual serves one of them by its own resolution order, so
 * only one download is planned and its listed size and checksums are dropped unless the
 * members agree (the response headers decide).
 */
export function underNamedRepo(listed: ListedFile[], repo: string): ListedFile[] {
  const byPath = new Map<string, ListedFile>()
  for (const f of listed) {
    const slash = f.path.indexOf('/')
    const named =
      slash < 0 || f.path.slice(0, slash) === repo
        ? f
        : { ...f, path: `${repo}${f.path.slice(slash)}` }
    const seen = byPath.get(named.path)
    if (!seen) byPath.set(named.path, named)
    else if (seen.sha256 !== named.sha256 || seen.sha1 !== named.sha1) {
      byPath.set(named.path, { path: named.path })
    }
  }
  return [...byPath.values()]
}
