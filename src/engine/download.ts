/** Digests known for a file, lowercase hex. */
export interface Checksums {
  sha256?: string
  sha1?: string
  md5?: string
}

/**
 * One file to download: where from, where to, and what is known of it in advance. The plan
 * builds it; the engine reads it and never changes it.
 */
export interface Download {
  /** What the user sees for this file: `repo/path`, or the URL (shown through the redactor). */
  source: string
  /** Absolute URL of the file. */
  url: string
  /** Absolute local path it ends up at. */
  dest: string
  /** Size in bytes when a listing told us. */
  size?: number
  /**
   * Checksums a listing told us. Without one, the response's headers (or Artifactory's record)
   * give the digest to verify with; this stays as it is.
   */
  checksums: Checksums
  /** The `paths` line it came from (for a File Spec entry: its 1-based position). */
  line: number
  /** How messages name where it came from when not a `paths` line, e.g. "spec entry 2". */
  label?: string
  /** Unpack it once in place (a File Spec entry's `explode`), as `extract: true` does for all. */
  extract?: boolean
}
