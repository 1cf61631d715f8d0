import * as fs from 'node:fs'
import * as path from 'node:path'
import { InputError } from '../common/errors.ts'
import { parseFileSpec, type SpecEntry } from './file-spec.ts'
import { parseSpecVars, substituteSpecVars } from './spec-vars.ts'

/**
 * The `spec` and `spec-vars` inputs: the spec's text (a file relative to the workspace, or
 * JSON when the value starts with `{`), its `${key}`s replaced, parsed and validated.
 * @returns undefined when `spec` is not given
 * @throws InputError naming the input and what is wrong
 */
export function readSpec(
  value: string,
  varsText: string,
  workspace: string,
  url: string | undefined,
): SpecEntry[] | undefined {
  if (value.trim() === '') {
    if (varsText.trim() !== '') throw new InputError("Input 'spec-vars' needs 'spec'")
    return undefined
  }
  let text: string
  if (value.trimStart().startsWith('{')) text = value
  else {
    const file = path.resolve(workspace, value.trim())
    try {
      text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      throw new InputError(
        `Input 'spec': cannot read '${value.trim()}' (${file}): ${code === 'ENOENT' ? 'no such file' : (code ?? String(err))}`,
      )
    }
  }
  const entries = parseFileSpec(substituteSpecVars(text, parseSpecVars(varsText)))
  if (!url) {
    throw new InputError(
      "Input 'spec' needs input 'url': spec patterns are relative to the Artifactory URL",
    )
  }
  return entries
}
