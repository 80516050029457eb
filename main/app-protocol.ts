/**
 * The desktop app's own origin (issue 12): the renderer is served from `app://holdfast/`, a
 * privileged custom scheme, instead of `file://`. Every `file://` page shares one origin, so a
 * page dropped on the window or opened from Downloads would have counted as the app; nothing
 * but this scheme's host does now. The request-to-file mapping is pure and unit-tested; the
 * Electron glue (registering the scheme, answering requests) is a few lines.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path'

export const appScheme = 'app'
export const appHost = 'holdfast'
/** The built app's origin, compared exactly everywhere (IPC, permissions, navigation). */
export const appOrigin = `${appScheme}://${appHost}`
/** The page the window loads. */
export const appEntryUrl = `${appOrigin}/index.html`

/**
 * How the scheme is registered before the app is ready: standard (a real origin, relative
 * URLs), secure (a secure context: getUserMedia works), fetch and CORS supported.
 */
export const appSchemePrivileges = {
  scheme: appScheme,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
} as const

/**
 * The file an `app://holdfast/...` request reads under `root`, or undefined for any other host,
 * a path that leaves `root` (`..`, encoded or not), or a URL that does not parse.
 */
export function resolveAppRequest(url: string, root: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.protocol !== `${appScheme}:` || parsed.host !== appHost) return undefined
  let path: string
  try {
    path = decodeURIComponent(parsed.pathname)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  const file = resolve(root, `.${path === '/' ? '/index.html' : path}`)
  const inside = relative(resolve(root), file)
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside))
    return undefined
  return file
}
