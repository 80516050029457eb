/**
 * `npm start`: the desktop app in development (electron-vite dev), against the local Janus
 * unless HOLDFAST_SERVER_URL names another server. Where no Electron binary can be had, it
 * says so and points at `npm run web`.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startDevJanus } from './dev-janus'

/**
 * Where the Electron binary is, without importing `electron` (Electron 45 downloads its
 * binary on first import, which fails here and prints a long trace).
 */
export function electronBinary(): string | undefined {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  if (override)
    return existsSync(join(override, 'electron')) ? join(override, 'electron') : undefined
  const dist = join('node_modules', 'electron', 'dist', 'electron')
  return existsSync(dist) ? dist : undefined
}

if (!electronBinary()) {
  console.error(
    'No Electron binary is available on this machine (it is downloaded on first run and this network cannot reach the download).\n' +
      'Set ELECTRON_OVERRIDE_DIST_PATH to an Electron 45 folder, or run the same app as a web page with `npm run web`.',
  )
  process.exit(1)
}

const env = { ...process.env }
let stopJanus: (() => Promise<void>) | undefined
if (!env.HOLDFAST_SERVER_URL) {
  const janus = await startDevJanus()
  env.HOLDFAST_SERVER_URL = janus.url
  stopJanus = janus.stop
  console.log(`Local Janus: ${janus.url}`)
}
const child = spawn('npx', ['electron-vite', 'dev'], { stdio: 'inherit', env })
child.on('exit', async (code) => {
  await stopJanus?.()
  process.exit(code ?? 0)
})
