/** The lab each browser test gets: its own Janus, a relay it controls, and the web build. */
import { test as base, expect, type Page } from '@playwright/test'
import { listHandles, listSessions } from '../lab/admin'
import { startJanus, type RunningJanus } from '../lab/janus-process'
import { startRelay, type Relay } from '../lab/relay'
import { serveStatic, type StaticServer } from '../lab/static-server'
import { keepLabTraces } from '../lab/keep-traces'
import { traceMark } from '../lab/traces'
import { openCameraTest, shownSessionId, skipSetupIfShown } from '../lab/screens'

export {
  disconnect,
  incidents,
  openCameraTest,
  openScreen,
  shownSessionId,
  skipSetupIfShown,
} from '../lab/screens'

const iface = process.env.HOLDFAST_E2E_IFACE
const address = process.env.HOLDFAST_E2E_ADDR
if (!iface || !address) {
  throw new Error(
    'Run the browser tests through `npm run test:e2e` (it creates the network namespace they need).',
  )
}

export interface Lab {
  janus: RunningJanus
  relay: Relay
  /** The app's URL pointed at the relay. */
  appUrl: string
  sessions(): Promise<number[]>
  handles(sessionId: number): Promise<number[]>
}

export const test = base.extend<{ lab: Lab }, { web: StaticServer }>({
  web: [
    async ({}, use) => {
      const web = await serveStatic('out/renderer')
      await use(web)
      await web.close()
    },
    { scope: 'worker' },
  ],
  lab: async ({ web }, use, testInfo) => {
    const mark = traceMark()
    const janus = await startJanus({
      iceInterface: iface,
      iceAddress: address,
      reclaimSessionTimeoutS: 10,
      sessionTimeoutS: 30,
      plugins: ['echotest', 'sip', 'videoroom'],
      sipLocalIp: address,
    })
    const relay = await startRelay({ host: '127.0.0.1', port: janus.config.wsPort })
    const admin = [janus.adminUrl, janus.config.adminSecret] as const
    await use({
      janus,
      relay,
      appUrl: `${web.url}/?server=${encodeURIComponent(relay.url)}`,
      sessions: () => listSessions(...admin),
      handles: (sessionId) => listHandles(...admin, sessionId),
    })
    // A failing test keeps what Janus (with its SIP trace) and the SIP lab said.
    if (testInfo.status !== testInfo.expectedStatus) await keepLabTraces(testInfo, janus, mark)
    await relay.close()
    await janus.stop()
  },
})

export { expect }

/** Frames decoded so far by the echo call, as the UI shows it. */
export async function framesDecoded(page: Page): Promise<number> {
  const text = await page
    .getByTestId('frames-decoded')
    .textContent({ timeout: 1000 })
    .catch(() => '0')
  return Number(text ?? 0)
}

/** Waits until the returned video has decoded more frames than `after` (on the camera test). */
export async function expectFramesFlowing(page: Page, after = 0): Promise<number> {
  await openCameraTest(page)
  let now = 0
  await expect
    .poll(async () => (now = await framesDecoded(page)), { timeout: 45_000 })
    .toBeGreaterThan(after)
  return now
}

/**
 * Opens the app on the lab, skips first-run setup, waits until it says Connected, and returns
 * the session id shown (the page is left on Settings → Advanced).
 */
export async function openApp(page: Page, lab: Lab): Promise<number> {
  await page.goto(lab.appUrl)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await skipSetupIfShown(page)
  return shownSessionId(page)
}

/** Starts the echo call and waits for returned video; resolves with the frames decoded so far. */
export async function startEchoCall(page: Page): Promise<number> {
  await openCameraTest(page)
  await page.getByRole('button', { name: 'Start echo call' }).click()
  return expectFramesFlowing(page)
}
