// Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and sums self time by function, so that a
// benchmark can say what one file costs and where that time goes.
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import { SourceMap, type SourceMapPayload } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** One function's (or V8 category's) self time, in microseconds. */
export interface Cost {
  name: string
  selfUs: number
}

/**
 * Adds each function's self time in `profile` to `totals`, by name; `(idle)` is left out, since
 * it costs no CPU.
 */
function addSelfTimes(profile: CpuProfile, maps: SourceMaps, totals: Map<string, number>): void {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]))
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i])
    if (!node) continue
    const name = costName(node, maps)
    if (name === '(idle)') continue
    // V8 records the time since the previous sample with each sample.
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
}

function largestFirst(totals: Map<string, number>): Cost[] {
  return [...totals].map(([name, selfUs]) => ({ name, selfUs })).sort((a, b) => b.selfUs - a.selfUs)
}

function costName(node: ProfileNode, maps: SourceMaps): string {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame
  if (!url) return functionName || '(anonymous)'
  const original = maps.original(url, lineNumber, columnNumber)
  const at = original ?? { file: url, line: lineNumber }
  return `${functionName || '(anonymous)'} ${where(at.file)}:${at.line + 1}`
}

/**
 * The bundle's source map (ncc writes `index.js.map` beside it), so that a function of the
 * bundle is named by its own source file and line, as `node --enable-source-maps` would.
 */
class SourceMaps {
  private readonly maps = new Map<string, SourceMap | undefined>()

  original(url: string, line: number, column: number): { file: string; line: number } | undefined {
    const map = this.load(url)
    const entry = map?.findEntry(line, column)
    if (!entry || !('originalSource' in entry)) return undefined
    return { file: entry.originalSource, line: entry.originalLine }
  }

  private load(url: string): SourceMap | undefined {
    if (this.maps.has(url)) return this.maps.get(url)
    let map: SourceMap | undefined
    if (url.startsWith('file://')) {
      const file = `${fileURLToPath(url)}.map`
      if (fs.existsSync(file))
        map = new SourceMap(JSON.parse(fs.readFileSync(file, 'utf8')) as SourceMapPayload)
    }
    this.maps.set(url, map)
    return map
  }
}

/** A short place: the package under node_modules, or the file's own name. */
function where(url: string): string {
  const file = url.replace(/^file:\/\//, '')
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)
  if (pkg) return pkg[1]
  if (file.startsWith('node:')) return file
  return path.basename(file)
}

/** The costs of every profile in `dir` (one per process and thread), added together. */
export async function profileCosts(dir: string): Promise<Cost[]> {
  const totals = new Map<string, number>()
  const maps = new SourceMaps()
  for (const f of await fsp.readdir(dir)) {
    if (!f.endsWith('.cpuprofile')) continue
    const profile = JSON.parse(await fsp.readFile(path.join(dir, f), 'utf8')) as CpuProfile
    addSelfTimes(profile, maps, totals)
  }
  return largestFirst(totals)
}
