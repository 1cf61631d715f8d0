import * as path from 'node:path'
import { parseEntries, type Entry } from './entries.ts'
import { parseSize } from '../common/units.ts'
import { InputError } from '../common/errors.ts'
import { redactUrl } from '../common/url-credentials.ts'
import { nameRulesFor, pathNameProblem, rulesOs, type NameRules } from '../common/file-names.ts'
import { readSpec } from './spec-input.ts'
import type { SpecEntry } from './file-spec.ts'
import { readTlsSettings, type TlsSettings } from '../net/tls-options.ts'
import {
  readIfNoFilesFound,
  readProject,
  readSyncDeletes,
  type IfNoFilesFound,
} from './cli-inputs.ts'

export { InputError }

/** How requests authenticate. OIDC is resolved to a bearer token by the runner layer. */
export type Auth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oidc'; provider: string; audience: string }

/** Everything the action was asked to do, validated. Built once by {@link getSettings}. */
export interface Settings {
  /** Artifactory base URL without a trailing slash, or undefined when every entry is a full URL. */
  url?: string
  entries: Entry[]
  /** The File Spec's entries (`spec`), planned together with `entries`. */
  spec?: SpecEntry[]
  /** Absolute directory every file is written under. */
  target: string
  flat: boolean
  /** Which file names can exist on the runner's OS (from the platform the action layer gave). */
  names: NameRules
  exclude: string[]
  concurrency: number
  retries: number
  retryDelayMs: number
  timeoutMs: number
  auth: Auth
  verify: boolean
  skipExisting: boolean
  split: number
  splitMinSize: number
  maxSize?: number
  shard?: { index: number; count: number }
  extract: boolean
  toolCache?: { name: string; version: string }
  addToPath: boolean
  dryRun: boolean
  progressIntervalMs: number
  failOnError: boolean
  /** Extra CAs and the client certificate, from `ca-certificates`, `client-certificate`, `client-key`. */
  tls: TlsSettings
  /** The JFrog Project of every File Spec build entry that names none (`project`). */
  project?: string
  /** Whether an entry that selects nothing fails the run (`if-no-files-found`). */
  ifNoFilesFound: IfNoFilesFound
  /** After the run, files under this folder (absolute) that were not planned are deleted. */
  syncDeletes?: string
}

/** Reads one input the way `core.getInput` does: trimmed, '' when unset. */
export type InputReader = (name: string) => string

/**
 * Parses and validates every input into one {@link Settings}, before any request.
 * @param read reads an input by its `action.yml` name
 * @param workspace the directory relative `target`s resolve against (GITHUB_WORKSPACE)
 * @param platform the runner's OS (`process.platform`, read by the action layer only)
 * @throws InputError naming the input and what was wrong with it
 */
export function getSettings(
  read: InputReader,
  workspace: string,
  platform: NodeJS.Platform = 'linux',
): Settings {
  const url = parseBaseUrl(read('url'))
  const targetInput = read('target') || '.'
  const target = path.resolve(workspace, targetInput)
  const flat = bool(read, 'flat', true)
  const exclude = lines(read('exclude'))
  const names = nameRulesFor(platform)
  const spec = readSpec(read('spec'), read('spec-vars'), workspace, url)
  // With a spec, `paths` may be empty; without one, parseEntries says it is required.
  const entries = spec && read('paths').trim() === '' ? [] : parseEntries(read('paths'), url)

  const settings: Settings = {
    url,
    entries,
    spec,
    target,
    flat,
    names,
    exclude,
    // Read in this order so that, of several bad inputs, the same one is named first.
    ...transferSettings(read),
    ...runSettings(read, workspace, names, target),
  }
  if (settings.addToPath && !settings.toolCache) {
    throw new InputError(
      "Input 'add-to-path' needs 'tool-cache' (name@version) to know which folder to add",
    )
  }
  return settings
}

/** How each file is fetched: connections, retries, auth, checks, ranges, limits and shard. */
function transferSettings(read: InputReader) {
  return {
    concurrency: int(read, 'concurrency', 8, 1, 64),
    retries: int(read, 'retries', 3, 0, 20),
    retryDelayMs: int(read, 'retry-delay', 1000, 0, 600_000),
    timeoutMs: int(read, 'timeout', 60, 1, 3600) * 1000,
    auth: getAuth(read),
    verify: bool(read, 'verify', true),
    skipExisting: bool(read, 'skip-existing', true),
    split: int(read, 'split', 8, 1, 16),
    splitMinSize: size(read, 'split-min-size', 16 * 1024 * 1024),
    maxSize: read('max-size') ? size(read, 'max-size', 0) : undefined,
    shard: getShard(read('shard')),
  } satisfies Partial<Settings>
}

/** What the run does around the transfers: post-processing, reporting, TLS, the CLI inputs. */
function runSettings(read: InputReader, workspace: string, names: NameRules, target: string) {
  return {
    extract: bool(read, 'extract', false),
    toolCache: getToolCache(read('tool-cache'), names),
    addToPath: bool(read, 'add-to-path', false),
    dryRun: bool(read, 'dry-run', false),
    progressIntervalMs: int(read, 'progress-interval', 10, 0, 86_400) * 1000,
    failOnError: bool(read, 'fail-on-error', true),
    tls: readTlsSettings(read, workspace),
    project: readProject(read('project')),
    ifNoFilesFound: readIfNoFilesFound(read('if-no-files-found')),
    syncDeletes: readSyncDeletes(read('sync-deletes'), workspace, target),
  } satisfies Partial<Settings>
}

/** Splits a multiline input into its meaningful lines. */
export function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

function parseBaseUrl(value: string): string | undefined {
  if (!value) return undefined
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new InputError(`Input 'url' is not a valid URL: '${redactUrl(value)}'`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InputError(
      `Input 'url' must start with https:// or http://, got '${parsed.protocol}'`,
    )
  }
  if (parsed.search || parsed.hash) {
    throw new InputError(`Input 'url' must not have a query or fragment: '${redactUrl(value)}'`)
  }
  return parsed.href.replace(/\/+$/, '')
}

function int(read: InputReader, name: string, fallback: number, min: number, max: number): number {
  const raw = read(name)
  if (raw === '') return fallback
  if (!/^\d+$/.test(raw)) {
    throw new InputError(
      `Input '${name}' must be a whole number from ${min} to ${max}, got '${raw}'`,
    )
  }
  const value = Number(raw)
  if (value < min || value > max) {
    throw new InputError(`Input '${name}' must be from ${min} to ${max}, got ${raw}`)
  }
  return value
}

function bool(read: InputReader, name: string, fallback: boolean): boolean {
  const raw = read(name)
  if (raw === '') return fallback
  // The same spellings as core.getBooleanInput (YAML 1.2 core schema).
  if (['true', 'True', 'TRUE'].includes(raw)) return true
  if (['false', 'False', 'FALSE'].includes(raw)) return false
  throw new InputError(`Input '${name}' must be 'true' or 'false', got '${raw}'`)
}

function size(read: InputReader, name: string, fallback: number): number {
  const raw = read(name)
  if (raw === '') return fallback
  const value = parseSize(raw)
  if (value === undefined || value <= 0) {
    throw new InputError(
      `Input '${name}' must be a size such as '500MB', '2GiB' or a number of bytes, got '${raw}'`,
    )
  }
  return value
}

function getAuth(read: InputReader): Auth {
  const token = read('access-token')
  const username = read('username')
  const password = read('password')
  const provider = read('oidc-provider-name')
  const audience = read('oidc-audience')
  const given = [
    token && 'access-token',
    (username || password) && 'username/password',
    provider && 'oidc-provider-name',
  ].filter(Boolean)
  if (given.length > 1) {
    throw new InputError(`Give only one way to authenticate; got ${given.join(' and ')}`)
  }
  if (audience && !provider) {
    throw new InputError("Input 'oidc-audience' needs 'oidc-provider-name'")
  }
  if (provider) return { kind: 'oidc', provider, audience }
  if (token) return { kind: 'bearer', token }
  if (username || password) {
    if (!username) throw new InputError("Input 'password' needs 'username' as well")
    if (!password) throw new InputError("Input 'username' needs 'password' as well")
    return { kind: 'basic', username, password }
  }
  return { kind: 'none' }
}

function getShard(raw: string): Settings['shard'] {
  if (raw === '') return undefined
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(raw)
  if (!m)
    throw new InputError(`Input 'shard' must look like 'i/n' (for example '2/4'), got '${raw}'`)
  const index = Number(m[1])
  const count = Number(m[2])
  if (count < 1 || index < 1 || index > count) {
    throw new InputError(`Input 'shard' must have 1 <= i <= n, got '${raw}'`)
  }
  return { index, count }
}

function getToolCache(raw: string, names: NameRules): Settings['toolCache'] {
  if (raw === '') return undefined
  const m = /^([A-Za-z0-9._-]+)@([A-Za-z0-9._+-]+)$/.exec(raw)
  if (!m) throw new InputError(`Input 'tool-cache' must look like 'name@version', got '${raw}'`)
  // Both become folder names under RUNNER_TOOL_CACHE: '.' and '..' would leave it.
  if (/^\.+$/.test(m[1]) || /^\.+$/.test(m[2])) {
    throw new InputError(
      `Input 'tool-cache' must not use '.' or '..' as name or version, got '${raw}'`,
    )
  }
  const problem = pathNameProblem(`${m[1]}/${m[2]}`, names)
  if (problem) {
    throw new InputError(
      `Input 'tool-cache' names a folder ${rulesOs(names)} cannot create: ${problem}`,
    )
  }
  return { name: m[1], version: m[2] }
}
