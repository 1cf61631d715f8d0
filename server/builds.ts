// Builds for the local server: `GET /api/build/{name}` (its runs) and
// `GET /api/build/{name}/{number}` (build info with `modules[].artifacts[]`).

/** One run of a build and the stored files (`repo/path`) it published. */
export interface BuildRun {
  number: string
  /** ISO date, as Artifactory writes `started`. */
  started: string
  artifacts: string[]
}

/**
 * The answer to a build request (`rest` is the raw path after `api/build/`), or undefined
 * when it does not exist.
 */
export function buildAnswer(
  builds: Record<string, BuildRun[]>,
  rest: string,
  origin: string,
): unknown {
  const [rawName, rawNumber, ...more] = rest.split('/')
  if (more.length > 0 || !rawName) return undefined
  const name = decodeURIComponent(rawName)
  const runs = builds[name]
  if (!runs) return undefined
  if (rawNumber === undefined) {
    return {
      uri: `${origin}/api/build/${rawName}`,
      buildsNumbers: runs.map((r) => ({
        uri: `/${encodeURIComponent(r.number)}`,
        started: r.started,
      })),
    }
  }
  const run = runs.find((r) => r.number === decodeURIComponent(rawNumber))
  if (!run) return undefined
  return {
    uri: `${origin}/api/build/${rawName}/${rawNumber}`,
    buildInfo: {
      name,
      number: run.number,
      started: run.started,
      modules: [
        {
          id: `${name}:${run.number}`,
          artifacts: run.artifacts.map((p) => ({ name: p.split('/').pop(), path: p })),
        },
      ],
    },
  }
}

/** The builds each stored file belongs to, by `repo/path`. */
export function buildsByFile(
  builds: Record<string, BuildRun[]>,
): Map<string, { name: string; number: string }[]> {
  const out = new Map<string, { name: string; number: string }[]>()
  for (const [name, runs] of Object.entries(builds)) {
    for (const run of runs) {
      for (const p of run.artifacts) {
        const list = out.get(p) ?? []
        list.push({ name, number: run.number })
        out.set(p, list)
      }
    }
  }
  return out
}
