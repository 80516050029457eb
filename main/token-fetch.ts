/**
 * Main fetches the token service for the desktop app's page (issue 14): the page's CSP lets
 * it open WebSockets only, and a URL main fetches is checked here first. Only https (or http
 * to this computer), no credentials in the URL, no redirects, a bounded wait and body.
 */

/** The part of fetch main uses (Electron's net.fetch, or a stand-in in tests). */
export type FetchLike = (
  url: string,
  init: { redirect: 'error'; signal: AbortSignal; credentials: 'omit' },
) => Promise<{ status: number; text(): Promise<string> }>

/** Longest body read: a token is a few hundred characters. */
export const maxTokenBody = 8192

/** Why main will not fetch `url`, or undefined when it may. */
export function tokenUrlRefusal(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'not an absolute URL'
  }
  if (parsed.username !== '' || parsed.password !== '') return 'credentials in the URL'
  if (parsed.protocol === 'https:') return undefined
  const host = parsed.hostname.replace(/^\[|\]$/g, '')
  const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
  if (parsed.protocol === 'http:' && loopback) return undefined
  return 'only https:// (or http:// to this computer)'
}

/** Fetches the token service; throws with the reason when refused or failed. */
export async function fetchTokenText(
  url: string,
  fetchImpl: FetchLike,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  const refusal = tokenUrlRefusal(url)
  if (refusal) throw new Error(`the token service URL is refused: ${refusal}`)
  const response = await fetchImpl(url, {
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
    credentials: 'omit',
  })
  const body = await response.text()
  return { status: response.status, body: body.slice(0, maxTokenBody) }
}
