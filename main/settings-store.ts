/** Desktop settings and window bounds kept by main, with their schema and defaults. */
import type { DesktopSettings } from '../preload/ipc-contract'

export interface WindowBounds {
  x: number
  y: number
  width: number
  height: number
}

export interface SettingsFile {
  settings: DesktopSettings
  windowBounds?: WindowBounds
  secrets: Record<string, string>
}

export const defaultSettings: DesktopSettings = {
  updateChannel: 'latest',
  startAtLogin: false,
  closeToTray: true,
}

export const settingsStoreOptions = {
  configName: 'holdfast-settings',
  clearInvalidConfig: true,
  defaults: { settings: defaultSettings, secrets: {} },
  schema: {
    settings: {
      type: 'object',
      properties: {
        updateChannel: { enum: ['latest', 'beta', 'alpha'] },
        startAtLogin: { type: 'boolean' },
        closeToTray: { type: 'boolean' },
      },
    },
    windowBounds: {
      type: 'object',
      required: ['x', 'y', 'width', 'height'],
      properties: {
        x: { type: 'integer' },
        y: { type: 'integer' },
        width: { type: 'integer', minimum: 200 },
        height: { type: 'integer', minimum: 200 },
      },
    },
    secrets: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const

/** Saved bounds are used only if they still overlap a display enough to grab the window. */
export function restoreBounds(
  saved: WindowBounds | undefined,
  displays: readonly WindowBounds[],
): WindowBounds | undefined {
  if (!saved) return undefined
  const visible = displays.some((d) => {
    const w = Math.min(saved.x + saved.width, d.x + d.width) - Math.max(saved.x, d.x)
    const h = Math.min(saved.y + saved.height, d.y + d.height) - Math.max(saved.y, d.y)
    return w >= 100 && h >= 50
  })
  return visible ? saved : undefined
}
