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
  audioFlows,
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
    dee: 'dee-secret',
    eve: 'eve-secret',
    fay: 'fay-secret',
    gil: 'gil-secret',
    hal: 'hal-secret',
    ivy: 'ivy-secret',
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

/** Three phones registered as `users`, each on a page of its own. */
async function threePhones(
  browser: Browser,
  lab: Lab,
  users: [string, string, string],
): Promise<[Page, Page, Page]> {
  const pages = [] as Page[]
  for (const user of users) pages.push(await phone(browser, lab, user))
  for (const page of pages)
    await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
  return pages as [Page, Page, Page]
}

/** `caller` calls `callee`, who answers. */
async function answered(caller: Page, callee: Page, calleeUser: string): Promise<void> {
  await call(caller, calleeUser)
  await callScreen(callee).getByRole('button', { name: 'Answer', exact: true }).click()
}

test('call waiting: a second caller rings softly, is sent busy or answered with the first on hold, and the two calls switch and end on their own', async ({
  browser,
  lab,
}) => {
  const [amy, ben, cyd] = await threePhones(browser, lab, ['amy', 'ben', 'cyd'])

  await answered(ben, amy, 'amy')
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

test('attended transfer among three Holdfast phones: consult on a second line, put the held caller through, and the target takes them over', async ({
  browser,
  lab,
}) => {
  const [dee, eve, fay] = await threePhones(browser, lab, ['dee', 'eve', 'fay'])

  await answered(eve, dee, 'dee')
  await expect(status(dee)).toHaveText(`In call with ${uri('eve')}`)

  // Dee consults Fay on a second line: Eve waits on hold.
  await callScreen(dee).getByRole('button', { name: 'Add call' }).click()
  await expect(status(dee)).toHaveText(`On hold with ${uri('eve')}`)
  await answered(dee, fay, 'fay')
  await expect(status(dee)).toHaveText(`In call with ${uri('fay')}`)
  await expect(lineOf(dee, 'eve')).toContainText(`On hold with ${uri('eve')}`)

  // Eve is put through to Fay, whose call with Dee she takes over.
  await callScreen(dee).getByTestId('attended-transfer').click()
  await expect(eve.getByTestId('sip-notice')).toContainText(`calling ${uri('fay')}`)
  await expect(status(eve)).toHaveText(`In call with ${uri('fay')}`)
  await expect(status(fay)).toHaveText(`In call with ${uri('eve')}`)
  await expect(fay.getByTestId('sip-notice')).toHaveText(
    `${uri('dee')} put ${uri('eve')} through to you`,
  )
  await expect(status(dee)).toHaveText('Call transferred')
  await audioFlows(eve)
  await audioFlows(fay)

  await openScreen(dee, 'History')
  const history = dee.getByTestId('call-history').locator('li')
  await expect(history.first()).toContainText('Call transferred')
  await expect(history.nth(1)).toContainText('Call transferred')
  await openScreen(fay, 'History')
  await expect(fay.getByTestId('call-history').locator('li').first()).toContainText(
    'Call transferred',
  )
})

/** The sound energy `page` has heard in its call in front so far. */
const heard = (page: Page) => shownNumber(page, 'sip-audio-energy')

test('a three-way call: merged, each party hears the other through us even with our microphone muted, and split again', async ({
  browser,
  lab,
}) => {
  const [gil, hal, ivy] = await threePhones(browser, lab, ['gil', 'hal', 'ivy'])

  await answered(hal, gil, 'gil')
  await expect(status(gil)).toHaveText(`In call with ${uri('hal')}`)
  await callScreen(gil).getByRole('button', { name: 'Add call' }).click()
  await answered(gil, ivy, 'ivy')
  await expect(status(gil)).toHaveText(`In call with ${uri('ivy')}`)

  await callScreen(gil).getByRole('button', { name: 'Merge calls' }).click()
  await expect(status(gil)).toHaveText(`Three-way call with ${uri('hal')} and ${uri('ivy')}`)
  await expect(lineOf(gil, 'hal')).toContainText(`In call with ${uri('hal')}`)
  // With our microphone muted, what Hal and Ivy still hear can only be each other, mixed in
  // Gil's page: the sound each hears keeps rising by more than a jitter buffer's worth.
  await callScreen(gil).getByRole('button', { name: 'Mute', exact: true }).click()
  await expect(callScreen(gil).getByRole('button', { name: 'Unmute' })).toBeVisible()
  for (const page of [hal, ivy]) {
    await expect.poll(() => heard(page), { timeout: 20_000 }).toBeGreaterThan(0)
    const before = await heard(page)
    await expect.poll(() => heard(page), { timeout: 20_000 }).toBeGreaterThan(before + 0.05)
  }

  await callScreen(gil).getByRole('button', { name: 'Split' }).click()
  await expect(status(gil)).toHaveText(`In call with ${uri('ivy')}`)
  await expect(lineOf(gil, 'hal')).toContainText(`On hold with ${uri('hal')}`)
  await hangUpButton(hal).click()
  await expect(status(gil)).toHaveText(`In call with ${uri('ivy')}`)
  await hangUpButton(gil).click()
  await expect(status(ivy)).toHaveText('The other side hung up')
})
