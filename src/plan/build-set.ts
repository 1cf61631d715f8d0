// The builds a build entry selects: the named run, and every run appended to it with
// `jf rt build-append` (modules of type `build`), appended ones' appended runs too.
import { AttemptError, PlanError } from '../common/errors.ts'
import { appendedBuilds, latestBuildNumber, type BuildRef } from '../artifactory/builds.ts'
import type { HttpClient } from '../net/http-client.ts'
import type { Retrying } from './retrying.ts'
import { NoMatchError } from './no-match.ts'

/** More appended runs than this is a loop the server made, or a mistake: said, not followed. */
export const MAX_BUILDS = 1000

/**
 * The named run first, then the runs appended to it, breadth first, each once (a build
 * appended to itself, or two builds appended to each other, end there).
 * @param appended reads one run's build info and returns the runs appended to it
 * @throws PlanError beyond {@link MAX_BUILDS} runs
 */
export async function collectBuilds(
  root: BuildRef,
  appended: (build: BuildRef) => Promise<BuildRef[]>,
): Promise<BuildRef[]> {
  const key = (b: BuildRef): string => `${b.name}\0${b.number}`
  const seen = new Set([key(root)])
  const out: BuildRef[] = []
  const queue = [root]
  for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
    out.push(b)
    for (const child of await appended(b)) {
      if (seen.has(key(child))) continue
      if (seen.size >= MAX_BUILDS) {
        throw new PlanError(
          `build '${root.name}/${root.number}' has more than ${MAX_BUILDS} appended builds`,
        )
      }
      seen.add(key(child))
      queue.push(child)
    }
  }
  return out
}

/**
 * A build the server does not know (its 404) selects nothing, as the JFrog CLI finds it: a
 * {@link NoMatchError}, which `if-no-files-found` may let pass. Anything else is rethrown.
 */
export function missingBuildAsNoMatch(err: unknown): never {
  if (err instanceof AttemptError && err.status === 404) throw new NoMatchError(err.message)
  throw err
}

/** Where a build entry's builds are looked up. */
export interface BuildSource {
  http: HttpClient
  /** Artifactory base URL. */
  url: string
  signal: AbortSignal
}

/**
 * The runs a build entry selects: its number (the latest run when the spec names none), and
 * the runs appended to it. A build that does not exist is a {@link NoMatchError}.
 * @param project the JFrog Project the builds live in (the entry's, or the `project` input)
 */
export async function entryBuilds(
  build: { name: string; number?: string },
  project: string | undefined,
  o: BuildSource,
  retry: Retrying,
): Promise<BuildRef[]> {
  try {
    const number =
      build.number ??
      (await retry('build lookup', () =>
        latestBuildNumber(o.http, o.url, build.name, o.signal, project),
      ))
    const root = { name: build.name, number }
    return await collectBuilds(root, (b) =>
      retry('build lookup', () => appendedBuilds(o.http, o.url, b, o.signal, project)).catch(
        (err: unknown) => {
          // As the JFrog CLI: an appended build that is gone adds nothing; the named one must exist.
          if (b !== root && err instanceof AttemptError && err.status === 404) return []
          throw err
        },
      ),
    )
  } catch (err) {
    return missingBuildAsNoMatch(err)
  }
}
