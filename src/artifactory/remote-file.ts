// The shapes in which Artifactory's answers reach the plan: a file a listing or search reported,
// and a folder to list. The plan builds on them; this layer never imports the plan.

/** A file a listing reported, with what it said about it. */
export interface ListedFile {
  /** `repo/path/to/file` */
  path: string
  size?: number
  /** Lowercase hex: the listing code keeps only well-formed digests (`toDigest`). */
  sha256?: string
  sha1?: string
}

/** The part of a pattern that can be listed: the repository and the longest folder without wildcards. */
export interface PatternPrefix {
  repo: string
  /** Folder inside the repository, '' for its root; no leading or trailing slash. */
  folder: string
}

/** What an AQL search needs of a File Spec pattern (plan/spec-pattern.ts compiles one). */
export interface PatternQuery {
  /** The repository as written (a wildcard only in specs that select by other criteria). */
  repo: string
  repoWildcard: boolean
  /** The pattern below the repository without the grouping parentheses. */
  below: string
  recursive: boolean
}
