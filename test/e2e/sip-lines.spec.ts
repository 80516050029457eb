/**
 * Several calls on one account (issue 15): Holdfast pages in Chromium registered with a real
 * registrar (kamailio) through Janus's SIP plugin; a second caller reaches a phone in a call
 * on a helper handle instead of being answered busy.
 */
import type { Browser, Page } from '@playwright/test'
import { startRegistrar, type Registrar } from '../lab/sip-registrar'
import { expect, openScreen, test, type Lab } from './fixtures'
import {
  appShell,
  call,
  callScreen,
  closePhones,
  hangUpButton,
  openPhone,
  shownNumber,
} from './sip-world'

test.afterEach(closePhones)

const address = process.env.HOLDFAST_E2E_ADDR!
let registrar: Registrar

test.beforeAll(async () => {
  registrar = await startRegistrar(address, {
    amy: 'amy-secret',
    ben: 'ben-secret',
    cyd: 'cyd-secret',
  })
})
test.afterAll(async () => {
  await registrar?.stop()
})

const phone = (browser: Browser, lab: Lab, user: string) =>
  openPhone(browser, lab, registrar, user, `${user}-secret`)
const status = (page: Page) => page.getByTestId('sip-call-status')
const uri = (user: string) => `sip:${user}@${address}`
const lineOf = (page: Page, user: string) =>
  callScreen(page)
    .getByTestId('call-lines')
    .locator('li', { hasText: uri(user) })

/** Audio arrives on `page`'s call in front, and keeps arriving. */
async function audioFlows(page: Page): Promise<void> {
  await expect
    .poll(() => shownNumber(page, 'sip-audio-in'), { timeout: 20_000 })
    .toBeGreaterThan(50)
  const before = await shownNumber(page, 'sip-audio-in')
  await expect.poll(() => shownNumber(page, 'sip-audio-in')).toBeGreaterThan(before)
}

test('call waiting: a second caller rings softly, is sent busy or answered with the first on hold, and the two calls switch and end on their own', async ({
  browser,
  lab,
}) => {
  const amy = await phone(browser, lab, 'amy')
  const ben = await phone(browser, lab, 'ben')
  const cyd = await phone(browser, lab, 'cyd')
  for (const page of [amy, ben, cyd])
    await expect(page.getByTestId('sip-registration')).toHaveText('Registered')

  await call(ben, 'amy')
  await callScreen(amy).getByRole('button', { name: 'Answer', exact: true }).click()
  await expect(status(amy)).toHaveText(`In call with ${uri('ben')}`)

  // A second caller is not answered busy by Janus: it waits on a helper line, softly.
  await call(cyd, 'amy')
  const waiting = callScreen(amy).getByTestId('call-waiting')
  await expect(waiting).toHaveText(new RegExp(`Call waiting: ${uri('cyd')}`))
  await expect(appShell(amy)).toHaveAttribute('data-sound', 'call-waiting')
  await expect(status(amy)).toHaveText(`In call with ${uri('ben')}`)
  await waiting.getByRole('button', { name: 'Send busy' }).click()
  await expect(status(cyd)).toHaveText('Busy')
  await expect(waiting).toBeHidden()
  await expect(appShell(amy)).toHaveAttribute('data-sound', 'none')
  await expect(status(amy)).toHaveText(`In call with ${uri('ben')}`)

  // Again, answered: Ben goes on hold and Amy talks with Cyd.
  await call(cyd, 'amy')
  await waiting.getByRole('button', { name: 'Answer and hold' }).click()
  await expect(status(amy)).toHaveText(`In call with ${uri('cyd')}`)
  await expect(status(cyd)).toHaveText(`In call with ${uri('amy')}`)
  await expect(lineOf(amy, 'ben')).toContainText(`On hold with ${uri('ben')}`)
  await expect(lineOf(amy, 'cyd')).toContainText(`In call with ${uri('cyd')}`)
  await audioFlows(cyd)
  await audioFlows(amy)

  // Switching: Cyd goes on hold and Ben is back, audio flowing again.
  await lineOf(amy, 'ben')
    .getByRole('button', { name: `Switch to the call with ${uri('ben')}` })
    .click()
  await expect(status(amy)).toHaveText(`In call with ${uri('ben')}`)
  await expect(lineOf(amy, 'cyd')).toContainText(`On hold with ${uri('cyd')}`)
  await audioFlows(amy)

  // Ben hangs up: Cyd's call comes to the front, still on hold until Amy resumes it.
  await hangUpButton(ben).click()
  await expect(status(amy)).toHaveText(`On hold with ${uri('cyd')}`)
  await callScreen(amy).getByRole('button', { name: 'Resume', exact: true }).click()
  await expect(status(amy)).toHaveText(`In call with ${uri('cyd')}`)
  await audioFlows(amy)
  await hangUpButton(amy).click()
  await expect(status(cyd)).toHaveText('The other side hung up')

  await openScreen(amy, 'History')
  const history = amy.getByTestId('call-history').locator('li')
  await expect(history.first()).toContainText(uri('cyd'))
  await expect(history.nth(1)).toContainText(uri('ben'))
  await expect(history.nth(1)).toContainText('The other side hung up')
})
