/** Who may talk to main: only the app's own page, in its main frame. Pure, so it is unit-tested. */

/** The origin of the app's pages: the dev server's, or file:// for the built app. */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'file:' ? 'file://' : parsed.origin
  } catch {
    return undefined
  }
}

/** True when a message comes from the app's origin and from the main frame. */
export function isTrustedSender(
  frameUrl: string | undefined,
  isMainFrame: boolean,
  appOrigin: string,
): boolean {
  if (!frameUrl || !isMainFrame) return false
  return originOf(frameUrl) === appOrigin
}
