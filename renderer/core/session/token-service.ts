/**
 * Tokens from the deployment's token service (issue 14): Janus answers 403 once a token
 * expires, and the session asks this provider for a new one, then sends the refused request
 * again. The service answers a GET with the token, as `{"token": "..."}` or as plain text.
 * Fetching is injected, so the core runs anywhere; the web host uses `fetch`, the desktop host
 * asks main.
 */
import type { Clock } from '../clock'
import type { FetchText, TokenProvider } from '../host'

/** What a fetch of the token URL gave: its HTTP status and body. */
export type TokenResponse = Awaited<ReturnType<FetchText>>

export interface TokenServiceDeps {
  url: string
  fetch: FetchText
  clock: Clock
  /** How long a fetch may take before it counts as failed. */
  timeoutMs?: number
  /** Told why a fetch gave no token (shown in diagnostics, never the token itself). */
  onFailure?: (why: string) => void
}

/** Longest token accepted: Janus's signed tokens are a few hundred characters. */
export const maxTokenLength = 4096

/** The token in a service's answer, or why there is none. */
export function readTokenResponse(response: TokenResponse): { token: string } | { why: string } {
  if (response.status < 200 || response.status > 299)
    return { why: `the token service answered ${response.status}` }
  let token: unknown = response.body.trim()
  if (typeof token === 'string' && token.startsWith('{')) {
    try {
      token = (JSON.parse(token) as { token?: unknown }).token
    } catch {
      return { why: 'the token service answered with broken JSON' }
    }
  }
  if (typeof token !== 'string' || token === '') return { why: 'the token service sent no token' }
  // Whitespace or control characters mean a page (a login form, an error), not a token.
  if (token.length > maxTokenLength || /\s/.test(token) || [...token].some((c) => c < ' '))
    return { why: 'the token service sent something that is not a token' }
  return { token }
}

/** A TokenProvider that fetches from the token service, one fetch at a time, bounded in time. */
export function tokenServiceProvider(deps: TokenServiceDeps): TokenProvider {
  const timeoutMs = deps.timeoutMs ?? 5000
  return {
    refreshToken: () =>
      new Promise<string | undefined>((resolve) => {
        const timer = deps.clock.setTimeout(() => {
          deps.onFailure?.(`the token service did not answer within ${timeoutMs} ms`)
          resolve(undefined)
        }, timeoutMs)
        deps.fetch(deps.url).then(
          (response) => {
            deps.clock.clearTimeout(timer)
            const read = readTokenResponse(response)
            if ('why' in read) deps.onFailure?.(read.why)
            resolve('token' in read ? read.token : undefined)
          },
          (error: unknown) => {
            deps.clock.clearTimeout(timer)
            deps.onFailure?.(
              `the token service could not be reached (${error instanceof Error ? error.message : String(error)})`,
            )
            resolve(undefined)
          },
        )
      }),
  }
}
