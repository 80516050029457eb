/**
 * The desktop app itself (Playwright's _electron): launch, connect to a local Janus, an echo
 * call, a resume signalled by the main process, and the session reclaimed. Runs wherever an
 * Electron binary exists; otherwise every test is skipped with the reason.
 */
import { _electron as electron, type ElectronApplication, type Page } from '@playwright/test'
import {
  expect,
  expectFramesFlowing,
  incidents,
  openCameraTest,
  openScreen,
  shownSessionId,
  skipSetupIfShown,
  test,
} from '../e2e/fixtures'
import { electronBinary, noElectronReason } from './electron-binary'

const binary = electronBinary()
test.skip(!binary, noElectronReason)

async function launch(): Promise<{ app: ElectronApplication; page: Page }> {
  const app = await electron.launch({
    executablePath: binary!,
    args: [
      'out/main/index.js',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--no-sandbox',
      '--password-store=basic',
    ],
    env: { ...process.env, HOLDFAST_NETWORK_POLL_MS: '500' } as Record<string, string>,
  })
  return { app, page: await app.firstWindow() }
}

async function connectTo(page: Page, url: string): Promise<void> {
  const status = page.getByTestId('connection-status')
  await expect(status).not.toHaveText('Connecting…')
  await skipSetupIfShown(page)
  await openScreen(page, 'Settings', 'Server')
  if ((await status.textContent())?.trim() !== 'Disconnected') {
    await page.getByRole('button', { name: 'Disconnect' }).click()
  }
  await page.getByLabel('Server URL').fill(url)
  await page.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
}

test('the desktop app launches securely, calls, and reclaims its session on a resume from main', async ({
  lab,
}) => {
  const { app, page } = await launch()
  try {
    // Context isolation, sandbox and no Node, as the page sees them: no require, no process,
    // and only the verbs of the bridge.
    const seen = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys((window as unknown as { holdfast: object }).holdfast).sort(),
    }))
    expect(seen.require).toBe('undefined')
    expect(seen.process).toBe('undefined')
    expect(seen.bridge).toEqual(
      expect.arrayContaining(['loadSession', 'notifyIncomingCall', 'onCallAction', 'onDial']),
    )
    expect(seen.bridge).not.toContain('ipcRenderer')

    await connectTo(page, lab.relay.url)
    const sessionId = await shownSessionId(page)
    await openCameraTest(page)
    await page.getByRole('button', { name: 'Start echo call' }).click()
    await expectFramesFlowing(page)

    await app.evaluate(({ powerMonitor }) => {
      powerMonitor.emit('resume')
    })
    await expect(
      (await incidents(page)).locator('[data-kind="signal"]', { hasText: 'resume' }),
    ).not.toHaveCount(0)
    await expect(page.getByTestId('connection-status')).toHaveText('Connected')
    expect(await shownSessionId(page)).toBe(sessionId)
    expect(await lab.sessions()).toEqual([sessionId])
    await openCameraTest(page)
    await expect(page.getByTestId('call-status')).toHaveText('In call')
  } finally {
    await app.close()
  }
})

test('navigation and new windows are denied; the app is on its own scheme, and a file:// page is refused', async () => {
  const { app, page } = await launch()
  try {
    const before = page.url()
    expect(before).toMatch(/^app:\/\/holdfast\//)
    // A local page (as a dropped file would load) is not let in.
    await page.evaluate(() => {
      window.location.href = 'file:///etc/hostname'
    })
    await expect.poll(() => page.url()).toBe(before)
    await page.evaluate(() => {
      window.location.href = 'https://example.com/'
    })
    await expect.poll(() => page.url()).toBe(before)
    await page.evaluate(() => window.open('https://example.com/'))
    expect(app.windows()).toHaveLength(1)
  } finally {
    await app.close()
  }
})
