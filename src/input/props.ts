/** One `key=value` pair of `props` or `excludeProps`; `*` in the value is a wildcard. */
export interface PropPair {
  key: string
  value: string
  /** The value has a `*` or `?`: matched as a pattern (AQL `$match`). */
  wildcard: boolean
}

/**
 * Parses `key=v1,v2;key2=v3` into pairs: `key=v1,v2` is two pairs that must both be present,
 * as the JFrog CLI reads it. `\` escapes `,` `;` `=` (and itself).
 * @returns the pairs, or a string saying what is wrong
 */
export function parseProps(text: string): PropPair[] | string {
  const pairs: PropPair[] = []
  for (const group of splitUnescaped(text, ';')) {
    if (group.trim() === '') continue
    const [rawKey, ...rest] = splitUnescaped(group, '=', 2)
    if (rest.length === 0) return `'${unescape(group)}' must be 'key=value'`
    const key = unescape(rawKey).trim()
    if (key === '') return `'${unescape(group)}' has an empty key`
    for (const rawValue of splitUnescaped(rest[0], ',')) {
      const value = unescape(rawValue)
      pairs.push({ key, value, wildcard: /[*?]/.test(rawValue) })
    }
  }
  if (pairs.length === 0) return 'is empty'
  return pairs
}

/** Splits at `sep` where it is not escaped with `\`; escapes stay in the parts. */
function splitUnescaped(text: string, sep: string, max = Infinity): string[] {
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1]
      i++
    } else if (c === sep && parts.length < max - 1) {
      parts.push(current)
      current = ''
    } else current += c
  }
  parts.push(current)
  return parts
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1')
}
