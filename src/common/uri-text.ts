/**
 * Percent-decoded text, or the text as it came when it is not valid percent-encoding (`100%`):
 * text from a user or a server must never end a run with `URI malformed`.
 */
export function decodedOrAsIs(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
