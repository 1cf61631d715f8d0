import * as core from '@actions/core'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import semver from 'semver'
import { isMarker } from '../extract/marker.ts'
import type { Settings } from '../input/settings.ts'

/**
 * The folder name `@actions/tool-cache`'s `cacheDir` gives `version`: `semver.clean(version)`
 * when that is full semver (`v1.2.3+b4` is `1.2.3`), else the version as written (`25.1`,
 * `21`, `2024-01`), so that the lookup finds exactly the folder `cacheDir` wrote.
 */
export function toolCacheVersion(version: string): string {
  return semver.clean(version) || version
}

/** `RUNNER_TOOL_CACHE/name/version/arch`, where `cacheDir` stores name@version. Pure. */
export function toolCacheFolder(root: string, name: string, version: string, arch: string): string {
  return path.join(root, name, toolCacheVersion(version), arch)
}

/**
 * The cached folder of name@version for this machine's architecture, or undefined. Looked up
 * directly rather than with `find`, which takes a version that is not full semver for a range
 * (`21` would pick a `21.0.5` that setup-java cached) or never finds it (`2024-01`). The
 * `.complete` marker beside the folder says `cacheDir` finished copying.
 */
async function findCachedTool(name: string, version: string): Promise<string | undefined> {
  const root = process.env.RUNNER_TOOL_CACHE
  // Said before any download: `cacheDir` would only fail once everything is downloaded.
  if (!root)
    throw new Error("Input 'tool-cache' needs RUNNER_TOOL_CACHE, which runners set; it is not set")
  const folder = toolCacheFolder(root, name, version, os.arch())
  const isDir = (await fsp.stat(folder).catch(() => undefined))?.isDirectory()
  const complete = await fsp.stat(`${folder}.complete`).then(
    () => true,
    () => false,
  )
  return isDir && complete ? folder : undefined
}

/** On a tool-cache hit, sets the outputs and returns true: no request is made. */
export async function toolCacheHit(settings: Settings): Promise<boolean> {
  const { name, version } = settings.toolCache as { name: string; version: string }
  const found = await findCachedTool(name, version)
  if (!found) {
    core.setOutput('cache-hit', 'false')
    core.info(`tool cache: ${name}@${version} not cached yet; downloading`)
    return false
  }
  const files = await listFiles(found)
  core.info(`tool cache: ${name}@${version} found at ${found}; nothing to download`)
  core.setOutput('cache-hit', 'true')
  core.setOutput('path', found)
  core.setOutput('files', JSON.stringify(files))
  core.setOutput('downloaded', String(files.length))
  core.setOutput('failed', '0')
  core.setOutput('errors', '[]')
  core.setOutput('bytes', '0')
  core.setOutput('unverified', '0')
  await addToPath(settings, found)
  return true
}

/** After a complete download: stores `target` in the tool cache as name@version. */
export async function cacheTool(settings: Settings): Promise<void> {
  const { name, version } = settings.toolCache as { name: string; version: string }
  const tc = await import('@actions/tool-cache')
  const cached = await tc.cacheDir(settings.target, name, version)
  core.info(`tool cache: stored ${settings.target} as ${name}@${version} (${cached})`)
  core.setOutput('path', cached)
  await addToPath(settings, cached)
}

/** With `add-to-path`: the folder's `bin` (or the folder itself, when it has none) on PATH. */
async function addToPath(settings: Settings, folder: string): Promise<void> {
  if (!settings.addToPath) return
  const bin = path.join(folder, 'bin')
  const dir = (await fsp.stat(bin).catch(() => undefined))?.isDirectory() ? bin : folder
  core.addPath(dir)
  core.info(`added ${dir} to PATH`)
}

/** Every file under `dir` but the action's extraction records, sorted: the `files` output of a cache hit. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile() && !isMarker(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort()
}
