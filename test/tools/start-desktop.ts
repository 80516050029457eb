/**
 * `npm start`: the desktop app in development (electron-vite dev), against the local Janus
 * unless HOLDFAST_SERVER_URL names another server. Where no Electron binary can be had, it
 * says so and points at `npm run web`.
 */
import { spawn } from 'node:child_process'
import { electronBinary, noElectronReason } from '../electron/electron-binary'
import { startDevJanus } from './dev-janus'

if (!electronBinary()) {
  console.error(
    `Cannot start the desktop app: ${noElectronReason}.\nThe same app runs as a web page with \`npm run web\`.`,
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
