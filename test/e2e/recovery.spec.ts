/** The echo call recovering by itself in Chromium: new session, network back, devices denied. */
import {
  disconnect,
  expect,
  expectFramesFlowing,
  incidents,
  openApp,
  openCameraTest,
  shownSessionId,
  startEchoCall,
  test,
} from './fixtures'

test('Janus restarted mid-call: a new session and the echo call re-established by itself', async ({
  page,
  lab,
}) => {
  const oldSession = await openApp(page, lab)
  await startEchoCall(page)
  await lab.janus.restart()
  const timeline = await incidents(page)
  await expect(timeline.locator('[data-kind="session-lost"]')).not.toHaveCount(0)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  const newSession = await shownSessionId(page)
  expect(newSession).not.toBe(oldSession)
  expect(await lab.sessions()).toEqual([newSession])
  await expect(timeline.locator('[data-kind="recreated"]')).not.toHaveCount(0)
  await openCameraTest(page)
  await expect(page.getByTestId('call-status')).toHaveText('In call')
  await expect.poll(() => lab.handles(newSession)).toHaveLength(1)
  // Frames counted on the new PeerConnection start from zero: any frame is a new one.
  await expectFramesFlowing(page)
})

test('offline then online mid-call (the path itself never broke): the same session, media flowing on, no ICE restart on a working path', async ({
  page,
  context,
  lab,
}) => {
  const sessionId = await openApp(page, lab)
  await startEchoCall(page)
  await context.setOffline(true)
  await expect(page.getByTestId('connection-status')).toHaveText(/^Reconnecting/)
  await context.setOffline(false)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  expect(await shownSessionId(page)).toBe(sessionId)
  expect(await lab.sessions()).toEqual([sessionId])
  // Playwright's offline cuts requests and sockets, not WebRTC's UDP: media reads as arriving
  // once the claim is made, and the call is left on its path.
  const timeline = await incidents(page)
  await expect(
    timeline.locator('[data-kind="media-back"]', { hasText: 'no ICE restart' }),
  ).not.toHaveCount(0)
  await expect(timeline.locator('[data-kind="media-restart"]')).toHaveCount(0)
  await openCameraTest(page)
  await expect(page.getByTestId('call-status')).toHaveText('In call')
  const now = Number(await page.getByTestId('frames-decoded').textContent())
  await expectFramesFlowing(page, now)
})

test('a denied camera and microphone give a message that says what to do', async ({
  page,
  lab,
}) => {
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
  })
  const sessionId = await openApp(page, lab)
  await openCameraTest(page)
  await page.getByRole('button', { name: 'Start echo call' }).click()
  await expect(page.getByTestId('call-error')).toContainText(
    'Camera or microphone access was denied',
  )
  await expect(page.getByTestId('call-status')).toHaveText(/^Call failed/)
  await expect(page.getByRole('button', { name: 'Start echo call' })).toBeEnabled()
  await expect.poll(() => lab.handles(sessionId)).toEqual([])
})

test('disconnecting mid-call ends the call, destroys the session and clears the store', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  await startEchoCall(page)
  await disconnect(page)
  await expect(page.getByTestId('connection-status')).toHaveText('Disconnected')
  await openCameraTest(page)
  await expect(page.getByTestId('call-status')).toHaveText('Call ended: you disconnected')
  await expect.poll(() => lab.sessions()).toEqual([])
  expect(await page.evaluate(() => sessionStorage.getItem('holdfast.session'))).toBeNull()
})
