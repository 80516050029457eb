/**
 * `npm run janus`: the local Janus for development, from PATH, with the project's config:
 * WebSocket on loopback (8188 unless taken), a short reclaim window, Admin API on, only the
 * plugins Holdfast uses. Runs until Ctrl-C.
 */
import { janusAvailable, startJanus } from '../lab/janus-process'
import { freePort } from '../lab/ports'
import { isPortFree } from './port-check'

export async function startDevJanus() {
  if (!janusAvailable()) {
    throw new Error(
      'janus is not on PATH. Install it with `sudo apt-get install -y janus` (Debian/Ubuntu), or set HOLDFAST_SERVER_URL to a Janus you run elsewhere.',
    )
  }
  const wsPort = Number(process.env.HOLDFAST_JANUS_PORT ?? 8188)
  return startJanus({
    wsPort: (await isPortFree(wsPort)) ? wsPort : await freePort(),
    adminPort: (await isPortFree(7188)) ? 7188 : await freePort(),
    sessionTimeoutS: 60,
    reclaimSessionTimeoutS: 15,
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const janus = await startDevJanus()
  console.log(
    `Janus is up: ${janus.url} (Admin API ${janus.adminUrl}, secret "${janus.config.adminSecret}"); log: ${janus.logFile}`,
  )
  console.log('Press Ctrl-C to stop.')
  const stop = async () => {
    await janus.stop()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
