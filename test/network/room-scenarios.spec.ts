/**
 * A video room through what laptops do: Ann's laptop (the client namespace) goes through a
 * network change while Ben and Cy watch from a network that never changes. Each scenario
 * asserts what Ann sees, what Ben and Cy see, and the server's truth.
 */
import type { Page } from '@playwright/test'
import type { NetLab } from '../lab/netlab'
import {
  expect,
  incidents,
  joinRoom as join,
  labWindows,
  openScreen,
  roomTile,
  seesLive,
  shownSessionId,
  test,
} from './fixtures'

/** The session id diagnostics show; the page is back on Meetings afterwards. */
async function sessionOf(page: Page): Promise<number> {
  const id = await shownSessionId(page)
  await openScreen(page, 'Meetings')
  return id
}

/** Waits until the incident timeline has an entry of `kind` (with `text`), then back to Meetings. */
async function expectIncident(
  page: Page,
  kind: string,
  text?: string,
  timeout?: number,
): Promise<void> {
  const timeline = await incidents(page)
  await expect(
    timeline.locator(`[data-kind="${kind}"]`, text ? { hasText: text } : {}),
  ).not.toHaveCount(0, timeout ? { timeout } : {})
  await openScreen(page, 'Meetings')
}

test.use({ labOptions: { room: true } })

/** Ann (the laptop) and Ben (a watcher) in the room, each seeing the other live. */
async function bothInRoom(ann: Page, ben: Page, lab: NetLab): Promise<number> {
  await join(ann, lab.pageUrl(), 'Ann')
  await join(ben, lab.watcherPageUrl!(), 'Ben')
  await seesLive(ann, 'Ben')
  await seesLive(ben, 'Ann')
  return sessionOf(ann)
}

/** Ann, Ben and Cy (a second watcher, beside Ben) in the room, everyone seeing everyone live. */
async function allInRoom(
  ann: Page,
  ben: Page,
  lab: NetLab,
): Promise<{ annSession: number; cy: Page }> {
  const annSession = await bothInRoom(ann, ben, lab)
  const cy = await (await ben.context().browser()!.newContext()).newPage()
  await join(cy, lab.watcherPageUrl!(), 'Cy')
  for (const [page, others] of [
    [ann, ['Ben', 'Cy']],
    [ben, ['Cy']],
    [cy, ['Ann', 'Ben']],
  ] as const)
    for (const other of others) await seesLive(page, other)
  return { annSession, cy }
}

/** Ben and Cy see Ann live again, and each sees both others: nobody there twice. */
async function watchersSeeAnn(ben: Page, cy: Page): Promise<void> {
  for (const page of [ben, cy]) {
    await seesLive(page, 'Ann')
    await expect(page.getByTestId('room-tile')).toHaveCount(2)
  }
}

test('Wi-Fi to cellular in a room: the same session, and everyone sees everyone live again', async ({
  page: ann,
  watcher: ben,
  lab,
}) => {
  const { annSession, cy } = await allInRoom(ann, ben, lab)
  const handles = (await lab.handles(annSession)).sort()

  lab.switchUplink('cell')

  await expect(ann.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 })
  await expect(ann.getByTestId('room-status')).toHaveText('In the room')
  expect(await sessionOf(ann)).toBe(annSession)
  await seesLive(ann, 'Ben')
  await seesLive(ann, 'Cy')
  await watchersSeeAnn(ben, cy)
  // The room kept Ann as she was: nobody saw her leave, and nobody is there twice.
  for (const page of [ben, cy])
    await expect(page.getByTestId('room-notes')).not.toContainText('Ann left')
  await expect(ann.getByTestId('room-tile')).toHaveCount(2)
  // No ghosts: three sessions, Ann's with a publisher and one subscriber, both the ones she had
  // (kept and their ICE restarted, not built again).
  expect(await lab.sessions()).toHaveLength(3)
  await expect.poll(async () => (await lab.handles(annSession)).sort()).toEqual(handles)
})

test('a short sleep in a room: the same session; the others see Ann stalled, then live, never leaving', async ({
  page: ann,
  watcher: ben,
  lab,
}) => {
  const { annSession, cy } = await allInRoom(ann, ben, lab)
  const handles = (await lab.handles(annSession)).sort()

  const asleep = lab.sleep(4000)
  // While the laptop sleeps its video stops: the watchers' tiles of Ann say so.
  for (const page of [ben, cy])
    await expect(roomTile(page, 'Ann')).toHaveAttribute('data-state', 'stalled', { timeout: 4000 })
  await asleep

  await expect(ann.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 })
  expect(await sessionOf(ann)).toBe(annSession)
  await expect(ann.getByTestId('room-status')).toHaveText('In the room')
  await seesLive(ann, 'Ben')
  await seesLive(ann, 'Cy')
  await watchersSeeAnn(ben, cy)
  for (const page of [ben, cy])
    await expect(page.getByTestId('room-notes')).not.toContainText('Ann left')
  // Nothing changed in the room meanwhile: Ann's handles are the ones she had, none rebuilt.
  expect((await lab.handles(annSession)).sort()).toEqual(handles)
})

test('a sleep past the windows: Ann joins again as herself; Ben and Cy see her leave and come back', async ({
  page: ann,
  watcher: ben,
  lab,
}) => {
  const { annSession, cy } = await allInRoom(ann, ben, lab)

  // Longer than the session timeout plus the watchdog's ticks: Janus surely destroyed it.
  await lab.sleep((labWindows.sessionTimeoutS + 7) * 1000)

  await expect(ann.getByTestId('connection-status')).toHaveText('Connected', { timeout: 45_000 })
  expect(await sessionOf(ann)).not.toBe(annSession)
  await expect(ann.getByTestId('room-status')).toHaveText('In the room')
  await expectIncident(ann, 'media-back', 'rejoined the room')
  await expect(ann.getByTestId('room-notes')).toContainText('Rejoined the room')
  await seesLive(ann, 'Ben')
  await seesLive(ann, 'Cy')
  await watchersSeeAnn(ben, cy)
  for (const page of [ben, cy]) {
    await expect(page.getByTestId('room-notes')).toContainText('Ann left')
    await expect(page.getByTestId('room-notes')).toContainText('Ann joined')
  }
  // No ghost of the old Ann: three sessions in all, her new one with its two handles.
  expect(await lab.sessions()).toHaveLength(3)
  const newSession = await sessionOf(ann)
  await expect.poll(async () => (await lab.handles(newSession)).length).toBe(2)
})

/**
 * Ann and Ben in the room; `meanwhile` runs the event under test, during which Ben leaves and
 * Cy (a second watcher) joins (`swap`); then Ann must be back on the same session with Cy live
 * both ways and Ben gone.
 */
async function whileBenLeavesAndCyJoins(
  ann: Page,
  ben: Page,
  lab: NetLab,
  meanwhile: (swap: () => Promise<Page>) => Promise<Page>,
): Promise<void> {
  const annSession = await bothInRoom(ann, ben, lab)
  const cyContext = await ben.context().browser()!.newContext()
  try {
    const cy = await meanwhile(async () => {
      await ben
        .getByRole('region', { name: 'Meetings' })
        .getByRole('button', { name: 'Leave room' })
        .click()
      const page = await cyContext.newPage()
      await join(page, lab.watcherPageUrl!(), 'Cy')
      return page
    })
    await expect(ann.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 })
    expect(await sessionOf(ann)).toBe(annSession)
    await expect(ann.getByTestId('room-status')).toHaveText('In the room')
    await expect(ann.getByTestId('room-tile')).toHaveCount(1)
    await seesLive(ann, 'Cy')
    await seesLive(cy, 'Ann')
  } finally {
    await cyContext.close()
  }
}

test('a dead path while Ben leaves and Cy joins: right after the claim Ann’s room shows Cy and not Ben', async ({
  page: ann,
  watcher: ben,
  lab,
}) => {
  await whileBenLeavesAndCyJoins(ann, ben, lab, async (swap) => {
    lab.blackholeClient(true)
    // Ann's session notices the dead path by its keepalive bound (a call is up).
    await expect(ann.getByTestId('room-status')).toHaveText('Reconnecting to the room…')
    const cy = await swap()
    lab.blackholeClient(false)
    return cy
  })
  // Every event of the gap was dropped by Janus: the room was read again.
  await expect(ann.getByTestId('room-notes')).toContainText('Ben left')
  await expect(ann.getByTestId('room-notes')).toContainText('Cy joined')
  // Someone came and went during the gap: Ann's subscription was built again, not kept (a
  // kept one got Cy's media only after three ICE restarts).
  await expectIncident(ann, 'media-restart', 'receiving the others afresh')
})

test('a socket cut while Ben leaves and Cy joins: claimed at once, and Ann’s room shows Cy and not Ben', async ({
  page: ann,
  watcher: ben,
  lab,
}) => {
  await whileBenLeavesAndCyJoins(ann, ben, lab, async (swap) => {
    // The news may reach Ann before the cut or be lost with it; either way her room must be
    // right after the claim.
    const cy = await swap()
    lab.cutClientSockets()
    await expectIncident(ann, 'loss-detected')
    return cy
  })
})

test('Janus restarted: all three join again by themselves and see each other live', async ({
  page: ann,
  watcher: ben,
  lab,
}) => {
  const { annSession, cy } = await allInRoom(ann, ben, lab)
  await lab.janus.restart()
  for (const [page, others] of [
    [ann, ['Ben', 'Cy']],
    [ben, ['Ann', 'Cy']],
    [cy, ['Ann', 'Ben']],
  ] as const) {
    await expect(page.getByTestId('room-status')).toHaveText('In the room', { timeout: 45_000 })
    await expectIncident(page, 'media-back', 'rejoined the room', 45_000)
    for (const other of others) await seesLive(page, other)
  }
  expect(await sessionOf(ann)).not.toBe(annSession)
  expect(await lab.sessions()).toHaveLength(3)
})

test('an abrupt switch, then the socket cut while Ann’s media restarts: Ben sees Ann live again', async ({
  page: ann,
  watcher: ben,
  lab,
}) => {
  const annSession = await bothInRoom(ann, ben, lab)
  await lab.switchUplinkAbruptly('cell')
  // The stimulus: the cut lands while the restart's answer is on its way (the soak's chain).
  await new Promise((resolve) => setTimeout(resolve, 1500))
  lab.cutClientSockets()
  await seesLive(ben, 'Ann')
  await seesLive(ann, 'Ben')
  expect(await sessionOf(ann)).toBe(annSession)
})

test('an orderly switch in a room (the new link up before the old goes): Ben sees Ann live again', async ({
  page: ann,
  watcher: ben,
  lab,
}) => {
  const annSession = await bothInRoom(ann, ben, lab)
  lab.switchUplinkOrderly('cell')
  // Ann's publisher sends nothing anyone could watch arrive: Ben seeing her move again is the
  // proof that her media reached the room over the new link (the soak's frozen-Ann case).
  await seesLive(ben, 'Ann')
  await seesLive(ann, 'Ben')
  expect(await sessionOf(ann)).toBe(annSession)
  await expect.poll(async () => (await lab.handles(annSession)).length).toBe(2)
})
