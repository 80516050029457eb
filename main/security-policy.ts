/**
 * Electron's security checklist as pure decisions: what the window may navigate to, which
 * links leave for the system browser, which permissions are granted, and the CSP.
 */
import { originOf } from './ipc-guard'

/**
 * The Content-Security-Policy of the app's pages: main sends it as a header, and the renderer
 * build writes it into index.html as a meta tag (for the web build), both from this list.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * The policy as a meta tag may carry it: browsers ignore `frame-ancestors` there (and log an
 * error for it), so it is left to the header.
 */
export const metaContentSecurityPolicy = contentSecurityPolicy
  .split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ')

/** The window may only ever show the app itself. */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin
}

/** Hosts whose https links may open in the system browser. */
export const externalLinkAllowlist = ['janus.conf.meetecho.com', 'github.com']

/** An external link opens in the system browser only if it is https to an allowlisted host. */
export function isAllowedExternalLink(
  url: string,
  allowlist: readonly string[] = externalLinkAllowlist,
): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' && allowlist.includes(parsed.hostname)
  } catch {
    return false
  }
}

/** Details Electron gives a permission request, reduced to what the policy reads. */
export interface PermissionAsk {
  permission: string
  requestingUrl: string
  isMainFrame: boolean
  mediaTypes?: readonly string[]
}

/** Media (audio and video only) for the app's own main frame; everything else is denied. */
export function isPermissionGranted(ask: PermissionAsk, appOrigin: string): boolean {
  if (ask.permission !== 'media' || !ask.isMainFrame) return false
  if (originOf(ask.requestingUrl) !== appOrigin) return false
  return (ask.mediaTypes ?? []).every((type) => type === 'audio' || type === 'video')
}
