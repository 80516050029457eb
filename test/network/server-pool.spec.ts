/**
 * A pool of two Janus servers (issue 14), for real in the network lab: the server holding
 * the session killed for good moves the call to the other one; a draining server is left
 * for the next; the first server back takes no session away from the second.
 */
import type { Page } from '@playwright/test'
import { adminRequest, listSessions } from '../lab/admin'
import type { NetLab } from '../lab/netlab'
import { openScreen, skipSetupIfShown } from '../lab/screens'
import { expect, framesAfter, incidents, openCameraTest, shownNumber, test } from './fixtures'

test.use({ labOptions: { secondServer: true } })

/** Opens Holdfast on the first server with the second as the pool's other member. */
async function openWithPool(page: Page, lab: NetLab): Promise<void> {
  await page.goto(lab.pageUrl({ more: lab.second!.url }))
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await skipSetupIfShown(page)
}

const sessionsOn = (janus: NetLab['janus']) =>
  listSessions(janus.adminUrl, janus.config.adminSecret)

test('the server holding the call killed for good: a new session on the other, the call re-established, the user told', async ({
  page,
  lab,
}) => {
  const second = lab.second!
  await openWithPool(page, lab)
  await openCameraTest(page)
  await page.getByRole('button', { name: 'Start echo call' }).click()
  await framesAfter(page, 0)
  expect(await sessionsOn(lab.janus)).toHaveLength(1)
  expect(await sessionsOn(second.janus)).toEqual([])

  await lab.janus.stop()
  // After the first server's reclaim window the session is surely gone: the second takes it.
  await expect
    .poll(() => sessionsOn(second.janus), { timeout: 60_000, intervals: [500] })
    .toHaveLength(1)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 })
  await openCameraTest(page)
  const frames = await shownNumber(page, 'frames-decoded')
  await framesAfter(page, frames)
  await expect(
    (await incidents(page)).locator('[data-kind="recreated"]', { hasText: 'moved from' }),
  ).toContainText(`moved from ${lab.janusUrl} to ${second.url}`)
  await openScreen(page, 'Settings', 'Server')
  await expect(page.getByTestId('server-moved')).toContainText(`Now on ${second.url}`)
})

test('a draining server (472) is left for the next; the first back takes no session away', async ({
  page,
  lab,
}) => {
  const second = lab.second!
  await adminRequest(lab.janus.adminUrl, lab.janus.config.adminSecret, {
    janus: 'accept_new_sessions',
    accept: false,
  })
  await openWithPool(page, lab)
  expect(await sessionsOn(lab.janus)).toEqual([])
  const [id] = await sessionsOn(second.janus)
  expect(id).toBeGreaterThan(0)

  // The first server accepts again; a lost socket is claimed where the session lives.
  await adminRequest(lab.janus.adminUrl, lab.janus.config.adminSecret, {
    janus: 'accept_new_sessions',
    accept: true,
  })
  lab.cutClientSockets()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await expect((await incidents(page)).locator('[data-kind="claimed"]')).not.toHaveCount(0)
  expect(await sessionsOn(second.janus)).toEqual([id])
  expect(await sessionsOn(lab.janus)).toEqual([])
})
