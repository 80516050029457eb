/** Each network scenario gets a fresh lab and a Chromium running inside its client namespace. */
import { test as base, chromium, expect, type Page } from '@playwright/test'
import { startFarEnd, type FarEnd, type FarEndOptions } from '../lab/baresip'
import { chromiumArgs } from '../lab/chromium'
import { labAddresses, startNetLab, type NetLab, type NetLabOptions } from '../lab/netlab'
import { keepLabTraces } from '../lab/keep-traces'
import { startRegistrar, type Registrar } from '../lab/sip-registrar'
import { startVoicemailServer, type VoicemailServer } from '../lab/voicemail-server'
import { traceMark } from '../lab/traces'
import {
  incidents,
  moreAccountSettings,
  openCameraTest,
  openScreen,
  shownSessionId,
  skipSetupIfShown,
} from '../lab/screens'

export { incidents, openCameraTest, openScreen, shownSessionId } from '../lab/screens'

/** Windows used by the lab's Janus: short, so a long sleep can outlast them in a test. */
export const labWindows = { sessionTimeoutS: 15, reclaimSessionTimeoutS: 10 }

export { chromiumArgs }

/** The SIP world of a SIP lab, all in the server namespace: the registrar and a far end. */
export interface SipWorld {
  registrar: Registrar
  /** baresip registered as `desk`, answering by itself. */
  farEnd: FarEnd
  /** The account Holdfast uses: `laptop`. */
  account: { uri: string; password: string; registrar: string }
  /** The mailbox server (message-summary) the registrar routes `voicemail` to. */
  voicemail: VoicemailServer
}

/**
 * Starts the registrar and the far end (`desk`) in a SIP lab's server namespace, and the
 * mailbox server in this process, on the management link the server namespace reaches.
 */
export async function startSipWorld(
  lab: NetLab,
  farEndOptions: Pick<FarEndOptions, 'rtpTimeoutS' | 'answer'> = {},
): Promise<SipWorld & { stop(): Promise<void> }> {
  const host = labAddresses.server
  const users = { laptop: 'laptop-secret', desk: 'desk-secret' }
  const voicemail = await startVoicemailServer(labAddresses.mgmtHost, `sip:voicemail@${host}`)
  const stops: (() => Promise<void>)[] = [() => voicemail.stop()]
  const stop = async (): Promise<void> => {
    for (const one of stops.reverse()) await one()
  }
  try {
    const registrar = await startRegistrar(
      host,
      users,
      lab.serverPrefix,
      labAddresses.mgmtHost,
      undefined,
      { voicemail: voicemail.uri },
    )
    stops.push(() => registrar.stop())
    const farEnd = await startFarEnd({
      host,
      iface: lab.serverIface,
      user: 'desk',
      password: users.desk,
      registrar: registrar.uri,
      prefix: lab.serverPrefix,
      controlHost: host,
      ...farEndOptions,
    })
    stops.push(() => farEnd.stop())
    return {
      registrar,
      farEnd,
      voicemail,
      account: { uri: `sip:laptop@${host}`, password: users.laptop, registrar: registrar.uri },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

export const test = base.extend<{
  labOptions: Pick<NetLabOptions, 'sip' | 'twoLinks' | 'room' | 'secondServer'>
  /** How the far end (`desk`) answers: by itself (default), or only when told (`manual`). */
  farEndAnswer: NonNullable<FarEndOptions['answer']>
  lab: NetLab
  page: Page
  sip: SipWorld
  /** In a room lab: a page in the watchers' namespace, whose network never changes. */
  watcher: Page
}>({
  labOptions: [{}, { option: true }],
  farEndAnswer: ['auto', { option: true }],
  lab: async ({ labOptions }, use, testInfo) => {
    const mark = traceMark()
    const lab = await startNetLab({ ...labWindows, ...labOptions })
    try {
      await use(lab)
    } finally {
      // A failing scenario keeps what Janus and the SIP lab said.
      if (testInfo.status !== testInfo.expectedStatus)
        await keepLabTraces(testInfo, lab.janus, mark).catch(() => undefined)
      await lab.close()
    }
  },
  sip: async ({ lab, farEndAnswer }, use) => {
    const world = await startSipWorld(lab, { answer: farEndAnswer })
    try {
      await use(world)
    } finally {
      await world.stop()
    }
  },
  watcher: async ({ lab }, use) => {
    if (!lab.watcherLauncher) throw new Error('the watcher needs a room lab (labOptions.room)')
    const browser = await chromium.launch({
      executablePath: lab.watcherLauncher,
      args: chromiumArgs,
    })
    try {
      await use(await browser.newPage())
    } finally {
      await browser.close().catch(() => undefined)
    }
  },
  page: async ({ lab }, use, testInfo) => {
    const browser = await chromium.launch({
      executablePath: lab.chromiumLauncher,
      args: chromiumArgs,
    })
    try {
      const page = await browser.newPage()
      await use(page)
      // A failing scenario keeps what the page's own timeline said happened.
      if (testInfo.status !== testInfo.expectedStatus)
        await keepIncidents(page).catch(() => undefined)
    } finally {
      await browser.close().catch(() => undefined)
    }
  },
})

export { expect }

/** The number the UI shows for a test id. */
export async function shownNumber(page: Page, testId: string): Promise<number> {
  return Number(
    (await page
      .getByTestId(testId)
      .textContent({ timeout: 2000 })
      .catch(() => '0')) ?? 0,
  )
}

/** Opens the app in the lab, waits for Connected, starts the echo call and waits for video. */
export async function callInLab(
  page: Page,
  lab: NetLab,
): Promise<{ sessionId: number; frames: number }> {
  await page.goto(lab.pageUrl())
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await skipSetupIfShown(page)
  const sessionId = await shownSessionId(page)
  await openCameraTest(page)
  await page.getByRole('button', { name: 'Start echo call' }).click()
  const frames = await framesAfter(page, 0)
  return { sessionId, frames }
}

/** Waits until more than `after` frames were decoded (on the camera test); returns the count. */
export async function framesAfter(page: Page, after: number, timeout = 45_000): Promise<number> {
  let now = 0
  await expect
    .poll(async () => (now = await shownNumber(page, 'frames-decoded')), { timeout })
    .toBeGreaterThan(after)
  return now
}

/**
 * The same call came back: Connected on the same session (the only one on the server), the
 * call in progress and video flowing past `frames`.
 */
export async function expectSameCallBack(
  page: Page,
  lab: NetLab,
  sessionId: number,
  frames: number,
  timeout = 30_000,
): Promise<void> {
  await expect(page.getByTestId('connection-status')).toHaveText('Connected', { timeout })
  expect(await shownSessionId(page)).toBe(sessionId)
  expect(await lab.sessions()).toEqual([sessionId])
  await openCameraTest(page)
  await expect(page.getByTestId('call-status')).toHaveText('In call')
  await framesAfter(page, frames)
}

/** Opens the app at `url`, joins the lab's room 1234 as `name`, and waits until it is in. */
export async function joinRoom(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await skipSetupIfShown(page)
  await openScreen(page, 'Meetings')
  const meetings = page.getByRole('region', { name: 'Meetings' })
  await meetings.getByLabel('Room', { exact: true }).fill('1234')
  await meetings.getByLabel('Your name').fill(name)
  await meetings.getByRole('button', { name: 'Join room' }).click()
  await expect(page.getByTestId('room-status')).toHaveText('In the room')
}

/** A room page's tile of `display`'s camera. */
export const roomTile = (page: Page, display: string) =>
  page
    .getByTestId('room-tile')
    .and(page.locator(`[data-display="${display}"][data-source="camera"]`))

/** Frames the tile of `display`'s camera has decoded so far. */
export const framesShown = (page: Page, display: string, timeout?: number) =>
  roomTile(page, display)
    .locator('video')
    .evaluate(
      (v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames,
      null,
      timeout === undefined ? {} : { timeout },
    )

/** The tile is live and its video keeps decoding past what it had shown. */
export async function seesLive(page: Page, display: string): Promise<void> {
  await expect(roomTile(page, display)).toHaveAttribute('data-state', 'live', { timeout: 45_000 })
  const before = await framesShown(page, display)
  await expect.poll(() => framesShown(page, display), { timeout: 30_000 }).toBeGreaterThan(before)
}

/** Prints the page's incident timeline (Settings → Advanced) under the failed test. */
async function keepIncidents(page: Page): Promise<void> {
  const timeline = await incidents(page)
  const text = await timeline.innerText({ timeout: 5000 })
  console.log(`incident timeline:\n${text}`)
}

/** Opens Holdfast in the lab (with `query` in its address) and registers `laptop`. */
export async function registerInLab(
  page: Page,
  lab: NetLab,
  sip: SipWorld,
  query: Record<string, string> = {},
  /** Also give the account its voicemail number (the lab's mailbox server). */
  { voicemail = false }: { voicemail?: boolean } = {},
): Promise<void> {
  await page.goto(lab.pageUrl(query))
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await skipSetupIfShown(page)
  await openScreen(page, 'Settings', 'Accounts')
  await page.getByLabel('SIP address', { exact: true }).fill(sip.account.uri)
  await page.getByLabel('Password', { exact: true }).fill(sip.account.password)
  await page.getByLabel('Registrar', { exact: true }).fill(sip.account.registrar)
  if (voicemail) {
    await moreAccountSettings(page)
    await page.getByLabel('Voicemail number (optional)').fill('voicemail')
  }
  await page.getByRole('button', { name: 'Register' }).click()
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
}

/** Calls the far end (`desk`) from the Phone screen until it answers. */
export async function dialDesk(page: Page): Promise<void> {
  await openScreen(page, 'Phone')
  await page.getByLabel('Number or SIP address').fill('desk')
  await page.getByRole('button', { name: 'Call', exact: true }).click()
  await expect(page.getByTestId('sip-call-status')).toHaveText(
    `In call with sip:desk@${labAddresses.server}`,
  )
}

/** Opens Holdfast in the lab, registers `laptop` and calls the far end (`desk`) until it answers. */
export async function callDeskFromLab(page: Page, lab: NetLab, sip: SipWorld): Promise<void> {
  await registerInLab(page, lab, sip)
  await dialDesk(page)
}
