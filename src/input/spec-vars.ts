import { InputError } from '../common/errors.ts'

/**
 * Parses `spec-vars`: `key1=value1;key2=value2`, where `\;` is a literal `;` (as
 * `jf rt download --spec-vars` reads it). A value may contain `=`: only the first one splits.
 * @throws InputError naming the input and the part that is wrong
 */
export function parseSpecVars(text: string): Map<string, string> {
  const vars = new Map<string, string>()
  if (text.trim() === '') return vars
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\\' && text[i + 1] === ';') {
      current += ';'
      i++
    } else if (c === ';') {
      parts.push(current)
      current = ''
    } else current += c
  }
  parts.push(current)
  for (const part of parts) {
    if (part.trim() === '') continue
    const eq = part.indexOf('=')
    if (eq < 0) {
      throw new InputError(`Input 'spec-vars': '${part.trim()}' must be 'key=value'`)
    }
    const key = part.slice(0, eq).trim()
    if (key === '') throw new InputError(`Input 'spec-vars': '${part.trim()}' has an empty key`)
    vars.set(key, part.slice(eq + 1))
  }
  return vars
}

/**
 * Replaces every `${key}` in the spec text, in one pass (a value is never expanded again).
 * @throws InputError naming every `${key}` that has no value
 */
export function substituteSpecVars(text: string, vars: Map<string, string>): string {
  const missing = new Set<string>()
  const out = text.replace(/\$\{([^}]*)\}/g, (whole, key: string) => {
    const value = vars.get(key)
    if (value === undefined) {
      missing.add(key)
      return whole
    }
    return value
  })
  if (missing.size > 0) {
    const names = [...missing].map((k) => `'\${${k}}'`).join(', ')
    throw new InputError(
      `Input 'spec': ${names} ${missing.size === 1 ? 'has' : 'have'} no value; give ${missing.size === 1 ? 'it' : 'them'} in 'spec-vars' (key=value;key2=value2)`,
    )
  }
  return out
}
