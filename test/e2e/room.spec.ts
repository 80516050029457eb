/**
 * Video rooms in Chromium: Holdfast pages join the lab's room on the VideoRoom plugin, see and
 * hear each other (tiles live from decoded frames), and see each other leave.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { expect, openApp, shownSessionId, test, type Lab } from './fixtures'

const room = '1234'
const contexts: BrowserContext[] = []
test.afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close()
})

/** A page of its own (its own session) joined to the room as `name`. */
async function joinRoom(browser: Browser, lab: Lab, name: string): Promise<Page> {
  const context = await browser.newContext()
  contexts.push(context)
  const page = await context.newPage()
  await openApp(page, lab)
  const meetings = page.getByRole('region', { name: 'Meetings' })
  await meetings.getByLabel('Room', { exact: true }).fill(room)
  await meetings.getByLabel('Your name').fill(name)
  await meetings.getByRole('button', { name: 'Join room' }).click()
  await expect(page.getByTestId('room-status')).toHaveText('In the room')
  return page
}

const tile = (page: Page, display: string) =>
  page.getByTestId('room-tile').and(page.locator(`[data-display="${display}"]`))

/** Frames the tile's video element has shown so far. */
const framesShown = (page: Page, display: string) =>
  tile(page, display)
    .locator('video')
    .evaluate((v) => (v as HTMLVideoElement).getVideoPlaybackQuality?.().totalVideoFrames ?? 0)

test('two people in a room see each other live and talking, and one leaving is seen by the other', async ({
  browser,
  lab,
}) => {
  const ann = await joinRoom(browser, lab, 'Ann')
  const ben = await joinRoom(browser, lab, 'Ben')

  for (const [page, other] of [
    [ann, 'Ben'],
    [ben, 'Ann'],
  ] as const) {
    await expect(tile(page, other)).toHaveAttribute('data-state', 'live', { timeout: 30_000 })
    const before = await framesShown(page, other)
    await expect.poll(() => framesShown(page, other)).toBeGreaterThan(before)
    await expect(page.getByTestId('room-tile')).toHaveCount(1)
  }
  await expect(ann.getByTestId('room-notes')).toContainText('Ben joined')
  // The room's talking events (Chromium's fake microphone beeps loud enough) light Ben's tile.
  await expect(tile(ann, 'Ben')).toHaveAttribute('data-talking', 'true')

  await ben
    .getByRole('region', { name: 'Meetings' })
    .getByRole('button', { name: 'Leave room' })
    .click()
  await expect(ben.getByTestId('room-status')).toHaveText('Left the room: you left')
  await expect(ann.getByTestId('room-tile')).toHaveCount(0)
  await expect(ann.getByTestId('room-notes')).toContainText('Ben left')
  // The server keeps no ghost: Ben's publisher and subscriber handles are gone.
  const benSession = await shownSessionId(ben)
  await expect.poll(() => lab.handles(benSession)).toEqual([])
})

test('joining a room that does not exist says so, and nothing looks alive', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  const meetings = page.getByRole('region', { name: 'Meetings' })
  await meetings.getByLabel('Room', { exact: true }).fill('999')
  await meetings.getByRole('button', { name: 'Join room' }).click()
  await expect(page.getByTestId('room-status')).toHaveText(/^Left the room: the server refused/)
  await expect(page.getByTestId('room-status')).toContainText('No such room')
  await expect(meetings.getByRole('button', { name: 'Join room' })).toBeEnabled()
  await expect(page.getByTestId('room-tile')).toHaveCount(0)
})
