// Deterministic sample content: the demo's repository, and fast bulk data for benchmarks.

/** `size` bytes of xorshift noise from `seed`: incompressible, reproducible, ~1 GiB/s to make. */
export function noise(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size)
  let x = (seed * 2654435761) >>> 0 || 1
  const words = Math.floor(size / 4)
  for (let i = 0; i < words; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out.writeUInt32LE(x >>> 0, i * 4)
  }
  for (let i = words * 4; i < size; i++) out[i] = i & 0xff
  return out
}

/**
 * The demo repository: ~120 files in `libs-release` (jars, poms, text across versions), a
 * few larger files, and `generic-local/docs/readme.txt`.
 */
export function sampleFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  let seed = 1
  for (let minor = 0; minor < 6; minor++) {
    for (let patch = 0; patch < 4; patch++) {
      const v = `1.${minor + 2}.${patch}`
      const dir = `libs-release/com/acme/app/${v}`
      files.set(`${dir}/app-${v}.jar`, noise(32 * 1024 + seed * 97, seed++))
      files.set(
        `${dir}/app-${v}.pom`,
        Buffer.from(`<project><artifactId>app</artifactId><version>${v}</version></project>\n`),
      )
      files.set(`${dir}/app-${v}-sources.jar`, noise(16 * 1024 + seed * 31, seed++))
    }
  }
  for (const lib of ['core', 'net', 'io', 'json', 'log', 'cli', 'db', 'auth']) {
    for (let i = 0; i < 6; i++) {
      const v = `2.${i}.0`
      const dir = `libs-release/com/acme/${lib}/${v}`
      files.set(`${dir}/${lib}-${v}.jar`, noise(8 * 1024 + seed * 13, seed++))
    }
  }
  files.set('libs-release/com/acme/tools/toolkit-2.0.tar.gz', noise(6 * 1024 * 1024, seed++))
  files.set('libs-release/com/acme/tools/dataset-2.0.bin', noise(12 * 1024 * 1024, seed))
  files.set(
    'generic-local/docs/readme.txt',
    Buffer.from('Sample files of the local Artifactory-compatible server.\n'),
  )
  return files
}
