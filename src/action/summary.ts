import * as core from '@actions/core'
import { messageOf } from '../common/errors.ts'

/** Writes the job summary; a failure to write it is a warning, never the step's failure. */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(markdown, true).write()
  } catch (error) {
    core.warning(`Could not write the job summary: ${messageOf(error)}`)
  }
}
