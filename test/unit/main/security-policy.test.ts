import { describe, expect, it } from 'vitest'
import {
  contentSecurityPolicy,
  metaContentSecurityPolicy,
  isAllowedExternalLink,
  isAllowedNavigation,
  isPermissionGranted,
} from '../../../main/security-policy'
import { contentSecurityPolicyMeta } from '../../../electron.vite.config'

const app = 'app://holdfast'
const page = 'app://holdfast/index.html'

describe('security policy', () => {
  it('navigation stays on the app', () => {
    expect(isAllowedNavigation(page, app)).toBe(true)
    expect(isAllowedNavigation('https://example.com/', app)).toBe(false)
    expect(isAllowedNavigation('javascript:alert(1)', app)).toBe(false)
  })

  it('only allowlisted https links open in the system browser', () => {
    expect(isAllowedExternalLink('https://janus.conf.meetecho.com/docs/')).toBe(true)
    expect(isAllowedExternalLink('http://janus.conf.meetecho.com/')).toBe(false)
    expect(isAllowedExternalLink('https://evil.example/')).toBe(false)
    expect(isAllowedExternalLink('file:///etc/passwd')).toBe(false)
    expect(isAllowedExternalLink('not a url')).toBe(false)
  })

  it('grants audio/video media to the app main frame only, and nothing else', () => {
    const ask = {
      permission: 'media',
      requestingUrl: page,
      isMainFrame: true,
      mediaTypes: ['audio', 'video'],
    }
    expect(isPermissionGranted(ask, app)).toBe(true)
    expect(isPermissionGranted({ ...ask, requestingUrl: 'https://evil.example/' }, app)).toBe(false)
    expect(isPermissionGranted({ ...ask, isMainFrame: false }, app)).toBe(false)
    expect(isPermissionGranted({ ...ask, mediaTypes: ['video', 'screen'] }, app)).toBe(false)
    for (const permission of [
      'geolocation',
      'notifications',
      'clipboard-read',
      'display-capture',
      'openExternal',
    ]) {
      expect(isPermissionGranted({ ...ask, permission }, app)).toBe(false)
    }
  })

  it('the CSP allows only the app, WebSockets and media streams', () => {
    expect(contentSecurityPolicy).toContain("script-src 'self'")
    expect(contentSecurityPolicy).toContain("object-src 'none'")
    expect(contentSecurityPolicy).toContain('connect-src')
    expect(contentSecurityPolicy).not.toContain('unsafe-eval')
  })

  it('the meta-tag CSP is the same policy without what a meta tag cannot carry', () => {
    expect(metaContentSecurityPolicy).not.toContain('frame-ancestors')
    expect(contentSecurityPolicy).toContain("frame-ancestors 'none'")
    expect(`${metaContentSecurityPolicy}; frame-ancestors 'none'`).toBe(contentSecurityPolicy)
  })

  it('the renderer build writes that policy into the page', () => {
    const plugin = contentSecurityPolicyMeta()
    const tags = (plugin.transformIndexHtml as () => unknown)()
    expect(tags).toEqual([
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy },
        injectTo: 'head-prepend',
      },
    ])
  })
})
