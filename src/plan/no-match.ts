// An entry that selected nothing: a pattern that matched no file, a build, repository or
// folder that does not exist. `if-no-files-found` decides whether that fails the entry.
import { PlanError } from '../common/errors.ts'

export type { IfNoFilesFound } from '../input/cli-inputs.ts'

/** An entry selected nothing; with `if-no-files-found: warn` or `ignore` that is no failure. */
export class NoMatchError extends PlanError {
  override name = 'NoMatchError'
}
