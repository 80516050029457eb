/**
 * Video rooms in Chromium: Holdfast pages join the lab's room on the VideoRoom plugin, see and
 * hear each other (tiles live from decoded frames), see a mute, the talker and a shared
 * screen, and see each other leave.
 */
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test'
import { labPinRoom } from '../lab/janus-config'
import { probe, samples } from '../lab/media-probe'
import { expect, openApp, openScreen, shownSessionId, test, type Lab } from './fixtures'

const room = '1234'
const contexts: BrowserContext[] = []
test.afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close()
})

/** A page of its own (its own session) with the Meetings part filled in for `name`. */
async function meetingsAs(browser: Browser, lab: Lab, name: string): Promise<Page> {
  const context = await browser.newContext()
  contexts.push(context)
  const page = await context.newPage()
  // Counts what every PeerConnection of the page receives (the app shows no audio counter).
  await page.addInitScript(probe)
  await openApp(page, lab)
  await openScreen(page, 'Meetings')
  const meetings = page.getByRole('region', { name: 'Meetings' })
  await meetings.getByLabel('Room', { exact: true }).fill(room)
  await meetings.getByLabel('Your name').fill(name)
  return page
}

const meetings = (page: Page) => page.getByRole('region', { name: 'Meetings' })

/** Joins the room from a filled-in Meetings part. */
async function join(page: Page): Promise<Page> {
  await meetings(page).getByRole('button', { name: 'Join room' }).click()
  await expect(page.getByTestId('room-status')).toHaveText('In the room')
  return page
}

const tile = (page: Page, display: string) =>
  page
    .getByTestId('room-tile')
    .and(page.locator(`[data-display="${display}"][data-source="camera"]`))

const screenTile = (page: Page, display: string) =>
  page
    .getByTestId('room-tile')
    .and(page.locator(`[data-display="${display}"][data-source="screen"]`))

/** Frames a video element has shown so far. */
const frames = (video: Locator) =>
  video.evaluate((v) => (v as HTMLVideoElement).getVideoPlaybackQuality?.().totalVideoFrames ?? 0)

/** The width of the picture decoded in `where`'s video. */
const videoWidth = (where: Locator) =>
  where.locator('video').evaluate((v) => (v as HTMLVideoElement).videoWidth)

/** Waits until the video in `where` shows new frames. */
async function expectFramesRising(where: Locator): Promise<void> {
  const video = where.locator('video')
  const before = await frames(video)
  await expect.poll(() => frames(video), { timeout: 20_000 }).toBeGreaterThan(before)
}

test('three people in a room: each sees the others live, a mute, a camera off, the talker, layers by tile size, a shared screen, and who left', async ({
  browser,
  lab,
}) => {
  const ann = await join(await meetingsAs(browser, lab, 'Ann'))
  const ben = await join(await meetingsAs(browser, lab, 'Ben'))
  // Cy checks the camera first, and joins with the microphone off.
  const cy = await meetingsAs(browser, lab, 'Cy')
  await meetings(cy).getByRole('button', { name: 'Check camera and microphone' }).click()
  await expectFramesRising(cy.getByTestId('room-preview'))
  await meetings(cy).getByLabel('Join with the microphone off').check()
  await join(cy)
  await expect(cy.getByTestId('room-preview')).toHaveCount(0)
  await expect(meetings(cy).getByRole('button', { name: 'Turn microphone on' })).toBeVisible()

  const people = { Ann: ann, Ben: ben, Cy: cy }
  for (const [name, page] of Object.entries(people)) {
    const others = Object.keys(people).filter((n) => n !== name)
    await expect(page.getByTestId('room-tile')).toHaveCount(2)
    for (const other of others) {
      await expect(tile(page, other)).toHaveAttribute('data-state', 'live', { timeout: 30_000 })
      await expectFramesRising(tile(page, other))
    }
  }
  // Cy joined muted: the others see it from the start.
  for (const page of [ann, ben]) {
    await expect(tile(page, 'Cy')).toHaveAttribute('data-microphone', 'muted')
    await expect(tile(page, 'Cy')).toContainText('microphone off')
  }
  // Ann hears the others: audio packets keep arriving on her side.
  const heard = async () => (await samples(ann)).at(-1)?.audio ?? 0
  const before = await heard()
  await expect.poll(heard).toBeGreaterThan(before)
  await expect(ann.getByTestId('room-notes')).toContainText('Ben joined')
  await expect(ann.getByTestId('room-notes')).toContainText('Cy joined')
  // The room's talking events (Chromium's fake microphone beeps loud enough) light Ben's tile.
  await expect(tile(ann, 'Ben')).toHaveAttribute('data-talking', 'true')

  // Ann mutes: Ben and Cy see it, then see her microphone on again.
  await meetings(ann).getByRole('button', { name: 'Turn microphone off' }).click()
  for (const page of [ben, cy])
    await expect(tile(page, 'Ann')).toHaveAttribute('data-microphone', 'muted')
  await meetings(ann).getByRole('button', { name: 'Turn microphone on' }).click()
  for (const page of [ben, cy])
    await expect(tile(page, 'Ann')).toHaveAttribute('data-microphone', 'on')

  // Cy turns the camera off: the others see "camera off" on a tile that stays live (her audio
  // still flows), then her video again when she turns it back on.
  await meetings(cy).getByRole('button', { name: 'Turn camera off' }).click()
  for (const page of [ann, ben]) {
    await expect(tile(page, 'Cy')).toHaveAttribute('data-camera', 'off')
    await expect(tile(page, 'Cy')).toContainText('camera off')
  }
  await meetings(cy).getByRole('button', { name: 'Turn camera on' }).click()
  for (const page of [ann, ben]) {
    await expect(tile(page, 'Cy')).toHaveAttribute('data-camera', 'on')
    await expect(tile(page, 'Cy')).toHaveAttribute('data-state', 'live')
    await expectFramesRising(tile(page, 'Cy'))
  }

  // Simulcast: Ann shows Ben large; his video comes in the highest layer and Cy's thumbnail in
  // the lowest, so Ben's decoded picture is wider than Cy's (both send the same fake camera).
  await tile(ann, 'Ben').getByRole('button', { name: 'Show Ben large' }).click()
  await expect(tile(ann, 'Ben')).toHaveAttribute('data-layer', '2')
  await expect(tile(ann, 'Cy')).toHaveAttribute('data-layer', '0')
  await expect
    .poll(async () => (await videoWidth(tile(ann, 'Ben'))) > (await videoWidth(tile(ann, 'Cy'))), {
      timeout: 20_000,
    })
    .toBe(true)
  await tile(ann, 'Ben').getByRole('button', { name: 'Back to the grid' }).click()
  await expect(tile(ann, 'Cy')).toHaveAttribute('data-layer', '1')

  // Ann shares her screen: a second tile of hers, labelled as a screen, with its own frames.
  await meetings(ann).getByRole('button', { name: 'Share the screen' }).click()
  await expectFramesRising(ann.getByTestId('room-self-screen'))
  for (const page of [ben, cy]) {
    const screen = screenTile(page, 'Ann')
    await expect(screen).toContainText('Ann’s screen')
    await expectFramesRising(screen)
    await expect(page.getByTestId('room-tile')).toHaveCount(3)
  }
  await meetings(ann).getByRole('button', { name: 'Stop sharing the screen' }).click()
  for (const page of [ben, cy]) await expect(screenTile(page, 'Ann')).toHaveCount(0)

  await meetings(ben).getByRole('button', { name: 'Leave room' }).click()
  await expect(ben.getByTestId('room-status')).toHaveText('Left the room: you left')
  for (const page of [ann, cy]) {
    await expect(tile(page, 'Ben')).toHaveCount(0)
    await expect(page.getByTestId('room-tile')).toHaveCount(1)
    await expect(page.getByTestId('room-notes')).toContainText('Ben left')
  }
  // The server keeps no ghost: Ben's publisher and subscriber handles are gone.
  const benSession = await shownSessionId(ben)
  await expect.poll(() => lab.handles(benSession)).toEqual([])
})

test('joining a room that does not exist says so, and nothing looks alive', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  await openScreen(page, 'Meetings')
  const meetings = page.getByRole('region', { name: 'Meetings' })
  await meetings.getByLabel('Room', { exact: true }).fill('999')
  await meetings.getByRole('button', { name: 'Join room' }).click()
  await expect(page.getByTestId('room-status')).toHaveText(/^Left the room: the server refused/)
  await expect(page.getByTestId('room-status')).toContainText('No such room')
  await expect(meetings.getByRole('button', { name: 'Join room' })).toBeEnabled()
  await expect(page.getByTestId('room-tile')).toHaveCount(0)
})

test('a room with a PIN: a wrong one is refused with words, the right one lets you in', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  await openScreen(page, 'Meetings')
  const form = meetings(page)
  await form.getByLabel('Room', { exact: true }).fill(String(labPinRoom.room))
  await form.getByLabel('Your name').fill('Ann')
  await form.getByLabel('PIN (if the room has one)').fill('0000')
  await form.getByRole('button', { name: 'Join room' }).click()
  await expect(page.getByTestId('room-status')).toHaveText(/^Left the room: the server refused/)
  await expect(page.getByTestId('room-status')).toContainText('PIN')
  await expect(page.getByTestId('room-tile')).toHaveCount(0)

  await form.getByLabel('PIN (if the room has one)').fill(labPinRoom.pin)
  await form.getByRole('button', { name: 'Join room' }).click()
  await expect(page.getByTestId('room-status')).toHaveText('In the room')
})
