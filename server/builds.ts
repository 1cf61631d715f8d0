// Builds for the local server: `GET /api/build/{name}` (its runs) and
// `GET /api/build/{name}/{number}` (build info with `modules[].artifacts[]` and
// `modules[].dependencies[]`, and a module of type `build` per build appended with
// `jf rt build-append`). A run in a JFrog Project answers only with `?project=KEY`, and its build
// info is stored in the project's `KEY-build-info` repository.

/** One run of a build and the stored files (`repo/path`) it published. */
export interface BuildRun {
  number: string
  /** ISO date, as Artifactory writes `started`. */
  started: string
  artifacts: string[]
  /** Stored files (`repo/path`) the run used. */
  dependencies?: string[]
  /** Builds appended to this run (`jf rt build-append`), as `name/number`. */
  appended?: string[]
  /** The JFrog Project the run was published in. */
  project?: string
}

/** A build reference as AQL's `*.module.build.*` fields see it. */
export interface BuildKey {
  name: string
  number: string
}

/** The build-info repository of a project, as Artifactory names it (`artifactory-build-info` for none). */
export function buildInfoRepo(project?: string): string {
  return `${project ?? 'artifactory'}-build-info`
}

/** The build info of one run, as `GET /api/build/{name}/{number}` answers it. */
function buildInfo(name: string, run: BuildRun): Record<string, unknown> {
  const file = (p: string): Record<string, unknown> => ({ name: p.split('/').pop(), path: p })
  return {
    name,
    number: run.number,
    started: run.started,
    ...(run.project ? { project: run.project } : {}),
    modules: [
      {
        id: `${name}:${run.number}`,
        type: 'generic',
        artifacts: run.artifacts.map(file),
        dependencies: (run.dependencies ?? []).map((p) => ({ id: p.split('/').pop(), ...file(p) })),
      },
      ...(run.appended ?? []).map((id) => ({ id, type: 'build' })),
    ],
  }
}

/**
 * The answer to a build request (`rest` is the raw path after `api/build/`), or undefined
 * when it does not exist, or lives in another project than `project` (the `?project=` value).
 */
export function buildAnswer(
  builds: Record<string, BuildRun[]>,
  rest: string,
  origin: string,
  project?: string,
): unknown {
  const [rawName, rawNumber, ...more] = rest.split('/')
  if (more.length > 0 || !rawName) return undefined
  const name = decodeURIComponent(rawName)
  const runs = (builds[name] ?? []).filter((r) => (r.project ?? '') === (project ?? ''))
  if (runs.length === 0) return undefined
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
  return { uri: `${origin}/api/build/${rawName}/${rawNumber}`, buildInfo: buildInfo(name, run) }
}

/** The builds each stored file belongs to, by `repo/path`: as an artifact, or as a dependency. */
export function buildsByFile(
  builds: Record<string, BuildRun[]>,
  kind: 'artifacts' | 'dependencies' = 'artifacts',
): Map<string, BuildKey[]> {
  const out = new Map<string, BuildKey[]>()
  for (const [name, runs] of Object.entries(builds)) {
    for (const run of runs) {
      for (const p of run[kind] ?? []) {
        const list = out.get(p) ?? []
        list.push({ name, number: run.number })
        out.set(p, list)
      }
    }
  }
  return out
}

/**
 * The build-info files of the runs published in a project, by `repo/path`, as Artifactory
 * stores them: `KEY-build-info/{name}/{number}-{started ms}.json`.
 */
export function projectBuildInfoFiles(builds: Record<string, BuildRun[]>): Map<string, string> {
  const out = new Map<string, string>()
  for (const [name, runs] of Object.entries(builds)) {
    for (const run of runs) {
      if (!run.project) continue
      const file = `${buildInfoRepo(run.project)}/${name}/${run.number}-${Date.parse(run.started)}.json`
      out.set(file, JSON.stringify(buildInfo(name, run)))
    }
  }
  return out
}
