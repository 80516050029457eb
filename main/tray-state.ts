/** What the tray shows for the renderer's state, and whether closing the window hides it. */
import type { RendererReport } from '../preload/ipc-contract'

export type TrayStatus = 'connected' | 'in-call' | 'reconnecting' | 'offline'

export interface TrayPresentation {
  status: TrayStatus
  tooltip: string
}

export function trayPresentation(report: RendererReport | undefined): TrayPresentation {
  const shown = presentation(report)
  return report?.doNotDisturb
    ? { ...shown, tooltip: `${shown.tooltip} (do not disturb: calls are answered busy)` }
    : shown
}

function presentation(report: RendererReport | undefined): TrayPresentation {
  if (!report) return { status: 'offline', tooltip: 'Holdfast: not connected' }
  if (report.inCall && report.connection === 'connected')
    return { status: 'in-call', tooltip: 'Holdfast: in a call' }
  switch (report.connection) {
    case 'connected':
      return { status: 'connected', tooltip: 'Holdfast: connected' }
    case 'connecting':
    case 'reconnecting':
    case 'recovering':
      return {
        status: 'reconnecting',
        tooltip: report.inCall ? 'Holdfast: reconnecting your call…' : 'Holdfast: reconnecting…',
      }
    default:
      return { status: 'offline', tooltip: 'Holdfast: not connected' }
  }
}

/**
 * Where the tray icon is: shipped as an extra resource in an installed app (build/ is not
 * packaged), read from build/ in development.
 */
export function trayIconPath(isPackaged: boolean, resourcesPath: string, appPath: string): string {
  return isPackaged ? `${resourcesPath}/icon.png` : `${appPath}/build/icon.png`
}

/** Closing the window keeps the app in the tray while it holds a connection (unless quitting). */
export function shouldHideOnClose(options: {
  closeToTray: boolean
  quitting: boolean
  report: RendererReport | undefined
}): boolean {
  if (!options.closeToTray || options.quitting || !options.report) return false
  return ['connected', 'connecting', 'reconnecting', 'recovering'].includes(
    options.report.connection,
  )
}
