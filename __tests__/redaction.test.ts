// Secrets that come back from a server, through run(): echoed near the point where a message is
// cut, URL-encoded in a refused redirect's Location, JSON-escaped or URL-encoded in an error body,
// and as base64 of `user:password`. No part of any form may reach the log, the summary, an
// annotation or an output, and every form is given to the runner's masker.
import { describe, expect, it, vi } from 'vitest'
import * as core from '../__fixtures__/core.ts'
import { everyChannel, output, useAction } from '../__fixtures__/action-harness.ts'
import { startArtifactory, tlsFixtures, type ArtifactoryOptions } from '../server/index.ts'
import { Redactor, secretForms } from '../src/common/redact.ts'
import { serverText } from '../src/common/server-text.ts'
import { redactUrl } from '../src/common/url-credentials.ts'

vi.mock('@actions/core', () => core)
const { run } = await import('../src/main.ts')

const action = useAction('artdl-redaction-')

/** 64 characters, as a JFrog access token's tail might be. */
const TOKEN = 'tk' + 'A1b2C3d4E5f6G7h8'.repeat(3) + 'Zz09Yy87Xx65Ww'
/** A password whose URL-encoded and JSON-escaped forms differ from it. */
const PASSWORD = 'p@ss w/rd+"q"&=ü%!'
const USER = 'deployer'

/** Every piece of `secret` of `n` characters: none may appear anywhere. */
function pieces(secret: string, n = 10): string[] {
  return Array.from({ length: secret.length - n + 1 }, (_, i) => secret.slice(i, i + n))
}

function expectNoPartOf(secret: string, text: string): void {
  const leaked = pieces(secret).filter((p) => text.includes(p))
  expect(leaked, `parts of a secret in: ${text.slice(0, 2000)}`).toEqual([])
}

async function runAgainst(options: ArtifactoryOptions, inputs: Record<string, string>) {
  const server = await startArtifactory(options)
  try {
    action.inputs = { ...action.inputs, url: server.url, retries: '0', ...inputs }
    await run()
    return server
  } finally {
    await server.close()
  }
}

describe('a token echoed near the 300-character cut of an error message', () => {
  it.each([
    ['a JSON error body', 'json'],
    ['a text error body', 'text'],
  ])('leaves no part of it in %s', async (_, kind) => {
    // The echo starts at character 270: cut at 300 first, 30 of its 64 characters would be left.
    const message = `${'x'.repeat(262)} token: ${TOKEN} was not accepted by the realm`
    const body = kind === 'json' ? JSON.stringify({ errors: [{ status: 403, message }] }) : message
    await runAgainst(
      {
        files: { 'libs/a.bin': 'a' },
        auth: { token: TOKEN },
        faults: { 'libs/a.bin': [{ kind: 'status', status: 403, body }] },
      },
      { paths: 'libs/a.bin', 'access-token': TOKEN },
    )
    expect(core.setFailed).toHaveBeenCalled()
    const all = everyChannel()
    expect(all).toContain('HTTP 403 Forbidden')
    expect(all).toContain('token: ***')
    expectNoPartOf(TOKEN, all)
    expectNoPartOf(TOKEN, output('errors') ?? '')
  })
})

describe('a password echoed in other forms', () => {
  const encoded = encodeURIComponent(PASSWORD)
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64')

  it('is redacted from a refused redirect’s Location and the error body, in every channel', async () => {
    const escaped = JSON.stringify(PASSWORD).slice(1, -1)
    await runAgainst(
      {
        tls: true,
        files: { 'libs/a.bin': 'a', 'libs/b.bin': 'b' },
        auth: { username: USER, password: PASSWORD },
        faults: {
          // A downgrade to http is refused, and the refusal names the target.
          'libs/a.bin': [
            { kind: 'redirect', location: `http://storage.test/a.bin?user=${USER}&p=${encoded}` },
          ],
          'libs/b.bin': [
            {
              kind: 'status',
              status: 401,
              body: JSON.stringify({
                errors: [
                  {
                    status: 401,
                    message: `Bad credentials for ${USER} with ${encoded}, "${escaped}" and Basic ${basic}`,
                  },
                ],
              }),
            },
          ],
        },
      },
      {
        paths: 'libs/a.bin\nlibs/b.bin',
        username: USER,
        password: PASSWORD,
        'ca-certificates': tlsFixtures.ca,
      },
    )
    const all = everyChannel()
    expect(all).toContain(
      'refused a redirect from https to http (http://storage.test/a.bin?user=deployer&p=***)',
    )
    expect(all).toContain('Bad credentials for deployer with ***')
    const errors = output('errors') ?? ''
    expect(errors).toContain('refused a redirect from https to http')
    for (const form of [PASSWORD, encoded, escaped, basic]) {
      expectNoPartOf(form, all)
      expectNoPartOf(form, errors)
      expectNoPartOf(form, core.summary.text)
    }
    // The runner's masker is given each form, so its own log masking finds them too.
    const masked = core.setSecret.mock.calls.map((c) => c[0])
    expect(masked).toEqual(expect.arrayContaining([PASSWORD, encoded, escaped, basic]))
  })
})

describe('redaction of URLs and forms', () => {
  it.each([
    'password',
    'pass',
    'pwd',
    'token',
    'access_token',
    'api_key',
    'apikey',
    'sig',
    'signature',
    'X-Amz-Signature',
    'X-Goog-Signature',
    'X-Amz-Credential',
  ])('replaces the value of the query parameter %s in any URL shown', (name) => {
    const text = `GET https://h.test/a.bin?x=1&${name}=s3cr3t-v4lue&y=2 failed`
    expect(new Redactor().redact(text)).toBe(`GET https://h.test/a.bin?x=1&${name}=***&y=2 failed`)
  })

  it('removes user info from URLs anywhere in a text, with or without a password', () => {
    expect(redactUrl('see https://user:pa55@h.test/x and http://tok3n@h.test/y')).toBe(
      'see https://***@h.test/x and http://***@h.test/y',
    )
  })

  it('finds a secret as given, URL-encoded, form-encoded and JSON-escaped', () => {
    const r = new Redactor()
    const forms = r.add('a b/c"d')
    expect(forms).toEqual(
      expect.arrayContaining(['a b/c"d', 'a%20b%2Fc%22d', 'a+b%2Fc%22d', 'a b/c\\"d']),
    )
    expect(secretForms('ab')).toEqual([])
    for (const form of forms) expect(r.redact(`[${form}]`)).toBe('[***]')
    r.addBasic('u', 'a b/c"d')
    expect(r.redact(Buffer.from('u:a b/c"d').toString('base64'))).toBe('***')
  })

  it('belongs to one run: a secret one redactor learned is not removed by another', () => {
    const first = new Redactor()
    first.add('first-run-token')
    expect(first.redact('got first-run-token')).toBe('got ***')
    expect(new Redactor().redact('got first-run-token')).toBe('got first-run-token')
  })

  it('removes the start of a secret that server text was cut in, and nothing after the cut', () => {
    const r = new Redactor()
    const secret = 'tok-0123456789abcdef'
    r.add(secret)
    // Cut by the server-text bound right inside the secret: only its first 9 characters are left.
    const cut = serverText(`${'x'.repeat(40)} ${secret} tail`, 50)
    expect(cut).toBe(`${'x'.repeat(40)} tok-0123…`)
    const shown = r.redact(cut)
    expect(shown).toBe(`${'x'.repeat(40)} ***…`)
    for (let n = 1; n < secret.length; n++) {
      const partial = serverText(`${'y'.repeat(10)}${secret}`, 10 + n + 1)
      expect(r.redact(partial), `cut after ${n} characters`).toBe(`${'y'.repeat(10)}***…`)
    }
  })

  it('finds a secret as server text shows it: control characters escaped, :: broken', () => {
    const r = new Redactor()
    const secret = 'pa::ss\u0007w0rd'
    r.add(secret)
    const shown = r.redact(serverText(`denied: ${secret} is wrong`))
    expect(shown).toBe('denied: *** is wrong')
  })
})
