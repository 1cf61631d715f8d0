// Release bundles for the local server: the artifacts of a bundle `name/version`, as AQL's
// `release_artifact.release.name` and `release_artifact.release.version` find them.

/** One version of a release bundle and the stored files (`repo/path`) it holds. */
export interface ReleaseBundle {
  name: string
  version: string
  artifacts: string[]
}

/** The bundles each stored file is in, by `repo/path`. */
export function bundlesByFile(
  bundles: ReleaseBundle[],
): Map<string, { name: string; version: string }[]> {
  const out = new Map<string, { name: string; version: string }[]>()
  for (const b of bundles) {
    for (const p of b.artifacts) {
      const list = out.get(p) ?? []
      list.push({ name: b.name, version: b.version })
      out.set(p, list)
    }
  }
  return out
}
