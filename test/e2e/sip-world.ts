/** Helpers the softphone browser tests share: Holdfast pages registered with the lab registrar. */
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { moreAccountSettings, openScreen } from '../lab/screens'
import type { Registrar } from '../lab/sip-registrar'
import { keepTrace } from '../lab/traces'
import { expect, openApp, type Lab } from './fixtures'

// Pages left open stay registered and would take the next test's calls (and load the machine).
const contexts: BrowserContext[] = []

/**
 * Closes the pages `openPhone` opened. Each spec file registers it (`test.afterEach`): this
 * module is loaded once per worker, so a hook registered here would attach to the first file
 * only.
 */
export async function closePhones(): Promise<void> {
  for (const context of contexts.splice(0)) await context.close()
}

/** A page of its own (its own sessionStorage and session) registering as `user`. */
export async function openPhone(
  browser: Browser,
  lab: Lab,
  registrar: Registrar,
  user: string,
  password: string,
  dtmf: 'rfc2833' | 'info' = 'rfc2833',
): Promise<Page> {
  const context = await browser.newContext()
  contexts.push(context)
  const page = await context.newPage()
  recordJanusTraffic(page, user)
  await openApp(page, lab)
  await openScreen(page, 'Settings', 'Accounts')
  await page.getByLabel('SIP address', { exact: true }).fill(`sip:${user}@${registrar.host}`)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByLabel('Registrar', { exact: true }).fill(registrar.uri)
  await moreAccountSettings(page)
  await page.getByLabel('Send tones as').selectOption(dtmf)
  await page.getByRole('button', { name: 'Register' }).click()
  await openScreen(page, 'Phone')
  return page
}

/** A number shown under `testId` (packet counters). */
export const shownNumber = async (page: Page, testId: string): Promise<number> =>
  Number(await page.getByTestId(testId).textContent())

/** Audio arrives on `page`'s call in front, and keeps arriving. */
export async function audioFlows(page: Page): Promise<void> {
  await expect
    .poll(() => shownNumber(page, 'sip-audio-in'), { timeout: 20_000 })
    .toBeGreaterThan(50)
  const before = await shownNumber(page, 'sip-audio-in')
  await expect.poll(() => shownNumber(page, 'sip-audio-in')).toBeGreaterThan(before)
}

/** Dials `target` from the Phone screen's dialler. */
export async function call(page: Page, target: string): Promise<void> {
  await openScreen(page, 'Phone')
  await page.getByLabel('Number or SIP address').fill(target)
  await page.getByRole('button', { name: 'Call', exact: true }).click()
}

export {
  appShell,
  callScreen,
  hangUpButton,
  keypad,
  moreAccountSettings,
  returnToCall,
} from '../lab/screens'

/**
 * Keeps what the page said to Janus and heard back (one short line per message) and what it
 * logged, as a lab trace: a failing test prints it with the SIP trace.
 */
function recordJanusTraffic(page: Page, user: string): void {
  const lines: string[] = []
  const started = Date.now()
  const add = (line: string): void => {
    lines.push(`${((Date.now() - started) / 1000).toFixed(3)} ${line}`)
    if (lines.length > 400) lines.splice(0, lines.length - 400)
  }
  const stopped = keepTrace(`page-${user}.log`, () => lines.join('\n'))
  page.on('close', stopped)
  page.on('console', (message) => add(`console.${message.type()} ${message.text()}`))
  page.on('websocket', (socket) => {
    add(`websocket open ${socket.url()}`)
    socket.on('framesent', (frame) => add(`→ ${brief(frame.payload)}`))
    socket.on('framereceived', (frame) => add(`← ${brief(frame.payload)}`))
    socket.on('close', () => add('websocket closed'))
  })
}

function brief(payload: string | Buffer): string {
  const text = payload.toString()
  if (text.includes('"janus":"keepalive"')) return 'keepalive'
  return text.replace(/"(jsep|sdp)":\{[^}]*\}/g, '"$1":{…}').slice(0, 300)
}
