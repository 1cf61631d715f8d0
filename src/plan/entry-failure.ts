/**
 * An entry that produced no download: a `paths` pattern or a File Spec entry that matched
 * nothing, a listing that failed, a listed name the runner's OS cannot create.
 */
export interface EntryFailure {
  /** The `paths` line, or the File Spec entry's 1-based position. */
  line: number
  /** What the entry selects, as written (display it through the redactor). */
  source: string
  message: string
  /** How messages name it when it is not a `paths` line, e.g. "spec entry 2". */
  label?: string
  /** Requests made for it when its listing failed after retries (the report says the count). */
  attempts?: number
}
