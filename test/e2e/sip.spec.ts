/**
 * The softphone in Chromium: two Holdfast pages register with a real registrar (kamailio,
 * digest auth) through Janus's SIP plugin and call each other; audio flows both ways.
 */
import type { Browser } from '@playwright/test'
import { startRegistrar, type Registrar } from '../lab/sip-registrar'
import { expect, test, type Lab } from './fixtures'
import { openPhone, shownNumber } from './sip-world'

const address = process.env.HOLDFAST_E2E_ADDR!
let registrar: Registrar

test.beforeAll(async () => {
  // One pair of users per test: a closed page's session (and its registration) stays
  // claimable for the reclaim window by design, and would take the next test's calls.
  registrar = await startRegistrar(address, {
    alice: 'alice-secret',
    bob: 'bob-secret',
    carol: 'carol-secret',
    dave: 'dave-secret',
    erin: 'erin-secret',
    frank: 'frank-secret',
    gina: 'gina-secret',
    henry: 'henry-secret',
    ivan: 'ivan-secret',
    judy: 'judy-secret',
    kim: 'kim-secret',
    leo: 'leo-secret',
  })
})
test.afterAll(async () => registrar?.stop())

const phone = (
  browser: Browser,
  lab: Lab,
  user: string,
  password: string,
  dtmf?: 'rfc2833' | 'info',
) => openPhone(browser, lab, registrar, user, password, dtmf)
const number = shownNumber

test('two softphones: registered, a call rings, is answered, audio flows both ways, hung up by the callee', async ({
  browser,
  lab,
}) => {
  const alice = await phone(browser, lab, 'alice', 'alice-secret')
  const bob = await phone(browser, lab, 'bob', 'bob-secret')
  await expect(alice.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(bob.getByTestId('sip-registration')).toHaveText('Registered')

  await alice.getByLabel('Number or SIP address').fill('bob')
  await alice.getByRole('button', { name: 'Call', exact: true }).click()
  await expect(bob.getByTestId('sip-call-status')).toHaveText(
    `Incoming call from sip:alice@${address}`,
  )
  const bobPhone = bob.getByRole('region', { name: 'Phone' })
  await expect(bobPhone).toHaveAttribute('data-sound', 'ringtone')
  await bob.getByRole('button', { name: 'Answer' }).click()
  await expect(bobPhone).toHaveAttribute('data-sound', 'none')
  await expect(alice.getByTestId('sip-call-status')).toHaveText(`In call with sip:bob@${address}`)
  await expect(bob.getByTestId('sip-call-status')).toHaveText(`In call with sip:alice@${address}`)

  for (const side of [alice, bob]) {
    await expect.poll(() => number(side, 'sip-audio-in'), { timeout: 20_000 }).toBeGreaterThan(50)
    const before = await number(side, 'sip-audio-in')
    await expect.poll(() => number(side, 'sip-audio-in')).toBeGreaterThan(before)
  }

  await bob.getByRole('region', { name: 'Phone' }).getByRole('button', { name: 'Hang up' }).click()
  await expect(bob.getByTestId('sip-call-status')).toHaveText('Call ended')
  await expect(alice.getByTestId('sip-call-status')).toHaveText('The other side hung up')
  await expect(alice.getByTestId('call-history').locator('li').first()).toContainText(
    `sip:bob@${address}`,
  )
  await expect(alice.getByTestId('call-history').locator('li').first()).toContainText(
    'The other side hung up',
  )
})

test('a declined call says so to the caller', async ({ browser, lab }) => {
  const carol = await phone(browser, lab, 'carol', 'carol-secret')
  const dave = await phone(browser, lab, 'dave', 'dave-secret')
  await expect(dave.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(carol.getByTestId('sip-registration')).toHaveText('Registered')
  await carol.getByLabel('Number or SIP address').fill(`sip:dave@${address}`)
  await carol.getByRole('button', { name: 'Call', exact: true }).click()
  await expect(dave.getByRole('button', { name: 'Decline' })).toBeVisible()
  await dave.getByRole('button', { name: 'Decline' }).click()
  await expect(carol.getByTestId('sip-call-status')).toHaveText('Call declined')
  await expect(dave.getByTestId('sip-call-status')).toHaveText('Call declined')
})

test('a wrong password is shown as wrong credentials', async ({ browser, lab }) => {
  const erin = await phone(browser, lab, 'erin', 'wrong-password')
  await expect(erin.getByTestId('sip-registration')).toHaveText(
    'Registration failed: wrong username or password',
  )
})

test('calling someone who is not registered ends as not found', async ({ browser, lab }) => {
  const frank = await phone(browser, lab, 'frank', 'frank-secret')
  await expect(frank.getByTestId('sip-registration')).toHaveText('Registered')
  await frank.getByLabel('Number or SIP address').fill('nobody')
  await frank.getByRole('button', { name: 'Call', exact: true }).click()
  await expect(frank.getByTestId('sip-call-status')).toHaveText('Number not found')
})

test('hold and resume, and tones sent as SIP INFO reach the other side', async ({
  browser,
  lab,
}) => {
  const gina = await phone(browser, lab, 'gina', 'gina-secret', 'info')
  const henry = await phone(browser, lab, 'henry', 'henry-secret')
  await expect(gina.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(henry.getByTestId('sip-registration')).toHaveText('Registered')
  await gina.getByLabel('Number or SIP address').fill('henry')
  await gina.getByRole('button', { name: 'Call', exact: true }).click()
  await henry.getByRole('button', { name: 'Answer' }).click()
  await expect(gina.getByTestId('sip-call-status')).toHaveText(`In call with sip:henry@${address}`)

  await gina.getByRole('button', { name: 'Hold' }).click()
  await expect(gina.getByTestId('sip-call-status')).toHaveText(`On hold with sip:henry@${address}`)
  await gina.getByRole('button', { name: 'Resume' }).click()
  await expect(gina.getByTestId('sip-call-status')).toHaveText(`In call with sip:henry@${address}`)

  const pad = gina.getByRole('group', { name: 'Dial pad' })
  for (const digit of ['1', '2', '#'])
    await pad.getByRole('button', { name: digit, exact: true }).click()
  await expect(henry.getByTestId('sip-tones')).toHaveText('Tones received: 12#')
})

test('offline then online mid-call: the same session, the call continues with media restarted, no second REGISTER', async ({
  browser,
  lab,
}) => {
  const ivan = await phone(browser, lab, 'ivan', 'ivan-secret')
  const judy = await phone(browser, lab, 'judy', 'judy-secret')
  await expect(ivan.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(judy.getByTestId('sip-registration')).toHaveText('Registered')
  const sessionId = Number(await ivan.getByTestId('session-id').textContent())
  const registers = registrar.registers('ivan')
  await ivan.getByLabel('Number or SIP address').fill('judy')
  await ivan.getByRole('button', { name: 'Call', exact: true }).click()
  await judy.getByRole('button', { name: 'Answer' }).click()
  await expect(ivan.getByTestId('sip-call-status')).toHaveText(`In call with sip:judy@${address}`)
  await expect.poll(() => number(ivan, 'sip-audio-in'), { timeout: 20_000 }).toBeGreaterThan(50)

  await ivan.context().setOffline(true)
  await expect(ivan.getByTestId('connection-status')).toHaveText(/^Reconnecting/)
  await ivan.context().setOffline(false)
  await expect(ivan.getByTestId('connection-status')).toHaveText('Connected')
  expect(Number(await ivan.getByTestId('session-id').textContent())).toBe(sessionId)
  const incidents = ivan.getByTestId('incidents')
  await expect(
    incidents.locator('[data-kind="media-restart"]', { hasText: 'sip' }),
  ).not.toHaveCount(0)
  await expect(incidents.locator('[data-kind="media-back"]', { hasText: 'sip' })).not.toHaveCount(0)
  await expect(ivan.getByTestId('sip-call-status')).toHaveText(`In call with sip:judy@${address}`)
  for (const side of [ivan, judy]) {
    const before = await number(side, 'sip-audio-in')
    await expect.poll(() => number(side, 'sip-audio-in')).toBeGreaterThan(before)
  }
  expect(registrar.registers('ivan')).toBe(registers)
})

test('the session lost mid-call (Janus restarted): the call ends with the reason and both phones register again', async ({
  browser,
  lab,
}) => {
  const kim = await phone(browser, lab, 'kim', 'kim-secret')
  const leo = await phone(browser, lab, 'leo', 'leo-secret')
  await expect(kim.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(leo.getByTestId('sip-registration')).toHaveText('Registered')
  await kim.getByLabel('Number or SIP address').fill('leo')
  await kim.getByRole('button', { name: 'Call', exact: true }).click()
  await leo.getByRole('button', { name: 'Answer' }).click()
  await expect(kim.getByTestId('sip-call-status')).toHaveText(`In call with sip:leo@${address}`)
  const registers = registrar.registers('kim')

  await lab.janus.restart()
  for (const side of [kim, leo]) {
    await expect(side.getByTestId('sip-call-status')).toHaveText(
      'Call dropped: the connection was lost for too long',
    )
    await expect(side.getByTestId('connection-status')).toHaveText('Connected')
    await expect(side.getByTestId('sip-registration')).toHaveText('Registered')
    await expect(
      side.getByRole('region', { name: 'Phone' }).getByRole('button', { name: 'Hang up' }),
    ).toHaveCount(0)
    // The drop was heard, not only shown.
    await expect(side.getByRole('region', { name: 'Phone' })).toHaveAttribute(
      'data-cues',
      /\bdropped\b/,
    )
  }
  await expect(kim.getByTestId('call-history').locator('li').first()).toContainText('Call dropped')
  expect(registrar.registers('kim')).toBeGreaterThan(registers)
})

test('a tel: link opens the dialer with the number filled in', async ({ page, lab }) => {
  await page.goto(`${lab.appUrl}&dial=${encodeURIComponent('tel:+1-555-010-0199')}`)
  await expect(page.getByLabel('Number or SIP address')).toHaveValue('+15550100199')
})
