import * as core from '@actions/core'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import type { Settings } from '../plan/settings.ts'

/** On a tool-cache hit, sets the outputs and returns true: no request is made. */
export async function toolCacheHit(settings: Settings): Promise<boolean> {
  const { name, version } = settings.toolCache as { name: string; version: string }
  const tc = await import('@actions/tool-cache')
  const found = tc.find(name, version)
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
  await addToPath(settings, found)
  return true
}

export async function cacheTool(settings: Settings): Promise<void> {
  const { name, version } = settings.toolCache as { name: string; version: string }
  const tc = await import('@actions/tool-cache')
  const cached = await tc.cacheDir(settings.target, name, version)
  core.info(`tool cache: stored ${settings.target} as ${name}@${version} (${cached})`)
  core.setOutput('path', cached)
  await addToPath(settings, cached)
}

export async function addToPath(settings: Settings, folder: string): Promise<void> {
  if (!settings.addToPath) return
  const bin = path.join(folder, 'bin')
  const dir = (await fsp.stat(bin).catch(() => undefined))?.isDirectory() ? bin : folder
  core.addPath(dir)
  core.info(`added ${dir} to PATH`)
}

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort()
}
