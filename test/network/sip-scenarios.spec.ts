/**
 * A phone call (Holdfast to a baresip far end through Janus's SIP plugin and kamailio, all
 * on the server side) through what laptops do: Wi-Fi to cellular, a short sleep, a long
 * sleep and a socket cut. Each asserts what the user, the far end and the registrar see;
 * none asserts a time.
 */
import type { Page } from '@playwright/test'
import { labAddresses, type NetLab } from '../lab/netlab'
import {
  appShell,
  callScreen,
  hangUpButton,
  keypad,
  returnToCall,
  shownSessionId,
} from '../lab/screens'
import {
  dialDesk,
  expect,
  incidents,
  labWindows,
  openScreen,
  registerInLab,
  shownNumber,
  test,
  type SipWorld,
} from './fixtures'

test.use({ labOptions: { sip: true } })

const desk = `sip:desk@${labAddresses.server}`

/**
 * Registers `laptop`, calls the far end and waits for audio both ways. Returns the session
 * and how many REGISTERs the registrar has seen from `laptop` so far.
 */
async function phoneCallInLab(
  page: Page,
  lab: NetLab,
  sip: SipWorld,
  options: { voicemail?: boolean } = {},
): Promise<{ sessionId: number; registers: number }> {
  await registerInLab(page, lab, sip, {}, options)
  const sessionId = await shownSessionId(page)
  await dialDesk(page)
  await sip.farEnd.waitFor('the call', (e) => e.type === 'CALL_ESTABLISHED')
  await sip.farEnd.waitFor('our audio', (e) => e.type === 'CALL_RTPESTAB')
  await audioRising(page)
  return { sessionId, registers: sip.registrar.registers('laptop') }
}

/** Audio from the far end keeps arriving: the counter rises past where it is now. */
async function audioRising(page: Page, timeout = 30_000): Promise<void> {
  const before = await shownNumber(page, 'sip-audio-in')
  await expect.poll(() => shownNumber(page, 'sip-audio-in'), { timeout }).toBeGreaterThan(before)
}

/** Our audio reaches the far end: a tone sent in the media (RFC 2833) is heard there. */
async function toneHeard(page: Page, sip: SipWorld, digit: string): Promise<void> {
  const heard = sip.farEnd.tones()
  await (await keypad(page)).getByRole('button', { name: digit }).click()
  await expect.poll(() => sip.farEnd.tones(), { timeout: 15_000 }).toBe(heard + digit)
}

/** The same call carried on: same session, still in the call, audio flowing both ways. */
async function sameCallCarriesOn(
  page: Page,
  lab: NetLab,
  sip: SipWorld,
  { sessionId, registers }: { sessionId: number; registers: number },
  digit: string,
  /** Calls the far end saw close meanwhile that were not this one. */
  otherCallsClosed = 0,
): Promise<void> {
  await expect(page.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 })
  expect(await shownSessionId(page)).toBe(sessionId)
  expect(await lab.sessions()).toEqual([sessionId])
  await returnToCall(page)
  await expect(page.getByTestId('sip-call-status')).toHaveText(`In call with ${desk}`)
  await audioRising(page)
  await toneHeard(page, sip, digit)
  // Recovering showed the user no error (the call-state check after the claim is silent).
  await expect(page.getByTestId('sip-error')).toHaveCount(0)
  expect(sip.farEnd.events.filter((e) => e.type === 'CALL_CLOSED')).toHaveLength(otherCallsClosed)
  // Reconnecting never registered again (a known bug of other SIP stacks).
  expect(sip.registrar.registers('laptop')).toBe(registers)
}

test('Wi-Fi to cellular mid-call: the call continues, its media restarted over the new address', async ({
  page,
  lab,
  sip,
}) => {
  const call = await phoneCallInLab(page, lab, sip)
  lab.switchUplink('cell')
  await expect(
    (await incidents(page)).locator('[data-kind="media-back"]', { hasText: 'sip' }),
  ).not.toHaveCount(0, { timeout: 45_000 })
  await sameCallCarriesOn(page, lab, sip, call, '5')
})

test('a short sleep mid-call: the call continues', async ({ page, lab, sip }) => {
  const call = await phoneCallInLab(page, lab, sip)
  await lab.sleep(4000)
  await sameCallCarriesOn(page, lab, sip, call, '7')
})

test('a socket cut mid-call: the session is claimed again, the call continues, no second REGISTER', async ({
  page,
  lab,
  sip,
}) => {
  const call = await phoneCallInLab(page, lab, sip)
  await page.context().setOffline(true)
  await expect(page.getByTestId('connection-status')).toHaveText(/^Reconnecting/)
  await page.context().setOffline(false)
  await sameCallCarriesOn(page, lab, sip, call, '9')
})

test('a long sleep mid-call: the call ends with the reason, the far end hears the hang-up, the account registers again', async ({
  page,
  lab,
  sip,
}) => {
  const call = await phoneCallInLab(page, lab, sip)
  // Longer than the session timeout plus the watchdog's two ticks: Janus surely destroyed it.
  await lab.sleep((labWindows.sessionTimeoutS + 7) * 1000)
  // Janus hung up for us while we slept (BYE to the far end) ...
  await sip.farEnd.waitFor('the hang-up', (e) => e.type === 'CALL_CLOSED', 5_000)
  // ... and the phone says so, nothing looks alive, and it registers again by itself.
  await expect(page.getByTestId('sip-call-status')).toHaveText(
    'Call dropped: the connection was lost for too long',
    { timeout: 45_000 },
  )
  await expect(callScreen(page)).toHaveCount(0)
  await expect(appShell(page)).toHaveAttribute('data-cues', /\bdropped\b/)
  const last = page.getByTestId('recent-calls').locator('li').first()
  await expect(last).toContainText('Call dropped')
  await expect(last).toContainText(desk)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  expect(await shownSessionId(page)).not.toBe(call.sessionId)
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
  expect(sip.registrar.registers('laptop')).toBeGreaterThan(call.registers)
})

/**
 * A dead path (nothing closes): once the laptop has noticed, `meanwhile` runs on the server
 * side, whose events to the laptop are dropped; then the path comes back.
 */
async function whileCutOff(page: Page, lab: NetLab, meanwhile: () => Promise<unknown>) {
  lab.cutForwarding()
  await expect(page.getByTestId('connection-status')).toHaveText(/^Reconnecting/)
  await meanwhile()
  lab.restoreForwarding()
}

test('the far end hangs up while the laptop is cut off: after the claim the call ends in the UI too', async ({
  page,
  lab,
  sip,
}) => {
  const call = await phoneCallInLab(page, lab, sip)
  await whileCutOff(page, lab, async () => {
    // The far end hangs up now: Janus's hang-up event has nowhere to go and is dropped.
    await sip.farEnd.command('hangup')
    await sip.farEnd.waitFor('the hang-up', (e) => e.type === 'CALL_CLOSED')
  })
  await expect(page.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 })
  await expect(page.getByTestId('sip-call-status')).toHaveText(
    'The call ended while you were offline',
  )
  await expect(callScreen(page)).toHaveCount(0)
  expect(await shownSessionId(page)).toBe(call.sessionId)
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
  expect(sip.registrar.registers('laptop')).toBe(call.registers)
})

test('a second call that rings while the laptop is cut off is found after the claim: declined as unavailable, kept as missed, the first call goes on', async ({
  page,
  lab,
  sip,
}) => {
  const call = await phoneCallInLab(page, lab, sip)
  await whileCutOff(page, lab, async () => {
    // The far end calls again: Janus rings the spare line, and its incomingcall is dropped.
    await sip.farEnd.command('dial', `sip:laptop@${labAddresses.server}`)
    await sip.farEnd.waitFor('our line ringing', (e) => e.type === 'CALL_RINGING')
  })
  await sip.farEnd.waitFor(
    'the waiting call declined',
    (e) => e.type === 'CALL_CLOSED' && /480/.test(String(e.param)),
    30_000,
  )
  await sameCallCarriesOn(page, lab, sip, call, '7', 1)
  // Nothing rings or waits that cannot be answered, and History says what happened.
  await expect(callScreen(page).getByTestId('call-lines')).toHaveCount(0)
  await expect(page.getByText(/Call waiting/)).toHaveCount(0)
  await hangUpButton(page).click()
  await expect(page.getByTestId('sip-call-status')).toHaveText('Call ended')
  const missed = page.getByTestId('recent-calls').locator('li[data-missed="true"]')
  await expect(missed).toHaveCount(1)
  await expect(missed).toContainText('Unknown caller')
  await expect(missed).toContainText('it rang while you were offline')
})

test.describe('a call still ringing out while the laptop is cut off', () => {
  test.use({ farEndAnswer: 'manual' })

  /** Registers, dials the far end and waits until it rings there. */
  async function ringingOut(page: Page, lab: NetLab, sip: SipWorld) {
    await registerInLab(page, lab, sip)
    await openScreen(page, 'Phone')
    await page.getByLabel('Number or SIP address').fill('desk')
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    await sip.farEnd.waitFor('the call ringing there', (e) => e.type === 'CALL_INCOMING')
    await expect(page.getByTestId('sip-call-status')).toHaveText(/^(Calling|Ringing) /)
  }

  const cases = [
    {
      what: 'declined meanwhile: after the claim the call ends instead of ringing on',
      farEnd: { command: 'hangup', event: 'CALL_CLOSED' },
      shown: 'The call ended while you were offline',
    },
    {
      what: 'answered meanwhile: the answer is lost, so the call is hung up with the reason, not left silent',
      farEnd: { command: 'accept', event: 'CALL_ESTABLISHED' },
      shown: 'Call dropped: it was answered while you were offline; call again',
    },
  ]
  for (const { what, farEnd, shown } of cases)
    test(what, async ({ page, lab, sip }) => {
      await ringingOut(page, lab, sip)
      await whileCutOff(page, lab, async () => {
        await sip.farEnd.command(farEnd.command)
        await sip.farEnd.waitFor(farEnd.event, (e) => e.type === farEnd.event)
      })
      await expect(page.getByTestId('connection-status')).toHaveText('Connected', {
        timeout: 30_000,
      })
      await expect(page.getByTestId('sip-call-status')).toHaveText(shown)
      // Either way the far end has no call left with us.
      await sip.farEnd.waitFor('the call closed there', (e) => e.type === 'CALL_CLOSED')
    })
})

/** Two calls with the far end: the first on hold, the second in front, audio arriving. */
async function twoCallsInLab(
  page: Page,
  lab: NetLab,
  sip: SipWorld,
  options: { voicemail?: boolean } = {},
) {
  const call = await phoneCallInLab(page, lab, sip, options)
  await callScreen(page).getByRole('button', { name: 'Add call' }).click()
  await page.getByLabel('Number or SIP address').fill('desk')
  await page.getByRole('button', { name: 'Call', exact: true }).click()
  await expect(page.getByTestId('sip-call-status')).toHaveText(`In call with ${desk}`)
  const established = () => sip.farEnd.events.filter((e) => e.type === 'CALL_ESTABLISHED').length
  await expect.poll(established).toBe(2)
  await expect(callScreen(page).getByTestId('call-lines').locator('li')).toHaveCount(2)
  await audioRising(page)
  return call
}

test('a socket cut with two calls up: the session is claimed again and both calls carry on', async ({
  page,
  lab,
  sip,
}) => {
  const call = await twoCallsInLab(page, lab, sip)
  await page.context().setOffline(true)
  await expect(page.getByTestId('connection-status')).toHaveText(/^Reconnecting/)
  await page.context().setOffline(false)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected', { timeout: 30_000 })
  expect(await shownSessionId(page)).toBe(call.sessionId)
  await returnToCall(page)
  const lines = callScreen(page).getByTestId('call-lines').locator('li')
  await expect(lines.nth(0)).toContainText(`On hold with ${desk}`)
  await expect(lines.nth(1)).toContainText(`In call with ${desk}`)
  await audioRising(page)
  // The held call is brought back, and its audio flows too.
  await lines
    .nth(0)
    .getByRole('button', { name: `Switch to the call with ${desk}` })
    .click()
  await expect(lines.nth(1)).toContainText(`On hold with ${desk}`)
  await audioRising(page)
  await toneHeard(page, sip, '3')
  expect(sip.farEnd.events.some((e) => e.type === 'CALL_CLOSED')).toBe(false)
  expect(sip.registrar.registers('laptop')).toBe(call.registers)
})

test('a long sleep with two calls up: both end with the reason, nothing is left ringing or on hold, and the account and its voicemail subscription are back', async ({
  page,
  lab,
  sip,
}) => {
  sip.voicemail.setMessages(2, 0)
  const call = await twoCallsInLab(page, lab, sip, { voicemail: true })
  await openScreen(page, 'Phone')
  await expect(page.getByTestId('voicemail')).toHaveText('Voicemail: 2 new messages')
  const subscribes = sip.voicemail.subscribes()
  await lab.sleep((labWindows.sessionTimeoutS + 7) * 1000)
  const closed = () => sip.farEnd.events.filter((e) => e.type === 'CALL_CLOSED').length
  await expect.poll(closed, { timeout: 30_000 }).toBe(2)
  await expect(page.getByTestId('sip-call-status')).toHaveText(
    'Call dropped: the connection was lost for too long',
    { timeout: 45_000 },
  )
  await expect(callScreen(page)).toHaveCount(0)
  const recent = page.getByTestId('recent-calls').locator('li')
  for (const i of [0, 1]) await expect(recent.nth(i)).toContainText('Call dropped')
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  expect(await shownSessionId(page)).not.toBe(call.sessionId)
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
  expect(sip.registrar.registers('laptop')).toBeGreaterThan(call.registers)
  // The mailbox is subscribed to again on the new session: a new count reaches the screen.
  expect(sip.voicemail.subscribes()).toBeGreaterThan(subscribes)
  sip.voicemail.setMessages(4, 1)
  await openScreen(page, 'Phone')
  await expect(page.getByTestId('voicemail')).toHaveText('Voicemail: 4 new messages')
  // No helper line survives on the server: the new session holds the registered handle only.
  const sessions = await lab.sessions()
  expect(sessions).toHaveLength(1)
  await expect.poll(async () => (await lab.handles(sessions[0]!)).length).toBe(1)
})

test('Janus restarted mid-call while the registrar is away: the call ends with the reason, the account registers again once it is back, and the next call goes through', async ({
  page,
  lab,
  sip,
}) => {
  const call = await phoneCallInLab(page, lab, sip)
  await sip.registrar.restart(async () => {
    await lab.janus.restart()
    // The registrar stays away while the phone registers on the new session.
    await expect(page.getByTestId('sip-call-status')).toHaveText(
      'Call dropped: the server no longer had the call (it may have restarted)',
      { timeout: 45_000 },
    )
    await expect(page.getByTestId('sip-registration')).not.toHaveText('Registered')
  })
  await expect(callScreen(page)).toHaveCount(0)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  expect(await shownSessionId(page)).not.toBe(call.sessionId)
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered', { timeout: 45_000 })
  // A user who calls again is in a call with the far end again.
  await dialDesk(page)
  await audioRising(page)
  await toneHeard(page, sip, '4')
})
