// Tars written in the test, block by block with node-tar's header encoder: any member, however
// hostile (a link out of the target, an absolute path), and the same bytes on every OS.
import * as zlib from 'node:zlib'
import { Header } from 'tar'

/** One member: a file (mode 0o644) unless `type` says otherwise. */
export interface TarMember {
  path: string
  type?: 'File' | 'SymbolicLink' | 'Link' | 'Directory'
  linkpath?: string
  body?: string
}

/** The bytes of a plain tar holding `members`, in order, ended by two empty blocks. */
export function tarOf(members: TarMember[]): Buffer {
  const blocks: Buffer[] = []
  for (const m of members) {
    const body = Buffer.from(m.body ?? '')
    const header = Buffer.alloc(512)
    new Header({
      path: m.path,
      type: m.type ?? 'File',
      linkpath: m.linkpath,
      mode: m.type === 'Directory' ? 0o755 : 0o644,
      size: body.length,
      mtime: new Date(0),
    }).encode(header, 0)
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

/** {@link tarOf}, gzipped (a .tgz). */
export function tgzOf(members: TarMember[]): Buffer {
  return zlib.gzipSync(tarOf(members))
}

/** Files named as the keys, holding the values: the members of a tar of plain files. */
export function filesAsMembers(files: Record<string, string>): TarMember[] {
  return Object.entries(files).map(([path, body]) => ({ path, body }))
}
