/**
 * What laptops do to calls, reproduced for real in network namespaces: a Wi-Fi to cellular
 * switch, link flaps, short and long sleeps, a Janus restart and a dead path. Each asserts
 * what the user and the server see; none asserts a time.
 */
import type { Page } from '@playwright/test'
import {
  callInLab,
  expect,
  framesAfter,
  incidents,
  labWindows,
  openCameraTest,
  shownNumber,
  shownSessionId,
  test,
  expectSameCallBack,
} from './fixtures'
import { bannerTexts, watchBanner } from '../lab/banner-watch'
import { labAddresses } from '../lab/netlab'

/** The banner during a recovery with a call up: the promise, then "Reconnected", then nothing. */
async function expectBannerTold(page: Page, during: RegExp): Promise<void> {
  await expect.poll(() => bannerTexts(page)).toContain('')
  const texts = await bannerTexts(page)
  const told = texts.findIndex((t) => during.test(t))
  expect(told, `the banner said: ${JSON.stringify(texts)}`).toBeGreaterThanOrEqual(0)
  expect(texts.slice(told)).toContain('Reconnected')
  // Nothing it said was false: no "could not reach the server" while the call was coming back.
  expect(texts.filter((t) => /Could not reach|Disconnected/.test(t))).toEqual([])
  // "Reconnected" gives way to no banner at all.
  await expect.poll(async () => (await bannerTexts(page)).at(-1)).toBe('')
}

const callContinues =
  /^(Reconnecting… your call will continue|Offline: calls will resume when the network is back)/

test('Wi-Fi to cellular during a call: the same session, media flowing again over the new address, and the banner telling the truth', async ({
  page,
  lab,
}) => {
  await page.addInitScript(watchBanner)
  const { sessionId, frames } = await callInLab(page, lab)
  await expect(page.getByTestId('media-path')).toContainText('10.210.1.2')
  const shownBefore = (await bannerTexts(page)).length
  lab.switchUplink('cell')
  await expect(page.getByTestId('media-path')).toContainText('10.210.2.2', { timeout: 45_000 })
  await expectSameCallBack(page, lab, sessionId, frames)
  await expect((await incidents(page)).locator('[data-kind="media-back"]')).not.toHaveCount(0)
  expect((await bannerTexts(page)).length).toBeGreaterThan(shownBefore)
  await expectBannerTold(page, callContinues)
  await expect(page.getByTestId('connection-banner')).toHaveCount(0)
})

test('ten link flaps in a row: one live session on the server, media flowing', async ({
  page,
  lab,
}) => {
  const { sessionId } = await callInLab(page, lab)
  for (let i = 0; i < 10; i++) {
    lab.flap()
    await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  }
  await expect(page.getByTestId('call-status')).toHaveText('In call')
  const frames = await shownNumber(page, 'frames-decoded')
  await framesAfter(page, frames)
  expect(await lab.sessions()).toEqual([sessionId])
  expect(await shownSessionId(page)).toBe(sessionId)
  expect(await lab.handles(sessionId)).toHaveLength(1)
})

test('a sleep shorter than the reclaim window: the same session, media back, and the banner telling the truth', async ({
  page,
  lab,
}) => {
  await page.addInitScript(watchBanner)
  const { sessionId, frames } = await callInLab(page, lab)
  await lab.sleep(4000)
  await expectSameCallBack(page, lab, sessionId, frames)
  await expectBannerTold(page, callContinues)
})

test('a sleep longer than the windows: a new session and the echo call re-established, with the user told', async ({
  page,
  lab,
}) => {
  const { sessionId } = await callInLab(page, lab)
  // Longer than the session timeout plus the watchdog's two ticks: Janus surely destroyed it.
  await lab.sleep((labWindows.sessionTimeoutS + 7) * 1000)
  const timeline = await incidents(page)
  await expect(timeline.locator('[data-kind="session-lost"]')).not.toHaveCount(0, {
    timeout: 45_000,
  })
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  const newSession = await shownSessionId(page)
  expect(newSession).not.toBe(sessionId)
  expect(await lab.sessions()).toEqual([newSession])
  await expect(timeline.locator('[data-kind="recreated"]')).not.toHaveCount(0)
  await openCameraTest(page)
  await expect(page.getByTestId('call-status')).toHaveText('In call')
  await framesAfter(page, 0)
  await expect((await incidents(page)).locator('[data-kind="media-back"]')).not.toHaveCount(0)
})

test('Janus restarted mid-call: a new session and the call re-established', async ({
  page,
  lab,
}) => {
  const { sessionId } = await callInLab(page, lab)
  await lab.janus.restart()
  await expect((await incidents(page)).locator('[data-kind="session-lost"]')).not.toHaveCount(0, {
    timeout: 45_000,
  })
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  const newSession = await shownSessionId(page)
  expect(newSession).not.toBe(sessionId)
  expect(await lab.sessions()).toEqual([newSession])
  await openCameraTest(page)
  await expect(page.getByTestId('call-status')).toHaveText('In call')
  await framesAfter(page, 0)
})

test('a dead path that never closes is detected by the keepalive bound, then recovered', async ({
  page,
  lab,
}) => {
  const { sessionId, frames } = await callInLab(page, lab)
  lab.cutForwarding()
  await expect(
    (await incidents(page)).locator('[data-kind="loss-detected"]', { hasText: 'keepaliveTimeout' }),
  ).toHaveCount(1)
  await expect(page.getByTestId('connection-status')).toHaveText(/^Reconnecting/)
  lab.restoreForwarding()
  await expectSameCallBack(page, lab, sessionId, frames, 45_000)
})

test.describe('two links up at once', () => {
  // The WebSocket rides Wi-Fi; Chromium carries the media over whichever pair it prefers
  // (cellular, in this lab), so losing cellular leaves signalling untouched.
  test.use({ labOptions: { twoLinks: { signallingVia: 'wifi' } } })

  test('the link the call runs on is lost while the other stays up: media stalls under a connected ICE and is restarted', async ({
    page,
    lab,
  }) => {
    const { sessionId } = await callInLab(page, lab)
    const path = page.getByTestId('media-path')
    // The premise: media on the link that will go, signalling on the one that stays.
    await expect(path, 'the media should start on cellular in this lab').toContainText(
      labAddresses.cell.client,
    )
    lab.loseLink('cell')
    // Chromium moves the pair to Wi-Fi and ICE stays connected; video must flow again past
    // what it had shown by then (before the fix it stayed frozen: Janus kept sending to the
    // cellular address).
    await expect(path).toContainText(labAddresses.wifi.client, { timeout: 45_000 })
    const shownOnWifi = await shownNumber(page, 'frames-decoded')
    await expectSameCallBack(page, lab, sessionId, shownOnWifi)
    const timeline = await incidents(page)
    // It was the media watch that acted: nothing happened to the session itself.
    await expect(
      timeline.locator('[data-kind="media-restart"]', { hasText: 'no media for' }),
    ).not.toHaveCount(0)
    await expect(timeline.locator('[data-kind="loss-detected"]')).toHaveCount(0)
  })
})
