// The AQL conditions that select by what Artifactory records about files rather than by their
// names: a build's artifacts and dependencies (jfrog-client-go's `buildClauseItems`), and a
// release bundle's artifacts (its `buildReleaseBundleQuery`).
import type { BuildRef } from './builds.ts'

type Criteria = Record<string, unknown>

/** What a build entry takes from its builds. */
export interface BuildParts {
  artifacts: boolean
  dependencies: boolean
}

/**
 * The files of any of `builds`: their artifacts (`artifact.module.build.*`), their
 * dependencies (`dependency.module.build.*`), or both. Each pair names one build run.
 */
export function buildCriteria(builds: BuildRef[], parts: BuildParts): Criteria {
  const kinds = [parts.artifacts && 'artifact', parts.dependencies && 'dependency'].filter(
    (k): k is string => typeof k === 'string',
  )
  const ors: Criteria[] = []
  for (const kind of kinds) {
    for (const b of builds) {
      ors.push({ [`${kind}.module.build.name`]: b.name, [`${kind}.module.build.number`]: b.number })
    }
  }
  return ors.length === 1 ? ors[0] : { $or: ors }
}

/**
 * A release bundle's artifacts, as the JFrog CLI's `bundle` query: name and version as
 * written, a `*` in either makes it a `$match`.
 */
export function bundleCriteria(bundle: { name: string; version: string }): Criteria {
  const value = (v: string): unknown => (v.includes('*') ? { $match: v } : v)
  return {
    'release_artifact.release.name': value(bundle.name),
    'release_artifact.release.version': value(bundle.version),
  }
}
