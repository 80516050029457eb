/**
 * What any web contents of the app may do (issue 12), applied to every one Electron creates
 * (`web-contents-created`), the main window's included: no webviews, no navigation of the page
 * or of any frame away from the app's origin (a dropped file included), no new windows
 * (allowlisted https links go to the system browser instead).
 */
import { isAllowedExternalLink, isAllowedNavigation } from './security-policy'

/** The parts of Electron's WebContents the policy uses. */
export interface ContentsLike {
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): unknown
  on(
    event: 'will-frame-navigate',
    listener: (event: { preventDefault(): void; url: string }) => void,
  ): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
}

export interface ContentsPolicyDeps {
  appOrigin: () => string
  openExternal: (url: string) => void
  warn: (message: string) => void
}

const hardened = new WeakSet<object>()

/** Installs the policy on `contents` (once, however often it is asked). */
export function hardenContents(contents: ContentsLike, deps: ContentsPolicyDeps): void {
  if (hardened.has(contents)) return
  hardened.add(contents)
  const refuse = (event: { preventDefault(): void }, url: string, what: string): void => {
    if (isAllowedNavigation(url, deps.appOrigin())) return
    event.preventDefault()
    deps.warn(`contents: blocked ${what} to ${url}`)
  }
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    deps.warn('contents: blocked a webview')
  })
  contents.on('will-navigate', (event, url) => refuse(event, url, 'navigation'))
  contents.on('will-redirect', (event, url) => refuse(event, url, 'redirect'))
  contents.on('will-frame-navigate', (event) => refuse(event, event.url, 'frame navigation'))
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url)) deps.openExternal(url)
    else deps.warn(`contents: blocked window.open(${url})`)
    return { action: 'deny' }
  })
}
