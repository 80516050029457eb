/**
 * The soak's world (issue 14): one network lab with the SIP world and a room, three Holdfast
 * pages on the laptop (an echo call, a phone call with the far end, Ann in a room) and two
 * others in the room from a network that never changes (Ben and Cy). The driver keeps each
 * page where a user wants it and says what each page shows, in the page's own words.
 */
import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { chromiumArgs } from '../lab/chromium'
import { writeFakeCamera } from './fake-camera'
import { labAddresses, startNetLab, type NetLab } from '../lab/netlab'
import { keypad, openCameraTest, openScreen, returnToCall, skipSetupIfShown } from '../lab/screens'
import {
  framesShown,
  labWindows,
  roomTile,
  startSipWorld,
  type SipWorld,
} from '../network/fixtures'

/** The laptop's pages, and the room's two others. */
export type Role = 'echo' | 'phone' | 'room' | 'ben' | 'cy'
export const roles: readonly Role[] = ['echo', 'phone', 'room', 'ben', 'cy']

/** What a page shows about its call right now. */
export type Shown =
  | { kind: 'live' }
  /** Reconnecting, recovering, registering: on its way, not yet live. */
  | { kind: 'recovering'; text: string }
  /** The call (or the room) is over; `text` is what the page says about why. */
  | { kind: 'ended'; text: string }

export interface SoakWorld {
  lab: NetLab
  sip: SipWorld
  pages: Record<Role, Page>
  /** Errors the pages threw or logged (not the browser's own network messages). */
  consoleErrors: string[]
  /** Each page's latest lines of its own log and timeline (`[holdfast] …`), for evidence. */
  consoleLines: Partial<Record<Role, string[]>>
  /** Puts the page's call back as a user would (start the echo call, dial, join). */
  establish(role: Role): Promise<void>
  /** What the page shows now (never throws: a page that cannot say reads as recovering). */
  shown(role: Role): Promise<Shown>
  /** Passes once the page's media keeps arriving (counters rising past where they are). */
  mediaRising(role: Role, timeout: number): Promise<void>
  /**
   * What a renderer crash is in the desktop app, stood in for in the browser: the page's
   * renderer dies, and a new page starts with what the host kept (main's store in the app,
   * the record read from the dying page here, as main would have it).
   */
  crashAndReload(role: Role): Promise<void>
  /** When the token each page fetched last expires (epoch seconds). */
  tokensHeld(): Map<string, number>
  /**
   * Violations of "a page whose token expired fetched a new one and went on": one per page of
   * `held` with no token handed out after its old one expired (waits up to `timeout` ms).
   */
  tokensRenewed(held: Map<string, number>, timeout: number): Promise<string[]>
  /** The session id the page keeps (what it will claim), or undefined. */
  keptSessionId(role: Role): Promise<number | undefined>
  close(): Promise<void>
}

const desk = `sip:desk@${labAddresses.server}`
/** A phone call on its way or up, in the call status line's words. */
const inProgress = /^(In call with|On hold with|Calling|Ringing|Transferring)/
/** The pages on the laptop (in the lab's client namespace). */
export const laptopRoles: readonly Role[] = ['echo', 'phone', 'room']
const names: Partial<Record<Role, string>> = { room: 'Ann', ben: 'Ben', cy: 'Cy' }
/** Whom each room page sees. */
const seen: Partial<Record<Role, string[]>> = {
  room: ['Ben', 'Cy'],
  ben: ['Ann', 'Cy'],
  cy: ['Ann', 'Ben'],
}

/**
 * The browser's own reports of a connection that failed are what the soak causes on purpose,
 * not errors of the app: "WebSocket connection to … failed", "Failed to load resource".
 */
function networkNoise(text: string): boolean {
  return /^WebSocket connection to .* failed|^Failed to load resource|net::ERR_/.test(text)
}

/** The count the page shows under `testId`; undefined when it shows none (no read is a 0). */
const shownCount = (page: Page, testId: string): Promise<number | undefined> =>
  page
    .getByTestId(testId)
    .textContent({ timeout: 2000 })
    .then((text) => (text?.trim() && Number.isFinite(Number(text)) ? Number(text) : undefined))
    .catch(() => undefined)

/** The text the page shows under `testId`: '' when there is none, undefined when it cannot say. */
const text = (page: Page, testId: string): Promise<string | undefined> =>
  page
    .getByTestId(testId)
    .first()
    .textContent({ timeout: 5000 })
    .then((t) => t?.trim() ?? '')
    .catch(() => undefined)

/**
 * Opens the lab and every page, each in its call. `step` hears each step of putting a call
 * back (the soak's step log: a call that took long to come back says which step waited).
 */
export async function openSoakWorld(
  step: (text: string) => void = () => undefined,
): Promise<SoakWorld> {
  // Tokens that live half a minute: they run out again and again, in the middle of everything.
  const lab = await startNetLab({ ...labWindows, sip: true, room: true, tokens: { lifeS: 30 } })
  const browsers: Browser[] = []
  let sip: (SipWorld & { stop(): Promise<void> }) | undefined
  const close = async (): Promise<void> => {
    for (const browser of browsers) await browser.close().catch(() => undefined)
    await sip?.stop()
    await lab.close()
  }
  try {
    sip = await startSipWorld(lab, { rtpTimeoutS: 30 })
    const world = sip
    const camera = writeFakeCamera()
    const launch = async (executablePath: string) => {
      const browser = await chromium.launch({
        executablePath,
        args: [...chromiumArgs, `--use-file-for-fake-video-capture=${camera}`],
      })
      browsers.push(browser)
      return browser
    }
    const laptop = await launch(lab.chromiumLauncher)
    const watchers = await launch(lab.watcherLauncher!)
    const consoleErrors: string[] = []
    const consoleLines: Partial<Record<Role, string[]>> = {}
    /** Pages whose renderer crashed by itself (the renderer-crash fault replaces its page). */
    const crashedPages = new WeakSet<Page>()
    const open = async (context: BrowserContext, role: Role): Promise<Page> => {
      const page = await context.newPage()
      page.on('crash', () => {
        crashedPages.add(page)
        ;(consoleLines[role] ??= []).push(`${new Date().toISOString()} [soak] the page crashed`)
      })
      page.on('pageerror', (error) => consoleErrors.push(`${role}: ${error.message}`))
      page.on('console', (message) => {
        if (message.type() === 'error' && !networkNoise(message.text()))
          consoleErrors.push(`${role}: ${message.text()}`)
        if (message.text().startsWith('[holdfast]')) {
          const lines = (consoleLines[role] ??= [])
          lines.push(`${new Date().toISOString()} ${message.text()}`)
          if (lines.length > 300) lines.splice(0, lines.length - 300)
        }
      })
      return page
    }
    const pages = {} as Record<Role, Page>
    for (const role of roles)
      // Each page its own context: its own storage, as separate windows of separate apps.
      pages[role] = await open(
        await (laptopRoles.includes(role) ? laptop : watchers).newContext(),
        role,
      )
    const urlOf = (role: Role) => {
      const query = { tokenUrl: `/token?who=${role}` }
      return laptopRoles.includes(role) ? lab.pageUrl(query) : lab.watcherPageUrl!(query)
    }

    /** The app open and connected (loads it if the page is not on it). */
    const connected = async (page: Page, role: Role): Promise<void> => {
      if (!page.url().startsWith('http')) await page.goto(urlOf(role))
      await expect(page.getByTestId('connection-status')).toHaveText('Connected', {
        timeout: 60_000,
      })
      await skipSetupIfShown(page)
    }

    const establish = async (role: Role): Promise<void> => {
      const page = pages[role]
      await connected(page, role)
      step(`${role}: connected, putting its call back`)
      switch (role) {
        case 'echo': {
          await openCameraTest(page)
          const start = page.getByRole('button', { name: 'Start echo call' })
          if (await start.isEnabled()) await start.click()
          await expect(page.getByTestId('call-status')).toHaveText('In call', { timeout: 60_000 })
          return
        }
        case 'phone': {
          if ((await text(page, 'sip-registration')) !== 'Registered') {
            // The web build keeps passwords in memory only: after a reload it is asked again.
            await openScreen(page, 'Settings', 'Accounts')
            await page.getByLabel('SIP address', { exact: true }).fill(world.account.uri)
            await page.getByLabel('Password', { exact: true }).fill(world.account.password)
            await page.getByLabel('Registrar', { exact: true }).fill(world.account.registrar)
            await page.getByRole('button', { name: 'Register' }).click()
            await expect(page.getByTestId('sip-registration')).toHaveText('Registered', {
              timeout: 60_000,
            })
            step('phone: registered again')
          }
          await openScreen(page, 'Phone')
          // A call still on its way (or up) is not dialled again.
          if (inProgress.test((await text(page, 'sip-call-status')) ?? '')) return
          step('phone: dialling')
          await page.getByLabel('Number or SIP address').fill('desk')
          await page.getByRole('button', { name: 'Call', exact: true }).click()
          await expect(page.getByTestId('sip-call-status').first()).toHaveText(
            `In call with ${desk}`,
            { timeout: 60_000 },
          )
          return
        }
        default: {
          await openScreen(page, 'Meetings')
          const status = (await text(page, 'room-status')) ?? ''
          if (status === 'In the room' || status.startsWith('Reconnecting')) return
          const meetings = page.getByRole('region', { name: 'Meetings' })
          // After a restart the app offers the room it was in; a user takes that offer.
          const again = meetings.getByRole('button', {
            name: `Join room 1234 again as ${names[role]!}`,
          })
          if (await again.isVisible()) await again.click()
          else {
            await meetings.getByLabel('Room', { exact: true }).fill('1234')
            await meetings.getByLabel('Your name').fill(names[role]!)
            await meetings.getByRole('button', { name: 'Join room', exact: true }).click()
          }
          await expect(page.getByTestId('room-status')).toHaveText('In the room', {
            timeout: 60_000,
          })
        }
      }
    }

    const shown = async (role: Role): Promise<Shown> => {
      const page = pages[role]
      if (page.isClosed() || !page.url().startsWith('http'))
        return { kind: 'ended', text: 'the page is gone' }
      // Chromium's renderer died under the page (not the fault that stands in for one).
      if (crashedPages.has(page)) return { kind: 'recovering', text: 'the page crashed' }
      const connection = await text(page, 'connection-status')
      // A busy page that cannot answer in time is not a page whose call ended.
      if (connection === undefined) return { kind: 'recovering', text: 'the page does not answer' }
      if (role === 'echo') {
        const status = await text(page, 'call-status')
        if (status === undefined) return { kind: 'recovering', text: 'the page does not answer' }
        if (/^(Call ended|Call failed)/.test(status)) return { kind: 'ended', text: status }
        if (status === 'No call') return { kind: 'ended', text: '' }
        return status === 'In call' && connection === 'Connected'
          ? { kind: 'live' }
          : { kind: 'recovering', text: `${connection} / ${status}` }
      }
      if (role === 'phone') {
        const registration = await text(page, 'sip-registration')
        const call = await text(page, 'sip-call-status')
        if (call === `In call with ${desk}`)
          return connection === 'Connected' && registration === 'Registered'
            ? { kind: 'live' }
            : { kind: 'recovering', text: `${connection} / ${registration} / ${call}` }
        if (call === undefined) return { kind: 'recovering', text: 'the page does not answer' }
        if (inProgress.test(call)) return { kind: 'recovering', text: `${connection} / ${call}` }
        if (call === 'No call' || call === '')
          return { kind: 'ended', text: (await text(page, 'sip-error')) ?? '' }
        return { kind: 'ended', text: call }
      }
      const status = await text(page, 'room-status')
      if (status === undefined) return { kind: 'recovering', text: 'the page does not answer' }
      if (status.startsWith('Left the room')) return { kind: 'ended', text: status }
      if (status === 'Not in a room') return { kind: 'ended', text: '' }
      if (status !== 'In the room' || connection !== 'Connected')
        return { kind: 'recovering', text: `${connection} / ${status}` }
      for (const other of seen[role]!) {
        const state = await roomTile(page, other)
          .getAttribute('data-state', { timeout: 1000 })
          .catch(() => null)
        if (state !== 'live') return { kind: 'recovering', text: `${other}: ${state ?? 'no tile'}` }
      }
      return { kind: 'live' }
    }

    const mediaRising = async (role: Role, timeout: number): Promise<void> => {
      const page = pages[role]
      // Rising from the lowest count read: a count that starts again (a tile given a new
      // stream counts its frames from 0, a new PeerConnection its stats) rises from there,
      // where before it had to pass the old count (soak seed 4204: 30 s were too few after a
      // subscription built again). A read that fails (a tile not there) is no count.
      const rising = async (read: () => Promise<number | undefined>) => {
        let lowest = await read()
        await expect
          .poll(
            async () => {
              const now = await read()
              if (now === undefined) return false
              const rose = lowest !== undefined && now > lowest
              lowest = Math.min(lowest ?? now, now)
              return rose
            },
            { timeout },
          )
          .toBe(true)
      }
      if (role === 'echo') {
        await openCameraTest(page)
        await rising(() => shownCount(page, 'frames-decoded'))
      } else if (role === 'phone') {
        await returnToCall(page)
        await rising(() => shownCount(page, 'sip-audio-in'))
        // Our audio reaches the far end: a tone in the media is heard there. A tone is a few
        // RTP event packets; on a loaded machine baresip sometimes reports none of one (seen
        // once in a soak, with the call's audio flowing), so up to three are sent.
        const heard = world.farEnd.tones().length
        const pad = await keypad(page)
        let reached = false
        for (let tone = 0; tone < 3 && !reached; tone++) {
          await pad.getByRole('button', { name: '5' }).click()
          reached = await expect
            .poll(() => world.farEnd.tones().slice(heard), { timeout: timeout / 3 })
            .toContain('5')
            .then(() => true)
            .catch(() => false)
        }
        if (!reached) throw new Error('the far end heard none of three tones sent in the call')
      } else {
        for (const other of seen[role]!)
          await rising(() => framesShown(page, other, 2000).catch(() => undefined))
      }
    }

    const crashAndReload = async (role: Role): Promise<void> => {
      const page = pages[role]
      const url = page.url()
      const kept = await page.evaluate(() => sessionStorage.getItem('holdfast.session'))
      const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()))
      await page.goto('chrome://crash').catch(() => undefined)
      await crashed
      // Playwright cannot use a crashed page again; its context (the app's local storage) stays.
      const next = await open(page.context(), role)
      if (kept)
        await next.addInitScript((record) => {
          if (!sessionStorage.getItem('holdfast.session'))
            sessionStorage.setItem('holdfast.session', record)
        }, kept)
      await next.goto(url)
      pages[role] = next
      await page.close().catch(() => undefined)
    }

    const keptSessionId = async (role: Role): Promise<number | undefined> => {
      const record = await pages[role]
        .evaluate(() => sessionStorage.getItem('holdfast.session'))
        .catch(() => null)
      const id = record ? (JSON.parse(record) as { sessionId?: unknown }).sessionId : undefined
      return typeof id === 'number' ? id : undefined
    }

    const tokensHeld = (): Map<string, number> => {
      const held = new Map<string, number>()
      for (const t of lab.tokenLog()) held.set(t.who, Math.max(held.get(t.who) ?? 0, t.expiresAt))
      return held
    }

    const tokensRenewed = async (held: Map<string, number>, timeout: number) => {
      const missing = (): string[] => {
        const log = lab.tokenLog()
        return [...held]
          .filter(([who, expiresAt]) => !log.some((t) => t.who === who && t.at >= expiresAt * 1000))
          .map(([who]) => who)
      }
      const until = Date.now() + timeout
      let left = missing()
      while (left.length && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        left = missing()
      }
      return left.map((who) => `${who}: its token expired and it fetched no new one`)
    }

    for (const role of roles) await establish(role)
    return {
      tokensHeld,
      tokensRenewed,
      lab,
      sip: world,
      pages,
      consoleErrors,
      consoleLines,
      establish,
      shown,
      mediaRising,
      keptSessionId,
      crashAndReload,
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}
