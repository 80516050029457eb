/** Janus HMAC-signed tokens: "<expiry>,janus,<plugins>:<base64 HMAC-SHA1>". */
import { createHmac } from 'node:crypto'

/** A token valid until `expiresAt` (epoch seconds) for the given plugins. */
export function signToken(secret: string, expiresAt: number, plugins: string[]): string {
  const data = [String(expiresAt), 'janus', plugins.join(',')].join(',')
  const signature = createHmac('sha1', secret).update(data).digest('base64')
  return `${data}:${signature}`
}
