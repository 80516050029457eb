/** The web build in Chromium against a real Janus, as a person would use it. */
import {
  disconnect,
  expect,
  expectFramesFlowing,
  incidents,
  openApp,
  openCameraTest,
  shownSessionId,
  skipSetupIfShown,
  startEchoCall,
  test,
} from './fixtures'

test('connects on its own and an echo call shows decoded frames', async ({ page, lab }) => {
  await page.goto(lab.appUrl)
  const status = page.getByTestId('connection-status')
  await expect(status).toHaveText('Connected')
  await skipSetupIfShown(page)
  const sessionId = await shownSessionId(page)
  expect(await lab.sessions()).toEqual([sessionId])
  await openCameraTest(page)
  await page.getByRole('button', { name: 'Start echo call' }).click()
  await expect(page.getByTestId('call-status')).toHaveText('In call')
  const first = await expectFramesFlowing(page)
  await expectFramesFlowing(page, first)
  expect(await lab.handles(sessionId)).toHaveLength(1)
  await page.getByRole('button', { name: 'Mute' }).click()
  await expect(page.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true')
  await page.getByRole('button', { name: 'Hang up' }).click()
  await expect(page.getByTestId('call-status')).toHaveText('Call ended: you hung up')
  await expect.poll(() => lab.handles(sessionId)).toEqual([])
})

test('a socket cut mid-call shows Reconnecting, then Connected on the same session with frames flowing', async ({
  page,
  lab,
}) => {
  const sessionId = await openApp(page, lab)
  const before = await startEchoCall(page)
  lab.relay.refuse()
  lab.relay.cut()
  await expect(page.getByTestId('connection-status')).toHaveText(/^Reconnecting \(attempt \d+\)/)
  lab.relay.heal()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  expect(await shownSessionId(page)).toBe(sessionId)
  expect(await lab.sessions()).toEqual([sessionId])
  await expect((await incidents(page)).locator('[data-kind="claimed"]')).not.toHaveCount(0)
  await openCameraTest(page)
  await expect(page.getByTestId('call-status')).toHaveText('In call')
  await expectFramesFlowing(page, before)
})

test('a page reload mid-session reclaims the same session and leaves no zombie handle', async ({
  page,
  lab,
}) => {
  const sessionId = await openApp(page, lab)
  await startEchoCall(page)
  expect(await lab.handles(sessionId)).toHaveLength(1)
  await page.reload()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  expect(await shownSessionId(page)).toBe(sessionId)
  expect(await lab.sessions()).toEqual([sessionId])
  await expect.poll(() => lab.handles(sessionId)).toEqual([])
  await startEchoCall(page)
  expect(await lab.handles(sessionId)).toHaveLength(1)
})

test('a server that is down shows a clear error and recovers when it comes back', async ({
  page,
  lab,
}) => {
  lab.relay.refuse()
  await page.goto(lab.appUrl)
  await expect(page.getByTestId('connection-status')).toHaveText(
    /Reconnecting \(attempt \d+\): cannot reach the server/,
  )
  lab.relay.heal()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected', { timeout: 45_000 })
  await skipSetupIfShown(page)
  expect(await lab.sessions()).toEqual([await shownSessionId(page)])
})

test('an invalid server URL is refused with a message saying what to type', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  await disconnect(page)
  await expect(page.getByTestId('connection-status')).toHaveText('Disconnected')
  expect(await lab.sessions()).toEqual([])
  await page.getByLabel('Server URL').fill('http://127.0.0.1:8088/janus')
  await page.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByRole('alert')).toContainText('use ws:// or wss://')
  await page.getByLabel('Server URL').fill(lab.relay.url)
  await page.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
})

test('the app as a person sees it mid-call (screenshot for review)', async ({
  page,
  lab,
}, testInfo) => {
  await page.setViewportSize({ width: 1200, height: 900 })
  await openApp(page, lab)
  await startEchoCall(page)
  const file = testInfo.outputPath('in-call.png')
  await page.screenshot({ path: file, fullPage: true })
  await testInfo.attach('in-call', { path: file, contentType: 'image/png' })
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
})
