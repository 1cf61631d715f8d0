import { expectSameBytes, seeded, sha256 } from '../__fixtures__/bytes.ts'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTempDir } from '../__fixtures__/temp-dir.ts'
import { AttemptError } from '../src/common/errors.ts'
import { pumpToFile, type SinkOptions } from '../src/engine/sink.ts'

const KiB = 1024
const MiB = 1024 * KiB
const dir = useTempDir('artdl-sink-', { per: 'suite' })
let n = 0

/** A body the test feeds by hand. */
function body(): Readable {
  return new Readable({ read() {} })
}

/** A fresh file and sink options around it; `calls` records what onWritten saw (copied). */
function sinkFor(over: Partial<SinkOptions> = {}): {
  file: string
  o: SinkOptions
  calls: { chunks: number; n: number; bytes: Buffer }[]
} {
  const file = path.join(dir(), `f${n++}`)
  fs.writeFileSync(file, '')
  const calls: { chunks: number; n: number; bytes: Buffer }[] = []
  const o: SinkOptions = {
    fd: fs.openSync(file, 'r+'),
    position: 0,
    signal: new AbortController().signal,
    onWritten: (chunks, bytes) =>
      calls.push({ chunks: chunks.length, n: bytes, bytes: Buffer.concat(chunks) }),
    ...over,
  }
  return { file, o, calls }
}

/** Splits `b` into chunks of `size` (each its own ArrayBuffer, as socket reads are). */
function chunksOf(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < b.length; at += size) out.push(Buffer.from(b.subarray(at, at + size)))
  return out
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

describe('pumpToFile', () => {
  it('writes a body whole at its position and reports every byte once, in order', async () => {
    const content = seeded(300 * KiB + 5, 1)
    const { file, o, calls } = sinkFor({ position: 1000 })
    const b = body()
    const sink = pumpToFile(b, o)
    const done = sink.done
    for (const c of chunksOf(content, 64 * KiB)) b.push(c)
    b.push(null)
    expect(await done).toBe(content.length)
    fs.closeSync(o.fd)
    const onDisk = fs.readFileSync(file)
    expect(onDisk.length).toBe(1000 + content.length)
    expectSameBytes(onDisk.subarray(1000), content)
    expectSameBytes(Buffer.concat(calls.map((c) => c.bytes)), content)
    expect(calls.reduce((s, c) => s + c.n, 0)).toBe(content.length)
    expect(sink.written).toBe(content.length)
  })

  it('gathers the chunks that arrive during a write into one writev, in order', async () => {
    const content = seeded(512 * KiB, 2)
    const { file, o, calls } = sinkFor()
    const b = body()
    const done = pumpToFile(b, o).done
    // All at once: the first chunk's write is in flight while the other 63 arrive.
    const chunks = chunksOf(content, 8 * KiB)
    for (const c of chunks) b.push(c)
    b.push(null)
    await done
    fs.closeSync(o.fd)
    expectSameBytes(fs.readFileSync(file), content)
    expect(calls.length).toBeLessThan(chunks.length)
    expect(calls.some((c) => c.chunks > 1)).toBe(true)
    expectSameBytes(Buffer.concat(calls.map((c) => c.bytes)), content)
  })

  it('writes a small body that arrives in several reads with one write', async () => {
    // As a TLS socket delivers 64 KiB: in records of 16 KiB, a little less for the first.
    const content = seeded(64 * KiB, 11)
    const { file, o, calls } = sinkFor()
    const b = body()
    const done = pumpToFile(b, o).done
    await tick() // the body flows
    for (const c of [content.subarray(0, 16042), ...chunksOf(content.subarray(16042), 16 * KiB)]) {
      b.push(Buffer.from(c))
      await tick()
    }
    b.push(null)
    expect(await done).toBe(content.length)
    fs.closeSync(o.fd)
    expectSameBytes(fs.readFileSync(file), content)
    expect(calls.map((c) => c.n)).toEqual([content.length])
  })

  it('keeps on disk the bytes that came before a body error, for the resume to start after', async () => {
    const content = seeded(10 * KiB, 12)
    const { file, o, calls } = sinkFor()
    const b = body()
    const sink = pumpToFile(b, o)
    b.push(Buffer.from(content)) // a copy: the sink frees the chunk once written
    await tick()
    b.destroy(new Error('socket hang up'))
    await expect(sink.done).rejects.toThrow('socket hang up')
    fs.closeSync(o.fd)
    expect(sink.written).toBe(content.length)
    expectSameBytes(fs.readFileSync(file), content)
    expectSameBytes(Buffer.concat(calls.map((c) => c.bytes)), content)
  })

  it('pauses the body above 1 MiB buffered and resumes it as the writes catch up', async () => {
    const content = seeded(3 * MiB, 3)
    const { file, o } = sinkFor()
    const b = body()
    const done = pumpToFile(b, o).done
    await tick() // the body flows
    for (const c of chunksOf(content, 64 * KiB)) b.push(c)
    expect(b.isPaused()).toBe(true)
    b.push(null)
    await done
    fs.closeSync(o.fd)
    expectSameBytes(fs.readFileSync(file), content)
  })

  it('stops at its limit, drops the rest of the body and writes nothing beyond', async () => {
    const content = seeded(200 * KiB, 4)
    const { file, o } = sinkFor({ limit: 100 * KiB + 3 })
    const b = body()
    const done = pumpToFile(b, o).done
    for (const c of chunksOf(content, 64 * KiB)) b.push(c)
    expect(await done).toBe(100 * KiB + 3)
    fs.closeSync(o.fd)
    expect(b.destroyed).toBe(true)
    expectSameBytes(fs.readFileSync(file), content.subarray(0, 100 * KiB + 3))
  })

  it('honours a limit lowered while the body streams (its tail was taken)', async () => {
    const content = seeded(400 * KiB, 5)
    const { file, o } = sinkFor({ limit: content.length })
    const b = body()
    const sink = pumpToFile(b, o)
    const done = sink.done
    const chunks = chunksOf(content, 64 * KiB)
    b.push(chunks[0])
    await tick()
    await tick()
    sink.lowerLimit(150 * KiB)
    for (const c of chunks.slice(1)) b.push(c)
    expect(await done).toBe(150 * KiB)
    fs.closeSync(o.fd)
    expectSameBytes(fs.readFileSync(file), content.subarray(0, 150 * KiB))
  })

  it('stops at once when the limit is lowered below what is already written', async () => {
    const content = seeded(256 * KiB, 6)
    const { o } = sinkFor({ limit: content.length })
    const b = body()
    const sink = pumpToFile(b, o)
    const done = sink.done
    const chunks = chunksOf(content, 64 * KiB)
    b.push(chunks[0])
    b.push(chunks[1])
    while (sink.written < 128 * KiB) await tick()
    sink.lowerLimit(64 * KiB)
    b.push(chunks[2])
    expect(await done).toBe(128 * KiB)
    fs.closeSync(o.fd)
    expect(b.destroyed).toBe(true)
  })

  it('fails with a size error before the file would grow beyond max-size', async () => {
    const content = seeded(300 * KiB, 7)
    const { file, o } = sinkFor({ position: 10 * KiB, maxSize: 200 * KiB })
    const b = body()
    const done = pumpToFile(b, o).done
    for (const c of chunksOf(content, 64 * KiB)) b.push(c)
    b.push(null)
    const error = await done.catch((e: unknown) => e)
    fs.closeSync(o.fd)
    expect(error).toBeInstanceOf(AttemptError)
    expect((error as AttemptError).kind).toBe('size')
    expect((error as Error).message).toMatch(/larger than max-size/)
    expect(fs.statSync(file).size).toBeLessThanOrEqual(200 * KiB)
    expect(b.destroyed).toBe(true)
  })

  it('rejects with the reason when aborted mid-body, and at once when already aborted', async () => {
    const controller = new AbortController()
    const { o } = sinkFor({ signal: controller.signal })
    const b = body()
    const done = pumpToFile(b, o).done
    b.push(seeded(64 * KiB, 8))
    const reason = new AttemptError('cancelled', 'cancelled by SIGTERM')
    controller.abort(reason)
    await expect(done).rejects.toBe(reason)
    expect(b.destroyed).toBe(true)
    fs.closeSync(o.fd)

    const { o: o2 } = sinkFor({ signal: AbortSignal.abort(reason) })
    await expect(pumpToFile(body(), o2).done).rejects.toBe(reason)
    fs.closeSync(o2.fd)
  })

  it('rejects with a body error mid-stream, and ignores one after the end', async () => {
    const { o } = sinkFor()
    const b = body()
    const done = pumpToFile(b, o).done
    b.push(seeded(10 * KiB, 9))
    b.destroy(new Error('socket hang up'))
    await expect(done).rejects.toThrow('socket hang up')
    fs.closeSync(o.fd)

    const { o: o2 } = sinkFor()
    const b2 = body()
    const done2 = pumpToFile(b2, o2).done
    b2.push(seeded(10 * KiB, 10))
    b2.push(null)
    expect(await done2).toBe(10 * KiB)
    // A socket that breaks after the last byte: nobody listens for it, and it must not crash
    // the process (vitest fails the run on an unhandled error).
    b2.emit('error', new Error('read ECONNRESET'))
    await tick()
    fs.closeSync(o2.fd)
  })

  it('frees a chunk that is a whole buffer once written, and leaves slices of larger ones', async () => {
    const { o } = sinkFor()
    const b = body()
    const done = pumpToFile(b, o).done
    const whole = seeded(64 * KiB, 11)
    const shared = seeded(128 * KiB, 12)
    const slice = shared.subarray(0, 64 * KiB)
    b.push(whole)
    b.push(slice)
    b.push(null)
    await done
    fs.closeSync(o.fd)
    expect(whole.buffer.byteLength).toBe(0)
    expect(shared.buffer.byteLength).toBe(128 * KiB)
    expectSameBytes(shared, seeded(128 * KiB, 12))
  })
})

describe('pumpToFile from a real socket', () => {
  let server: http.Server
  let base: string
  const bodies = [seeded(8 * MiB + 17, 13), seeded(3 * MiB + 1, 14)]

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const b = bodies[Number(req.url?.slice(1))]
      res.writeHead(200, { 'content-length': b.length })
      res.end(b)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  it('frees socket buffers without touching the next response on the kept-alive connection', async () => {
    // One connection: the second response follows the first on the same socket.
    const agent = new Agent({ connections: 1, pipelining: 1 })
    try {
      for (let round = 0; round < 2; round++) {
        for (const i of [0, 1]) {
          const res = await request(`${base}/${i}`, { dispatcher: agent })
          const hash = createHash('sha256')
          const { file, o } = sinkFor({
            onWritten: (chunks) => chunks.forEach((c) => hash.update(c)),
          })
          expect(await pumpToFile(res.body, o).done).toBe(bodies[i].length)
          fs.closeSync(o.fd)
          expect(hash.digest('hex')).toBe(sha256(bodies[i]))
          expectSameBytes(fs.readFileSync(file), bodies[i])
        }
      }
    } finally {
      await agent.close()
    }
  })
})
