/** Where an Electron binary is, without importing `electron` (which would try to download one). */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export function electronBinary(): string | undefined {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  if (override)
    return existsSync(join(override, 'electron')) ? join(override, 'electron') : undefined
  const dist = join('node_modules', 'electron', 'dist', 'electron')
  return existsSync(dist) ? dist : undefined
}

export const noElectronReason =
  'no Electron binary on this machine (Electron 45 downloads it on first run and this network cannot reach the download); set ELECTRON_OVERRIDE_DIST_PATH to an Electron 45 folder to run this suite'
