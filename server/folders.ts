// Folders for the local server: those the stored files imply and empty ones a test declares,
// as the File List API (`listFolders=1`) and AQL (`"type":"folder"` or `"any"`) show them.

/**
 * Every folder (`repo/path`, below the repository's root) that holds a stored file, or that
 * is declared (with its parents), sorted.
 */
export function allFolders(files: Iterable<string>, declared: string[] = []): string[] {
  const out = new Set<string>()
  const addParents = (p: string, self: boolean): void => {
    const parts = p.split('/').filter(Boolean)
    for (let i = 2; i <= parts.length - (self ? 0 : 1); i++) out.add(parts.slice(0, i).join('/'))
  }
  for (const f of files) addParents(f, false)
  for (const d of declared) addParents(d, true)
  return [...out].sort()
}

/** The folders below `repoFolder` (deep, or its children only), as File List API entries. */
export function listedFolders(
  folders: string[],
  repoFolder: string,
  deep: boolean,
): { uri: string; size: number; lastModified: string; folder: true }[] {
  const prefix = `${repoFolder}/`
  return folders
    .filter((f) => f.startsWith(prefix) && (deep || !f.slice(prefix.length).includes('/')))
    .map((f) => ({
      uri: `/${f.slice(prefix.length)}`,
      size: -1,
      lastModified: '2026-11-03T10:00:00.000Z',
      folder: true as const,
    }))
}
