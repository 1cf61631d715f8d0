/** A digest as lowercase hex when it is `length` hex digits, else undefined (never trusted blindly). */
export function toDigest(value: unknown, length: number): string | undefined {
  return typeof value === 'string' && value.length === length && /^[0-9a-fA-F]+$/.test(value)
    ? value.toLowerCase()
    : undefined
}
