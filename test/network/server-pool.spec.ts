/**
 * A pool of two Janus servers (issue 14), for real in the network lab: the server holding
 * the session killed for good moves the call to the other one; a draining server is left
 * for the next; the first server back takes no session away from the second.
 */
import type { Page } from '@playwright/test'
import { adminRequest, listSessions } from '../lab/admin'
import type { NetLab } from '../lab/netlab'
import { openScreen, skipSetupIfShown } from '../lab/screens'
import { labAddresses } from '../lab/netlab'
import {
  dialDesk,
  expect,
  framesAfter,
  incidents,
  joinRoom,
  openCameraTest,
  registerInLab,
  seesLive,
  shownNumber,
  test,
} from './fixtures'

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

test.describe('a phone call and a room', () => {
  test.use({ labOptions: { secondServer: true, sip: true, room: true } })

  test('the first server killed for good: the phone registers again and the room is rejoined on the second, the user told', async ({
    page: phone,
    watcher: ben,
    lab,
    sip,
  }) => {
    const second = lab.second!
    const more = { more: second.url }
    // The phone: registered and in a call with the far end.
    await registerInLab(phone, lab, sip, more)
    await dialDesk(phone)
    await sip.farEnd.waitFor('the call', (e) => e.type === 'CALL_ESTABLISHED')
    // Ann (another page on the laptop) and Ben (the watchers' network) in room 1234.
    const ann = await (await phone.context().browser()!.newContext()).newPage()
    await joinRoom(ann, lab.pageUrl(more), 'Ann')
    await joinRoom(
      ben,
      lab.watcherPageUrl!({ more: `ws://${labAddresses.server}:${second.janus.config.wsPort}` }),
      'Ben',
    )
    await seesLive(ann, 'Ben')
    await seesLive(ben, 'Ann')
    expect(await sessionsOn(lab.janus)).toHaveLength(3)

    await lab.janus.stop()
    await expect
      .poll(() => sessionsOn(second.janus), { timeout: 90_000, intervals: [500] })
      .toHaveLength(3)
    // The phone: the call ended with its reason, the account registered there again.
    await expect(phone.getByTestId('sip-registration')).toHaveText('Registered', {
      timeout: 30_000,
    })
    await openScreen(phone, 'Phone')
    await expect(phone.getByTestId('sip-call-status').first()).toHaveText(
      'Call dropped: the connection was lost for too long',
    )
    // A new call goes out through the second server.
    await dialDesk(phone)
    // The room exists there too: both rejoined and see each other live again.
    for (const [page, other] of [
      [ann, 'Ben'],
      [ben, 'Ann'],
    ] as const) {
      await expect(page.getByTestId('room-status')).toHaveText('In the room', { timeout: 45_000 })
      await seesLive(page, other)
    }
    await openScreen(ann, 'Settings', 'Server')
    await expect(ann.getByTestId('server-moved')).toContainText(`Now on ${second.url}`)
  })
})
