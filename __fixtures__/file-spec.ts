// File Specs as the tests write them, and what parsing one gives or refuses.
import { expect } from 'vitest'
import { parseFileSpec, type SpecEntry } from '../src/input/file-spec.ts'
import { InputError } from '../src/input/settings.ts'

/** The text of a File Spec holding `files`, as the `spec` input takes it. */
export const spec = (...files: unknown[]): string => JSON.stringify({ files })

/** The one entry a spec of `entry` parses into. */
export const specEntry = (entry: Record<string, unknown>): SpecEntry =>
  parseFileSpec(spec(entry))[0]

/** The message an input error gives for spec `text`; fails the test if the spec is accepted. */
export function specRefusal(text: string): string {
  try {
    parseFileSpec(text)
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return (err as Error).message
  }
  throw new Error('accepted')
}
