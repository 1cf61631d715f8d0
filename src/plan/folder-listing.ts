// One listing per folder for the plan's patterns: the File List API, or AQL when the server
// refuses it.
import { listFolder } from '../artifactory/list.ts'
import { searchAql } from '../artifactory/aql.ts'
import type { BodyLimits } from '../artifactory/json-body.ts'
import type { HttpClient } from '../net/http-client.ts'
import type { ListedFile, PatternPrefix } from '../artifactory/remote-file.ts'
import type { Retrying } from './retrying.ts'

/** Where a folder is listed from, and the bounds of each answer (tests make them small). */
export interface ListingSource {
  http: HttpClient
  /** Artifactory base URL. */
  url: string
  signal: AbortSignal
  listingLimits?: BodyLimits
}

/**
 * The files below `prefix`, listed once per folder in `cache`: the File List API, or AQL when
 * it is refused (no Pro licence, anonymous user, or a virtual repository). AQL on a virtual
 * names its members' keys; `fromAql` may rename them.
 */
export function listFolderOnce(
  cache: Map<string, Promise<ListedFile[]>>,
  prefix: PatternPrefix,
  source: ListingSource,
  retry: Retrying,
  fromAql: (listed: ListedFile[]) => ListedFile[] = (listed) => listed,
): Promise<ListedFile[]> {
  const key = folderKey(prefix)
  let listing = cache.get(key)
  if (!listing) {
    const { http, url, signal, listingLimits } = source
    listing = (async () =>
      (await retry('listing', () => listFolder(http, url, prefix, signal, true, listingLimits))) ??
      fromAql(
        await retry('AQL search', () => searchAql(http, url, prefix, signal, listingLimits)),
      ))()
    cache.set(key, listing)
  }
  return listing
}

/** A listed folder's name, `repo/folder`: the cache key and what retry lines name. */
export function folderKey(prefix: PatternPrefix): string {
  return `${prefix.repo}/${prefix.folder}`
}
