import { basicCredentials } from '../artifactory/auth.ts'
import { secretsInUrl } from '../common/url-credentials.ts'
import type { Settings } from '../input/settings.ts'

/** Registers every credential the inputs and the environment carry, before anything is logged. */
export function maskSecrets(settings: Settings, add: (secret: string) => void): void {
  const { auth } = settings
  if (auth.kind === 'bearer') add(auth.token)
  if (auth.kind === 'basic') {
    add(auth.password)
    add(basicCredentials(auth.username, auth.password))
  }
  for (const e of settings.entries) for (const s of secretsInUrl(e.source)) add(s)
  if (settings.url) for (const s of secretsInUrl(settings.url)) add(s)
  // The runner masks a multi-line secret line by line only if each line is registered.
  const key = settings.tls.key
  if (key) {
    add(key)
    for (const line of key.split(/\r?\n/))
      if (line.trim() && !line.startsWith('-----')) add(line.trim())
  }
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    const value = process.env[name]
    if (value)
      for (const s of secretsInUrl(value.includes('://') ? value : `http://${value}`)) add(s)
  }
}
