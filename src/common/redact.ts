// The one place that removes a run's secrets from text. Every text the action shows passes here
// as the last step before it is logged, summarised, annotated or set as an output. A secret is
// found in every form a server gives it back in: as given, URL-encoded, JSON-escaped, and (for a
// password) as base64 of `user:password`; and any URL shown loses its `user:password@` and the
// values of query parameters named like credentials (see url-credentials.ts).
import { SERVER_TEXT_CUT, serverText } from './server-text.ts'
import { MIN_SECRET, REDACTED, redactUrl } from './url-credentials.ts'

/**
 * The forms in which a server may give a secret back: as given, URL-encoded (as a path or query
 * would carry it, and as a form with `+` for blanks), and JSON-escaped (a message quoting it).
 */
export function secretForms(secret: string): string[] {
  const forms = [secret]
  try {
    const encoded = encodeURIComponent(secret)
    forms.push(encoded, encoded.replace(/%20/g, '+'), encodeURI(secret))
  } catch {
    // A lone surrogate cannot be URL-encoded, so no server can send it back so either.
  }
  const json = JSON.stringify(secret).slice(1, -1)
  forms.push(json, json.replace(/\//g, '\\/'))
  return [...new Set(forms)].filter((f) => f.length >= MIN_SECRET)
}

/** Makes any text safe to show: every registered secret and URL credential removed. */
export type Redact = (text: string) => string

/**
 * Removes known secrets, in every form of {@link secretForms}, and URL credentials from any text
 * that may reach a log, an annotation, the summary or an output: server error bodies sometimes
 * echo tokens. One redactor per run, held by the layer that talks to the runner: the layers
 * below never see a secret's list, they only make server text safe to show ({@link serverText}).
 * So that redaction can come last, the redactor also finds a secret as that folding leaves it:
 * escaped and with command prefixes broken, or cut off by the length bound (a prefix of it
 * right before the cut mark).
 */
export class Redactor {
  private forms: string[] = []

  /** Remembers a secret (all its forms); returns the forms that were new, for the runner's masker. */
  add(secret: string | undefined): string[] {
    if (!secret || secret.length < MIN_SECRET) return []
    const given = secretForms(secret)
    // As server text shows it: a secret with a control character or `::` is escaped or broken.
    const forms = [...given, ...given.map((f) => serverText(f, Infinity))]
    const added = [...new Set(forms)].filter((f) => !this.forms.includes(f))
    if (!added.length) return []
    this.forms.push(...added)
    // Longest first, so a secret that contains another is removed whole.
    this.forms.sort((a, b) => b.length - a.length)
    return added
  }

  /** Remembers a user and password as a Basic credential sends them: base64 of `user:password`. */
  addBasic(username: string, password: string): string[] {
    return this.add(Buffer.from(`${username}:${password}`).toString('base64'))
  }

  /** `text` without any registered secret or URL credential (bound: pass it as a {@link Redact}). */
  readonly redact: Redact = (text) => {
    let out = redactUrl(text)
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED)
    return out.includes(SERVER_TEXT_CUT) ? this.redactCutSecrets(out) : out
  }

  /**
   * Server text cut at its length bound ends in the cut mark: a secret cut there left only its
   * start, which no whole form matches. Any start of a form right before a cut mark goes, even
   * one character: a cut text may lose a letter that was not a secret, never show part of one.
   */
  private redactCutSecrets(text: string): string {
    const pieces = text.split(SERVER_TEXT_CUT)
    for (let i = 0; i < pieces.length - 1; i++) {
      const cut = this.longestFormStartAtEnd(pieces[i])
      if (cut) pieces[i] = `${pieces[i].slice(0, -cut)}${REDACTED}`
    }
    return pieces.join(SERVER_TEXT_CUT)
  }

  /** The length of the longest start of a registered form that `text` ends with, or 0. */
  private longestFormStartAtEnd(text: string): number {
    let longest = 0
    for (const form of this.forms) {
      for (let k = Math.min(form.length - 1, text.length); k > longest; k--) {
        if (text.endsWith(form.slice(0, k))) {
          longest = k
          break
        }
      }
    }
    return longest
  }
}
