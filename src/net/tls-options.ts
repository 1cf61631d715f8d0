// The TLS inputs: `ca-certificates`, `client-certificate` and `client-key`, each PEM text or a
// file under the workspace, checked before any request, and turned into the options every
// connection uses (direct, through a proxy, and to an HTTPS proxy itself).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import * as tls from 'node:tls'
import { InputError } from '../common/errors.ts'

/** The validated TLS inputs, as PEM text. */
export interface TlsSettings {
  /** Extra CA certificates to trust, one PEM block each. */
  ca?: string[]
  /** Client certificate (with its chain, if given) for mutual TLS. */
  cert?: string
  /** The client certificate's private key: a secret, masked in the log. */
  key?: string
}

/** What connections pass to `tls.connect`. */
export interface TlsConnectOptions {
  ca?: string[]
  cert?: string
  key?: string
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g

/**
 * Reads and checks the TLS inputs.
 * @param read reads an input by name ('' when unset)
 * @param workspace the directory relative paths resolve against (GITHUB_WORKSPACE)
 * @throws InputError naming the input: a file missing, a PEM that does not parse, a key without
 *   a certificate (or the reverse), a key that does not belong to the certificate
 */
export function readTlsSettings(read: (name: string) => string, workspace: string): TlsSettings {
  const settings: TlsSettings = {}
  const caText = pemInput(read, 'ca-certificates', workspace)
  if (caText !== undefined) settings.ca = certificates('ca-certificates', caText)
  const certText = pemInput(read, 'client-certificate', workspace)
  const keyText = pemInput(read, 'client-key', workspace)
  if (certText !== undefined && keyText === undefined)
    throw new InputError("Input 'client-certificate' needs 'client-key' as well")
  if (keyText !== undefined && certText === undefined)
    throw new InputError("Input 'client-key' needs 'client-certificate' as well")
  if (certText !== undefined && keyText !== undefined) {
    const chain = certificates('client-certificate', certText)
    const key = privateKey(keyText)
    const leaf = new X509Certificate(chain[0])
    if (!leaf.checkPrivateKey(key))
      throw new InputError(
        "Input 'client-key' is not the key of 'client-certificate' (the first certificate in it)",
      )
    if (Date.parse(leaf.validTo) < Date.now())
      throw new InputError(
        `Input 'client-certificate' expired on ${leaf.validTo} (${leaf.subject.replace(/\n/g, ', ')})`,
      )
    settings.cert = chain.join('\n')
    settings.key = keyText
  }
  return settings
}

/**
 * The options for `tls.connect`. `ca` replaces Node's default store, so the extra certificates
 * are added to the default ones (Mozilla's roots, NODE_EXTRA_CA_CERTS, and the system's when Node
 * runs with --use-system-ca), never put in their place. Without extra CAs Node's default applies.
 */
export function tlsConnectOptions(settings: TlsSettings | undefined): TlsConnectOptions {
  const options: TlsConnectOptions = {}
  if (settings?.ca?.length) options.ca = [...defaultCertificates(), ...settings.ca]
  if (settings?.cert && settings.key) {
    options.cert = settings.cert
    options.key = settings.key
  }
  return options
}

/** What Node trusts by default, NODE_EXTRA_CA_CERTS included. */
function defaultCertificates(): string[] {
  return tls.getCACertificates('default')
}

/** An input's PEM text: the value itself when it is PEM, else the file it names. */
function pemInput(
  read: (name: string) => string,
  name: string,
  workspace: string,
): string | undefined {
  const value = read(name)
  if (value === '') return undefined
  if (value.startsWith('-----BEGIN')) return value
  // A key's value is never repeated: it may be the key itself in another encoding.
  const shown = name === 'client-key' ? '' : ` '${value}'`
  if (/[\r\n]/.test(value) || value.length > 4096)
    throw new InputError(
      `Input '${name}' must be PEM text (starting with -----BEGIN) or the path of a PEM file`,
    )
  const file = path.resolve(workspace, value)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as { code?: string }).code
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder'
          : `cannot be read (${code})`
    throw new InputError(
      `Input '${name}': the file${shown}${name === 'client-key' ? '' : ` (${file})`} ${why}; give PEM text (starting with -----BEGIN) or a path relative to the workspace`,
    )
  }
  if (!text.includes('-----BEGIN'))
    throw new InputError(`Input '${name}': the file${shown} holds no PEM block (-----BEGIN ...)`)
  return text
}

/** Every certificate in PEM text, each parsed; anything else in it is an error. */
function certificates(name: string, text: string): string[] {
  const blocks = text.match(BLOCK) ?? []
  const certs: string[] = []
  for (const block of blocks) {
    const kind = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(block)?.[1]
    if (kind !== 'CERTIFICATE')
      throw new InputError(
        `Input '${name}' holds a ${kind} block: give only certificates (-----BEGIN CERTIFICATE-----)`,
      )
    try {
      new X509Certificate(block)
    } catch {
      throw new InputError(
        `Input '${name}': certificate ${certs.length + 1} is not a valid PEM certificate`,
      )
    }
    certs.push(block)
  }
  if (certs.length === 0)
    throw new InputError(
      `Input '${name}' holds no complete PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)`,
    )
  return certs
}

/** The private key of `client-key`; its text is never part of a message. */
function privateKey(text: string): KeyObject {
  try {
    return createPrivateKey(text)
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ERR_MISSING_PASSPHRASE')
      throw new InputError(
        "Input 'client-key' is encrypted: give the key without a passphrase (for example from a secret)",
      )
    throw new InputError("Input 'client-key' is not a valid PEM private key")
  }
}
