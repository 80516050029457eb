/**
 * `npm run web`: Holdfast as a web page against the browser host. Builds the renderer,
 * starts the local Janus unless HOLDFAST_SERVER_URL names another server, and serves the
 * page on http://127.0.0.1:5173 (or a free port).
 */
import { spawnSync } from 'node:child_process'
import { serveStatic } from '../lab/static-server'
import { freePort } from '../lab/ports'
import { startDevJanus } from './dev-janus'
import { isPortFree } from './port-check'

const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit', env: process.env })
if (build.status !== 0) process.exit(build.status ?? 1)

let serverUrl = process.env.HOLDFAST_SERVER_URL
let stopJanus: (() => Promise<void>) | undefined
if (!serverUrl) {
  const janus = await startDevJanus()
  serverUrl = janus.url
  stopJanus = janus.stop
  console.log(`Local Janus: ${janus.url} (log: ${janus.logFile})`)
}
const port = (await isPortFree(5173)) ? 5173 : await freePort()
const web = await serveStatic('out/renderer', '127.0.0.1', port)
console.log(
  `\nHoldfast (web) is at ${web.url}/?server=${encodeURIComponent(serverUrl)}\nPress Ctrl-C to stop.`,
)
const stop = async () => {
  await web.close()
  await stopJanus?.()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
