/**
 * The softphone in Chromium: two Holdfast pages register with a real registrar (kamailio,
 * digest auth) through Janus's SIP plugin and call each other; audio flows both ways.
 */
import type { Browser } from '@playwright/test'
import { startRegistrar, type Registrar } from '../lab/sip-registrar'
import { startVoicemailServer, type VoicemailServer } from '../lab/voicemail-server'
import {
  disconnect,
  expect,
  incidents,
  openScreen,
  shownSessionId,
  skipSetupIfShown,
  test,
  type Lab,
} from './fixtures'

import {
  appShell,
  call,
  callScreen,
  closePhones,
  hangUpButton,
  keypad,
  moreAccountSettings,
  openPhone,
  returnToCall,
  shownNumber,
} from './sip-world'

test.afterEach(closePhones)

const address = process.env.HOLDFAST_E2E_ADDR!
let registrar: Registrar
let voicemail: VoicemailServer

test.beforeAll(async () => {
  // The registrar sends requests for "voicemail" to this server (RFC 3842's notifier).
  voicemail = await startVoicemailServer(address, `sip:voicemail@${address}`)
  // One pair of users per test: a closed page's session (and its registration) stays
  // claimable for the reclaim window by design, and would take the next test's calls.
  registrar = await startRegistrar(
    address,
    {
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
      mike: 'mike-secret',
      nora: 'nora-secret',
      olga: 'olga-secret',
      pete: 'pete-secret',
      rosa: 'rosa-secret',
      sam: 'sam-secret',
      tina: 'tina-secret',
      uma: 'uma-secret',
      vera: 'vera-secret',
      walt: 'walt-secret',
      xena: 'xena-secret',
      yuri: 'yuri-secret',
      zack: 'zack-secret',
    },
    [],
    address,
    undefined,
    { voicemail: voicemail.uri },
  )
})
test.afterAll(async () => {
  await registrar?.stop()
  await voicemail?.stop()
})

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

  await call(alice, 'bob')
  await expect(bob.getByTestId('sip-call-status')).toHaveText(
    `Incoming call from sip:alice@${address}`,
  )
  const bobApp = appShell(bob)
  await expect(bobApp).toHaveAttribute('data-sound', 'ringtone')
  await bob.getByRole('button', { name: 'Answer' }).click()
  await expect(bobApp).toHaveAttribute('data-sound', 'none')
  await expect(alice.getByTestId('sip-call-status')).toHaveText(`In call with sip:bob@${address}`)
  await expect(bob.getByTestId('sip-call-status')).toHaveText(`In call with sip:alice@${address}`)

  for (const side of [alice, bob]) {
    await expect.poll(() => number(side, 'sip-audio-in'), { timeout: 20_000 }).toBeGreaterThan(50)
    const before = await number(side, 'sip-audio-in')
    await expect.poll(() => number(side, 'sip-audio-in')).toBeGreaterThan(before)
  }

  await hangUpButton(bob).click()
  await expect(bob.getByTestId('sip-call-status')).toHaveText('Call ended')
  await expect(alice.getByTestId('sip-call-status')).toHaveText('The other side hung up')
  await openScreen(alice, 'History')
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
  await call(carol, `sip:dave@${address}`)
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
  await call(frank, 'nobody')
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
  await call(gina, 'henry')
  await henry.getByRole('button', { name: 'Answer' }).click()
  await expect(gina.getByTestId('sip-call-status')).toHaveText(`In call with sip:henry@${address}`)

  await gina.getByRole('button', { name: 'Hold' }).click()
  await expect(gina.getByTestId('sip-call-status')).toHaveText(`On hold with sip:henry@${address}`)
  await gina.getByRole('button', { name: 'Resume' }).click()
  await expect(gina.getByTestId('sip-call-status')).toHaveText(`In call with sip:henry@${address}`)

  const pad = await keypad(gina)
  for (const digit of ['1', '2', '#'])
    await pad.getByRole('button', { name: digit, exact: true }).click()
  await expect(henry.getByTestId('sip-tones')).toHaveText('Tones received: 12#')
})

test('offline then online mid-call (the path itself never broke): the same session, the call continues on its path, no second REGISTER', async ({
  browser,
  lab,
}) => {
  const ivan = await phone(browser, lab, 'ivan', 'ivan-secret')
  const judy = await phone(browser, lab, 'judy', 'judy-secret')
  await expect(ivan.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(judy.getByTestId('sip-registration')).toHaveText('Registered')
  const sessionId = await shownSessionId(ivan)
  const registers = registrar.registers('ivan')
  await call(ivan, 'judy')
  await judy.getByRole('button', { name: 'Answer' }).click()
  await expect(ivan.getByTestId('sip-call-status')).toHaveText(`In call with sip:judy@${address}`)
  await expect.poll(() => number(ivan, 'sip-audio-in'), { timeout: 20_000 }).toBeGreaterThan(50)

  await ivan.context().setOffline(true)
  await expect(ivan.getByTestId('connection-status')).toHaveText(/^Reconnecting/)
  await ivan.context().setOffline(false)
  await expect(ivan.getByTestId('connection-status')).toHaveText('Connected')
  expect(await shownSessionId(ivan)).toBe(sessionId)
  // Playwright's offline cuts requests and sockets, not WebRTC's UDP: the call's media reads
  // as arriving once the claim is made, and no ICE restart is made on its working path.
  const timeline = await incidents(ivan)
  await expect(
    timeline.locator('[data-kind="media-back"]', {
      hasText: 'sip: media arrives over the same path',
    }),
  ).not.toHaveCount(0)
  await expect(timeline.locator('[data-kind="media-restart"]', { hasText: 'sip' })).toHaveCount(0)
  await returnToCall(ivan)
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
  await call(kim, 'leo')
  await leo.getByRole('button', { name: 'Answer' }).click()
  await expect(kim.getByTestId('sip-call-status')).toHaveText(`In call with sip:leo@${address}`)
  const registers = registrar.registers('kim')

  await lab.janus.restart()
  for (const side of [kim, leo]) {
    await expect(side.getByTestId('sip-call-status')).toHaveText(
      'Call dropped: the server no longer had the call (it may have restarted)',
    )
    await expect(side.getByTestId('connection-status')).toHaveText('Connected')
    await expect(side.getByTestId('sip-registration')).toHaveText('Registered')
    await expect(callScreen(side)).toHaveCount(0)
    // The drop was heard, not only shown.
    await expect(appShell(side)).toHaveAttribute('data-cues', /\bdropped\b/)
  }
  await expect(kim.getByTestId('recent-calls').locator('li').first()).toContainText('Call dropped')
  expect(registrar.registers('kim')).toBeGreaterThan(registers)
})

test('a video call between two phones: mute, and the microphone and speaker chosen and remembered', async ({
  browser,
  lab,
}) => {
  const mike = await phone(browser, lab, 'mike', 'mike-secret')
  const nora = await phone(browser, lab, 'nora', 'nora-secret')
  // Records the page's PeerConnections, to see which microphone the call sends.
  await mike.addInitScript(() => {
    const pcs: RTCPeerConnection[] = []
    ;(window as unknown as { pcs: RTCPeerConnection[] }).pcs = pcs
    const Native = window.RTCPeerConnection
    window.RTCPeerConnection = function (...args: ConstructorParameters<typeof Native>) {
      const pc = new Native(...args)
      pcs.push(pc)
      return pc
    } as unknown as typeof RTCPeerConnection
    window.RTCPeerConnection.prototype = Native.prototype
  })
  await mike.reload()
  await openScreen(mike, 'Settings', 'Accounts')
  await mike.getByLabel('Password', { exact: true }).fill('mike-secret')
  await mike.getByRole('button', { name: 'Register' }).click()
  for (const side of [mike, nora]) {
    await expect(side.getByTestId('sip-registration')).toHaveText('Registered')
    await openScreen(side, 'Settings', 'Audio and video')
    await side.getByLabel('Video calls').check()
  }
  await call(mike, 'nora')
  await nora.getByRole('button', { name: 'Answer' }).click()
  await expect(mike.getByTestId('sip-call-status')).toHaveText(`In call with sip:nora@${address}`)
  for (const side of [mike, nora]) {
    await expect(callScreen(side).locator('video')).toHaveCount(1)
    await expect
      .poll(() => number(side, 'sip-video-frames'), { timeout: 20_000 })
      .toBeGreaterThan(5)
  }

  // Another microphone, switched to during the call.
  await callScreen(mike).getByRole('button', { name: 'Speaker and microphone' }).click()
  const microphone = callScreen(mike).getByLabel('Microphone', { exact: true })
  await expect(microphone.locator('option')).not.toHaveCount(1)
  const choice = microphone.locator('option').nth(1)
  const [micId, micLabel] = [await choice.getAttribute('value'), await choice.textContent()]
  await microphone.selectOption(micId!)
  await expect
    .poll(() =>
      mike.evaluate(() =>
        (window as unknown as { pcs: RTCPeerConnection[] }).pcs
          .flatMap((pc) => pc.getSenders())
          .map((s) => s.track)
          .filter((t) => t?.kind === 'audio' && t.readyState === 'live')
          .map((t) => t!.label),
      ),
    )
    .toEqual([micLabel!.trim()])

  // Another speaker: the call's audio element plays there.
  const speaker = callScreen(mike).getByLabel('Speaker', { exact: true })
  await expect(speaker.locator('option')).not.toHaveCount(1)
  const speakerId = await speaker.locator('option').nth(1).getAttribute('value')
  await speaker.selectOption(speakerId!)
  await expect
    .poll(() => mike.getByTestId('sip-audio').evaluate((a) => (a as HTMLAudioElement).sinkId))
    .toBe(speakerId)

  // Mute stops the microphone going out, and Unmute brings it back.
  const sending = (kind: 'audio' | 'video' = 'audio') =>
    mike.evaluate(
      (k) =>
        (window as unknown as { pcs: RTCPeerConnection[] }).pcs
          .flatMap((pc) => pc.getSenders())
          .filter((s) => s.track?.kind === k && s.track.readyState === 'live')
          .map((s) => s.track!.enabled),
      kind,
    )
  const mikePhone = callScreen(mike)
  await mikePhone.getByRole('button', { name: 'Mute', exact: true }).click()
  await expect(mikePhone.getByRole('button', { name: 'Unmute' })).toHaveAttribute(
    'aria-pressed',
    'true',
  )
  expect(await sending()).toEqual([false])
  await mikePhone.getByRole('button', { name: 'Unmute' }).click()
  expect(await sending()).toEqual([true])
  // The camera turns off (black frames) and on again.
  await mikePhone.getByRole('button', { name: 'Turn camera off' }).click()
  await expect(mikePhone.getByRole('button', { name: 'Turn camera on' })).toHaveAttribute(
    'aria-pressed',
    'true',
  )
  expect(await sending('video')).toEqual([false])
  await mikePhone.getByRole('button', { name: 'Turn camera on' }).click()
  expect(await sending('video')).toEqual([true])

  // Both are remembered.
  await hangUpButton(mike).click()
  await mike.reload()
  await openScreen(mike, 'Settings', 'Audio and video')
  await expect(mike.getByLabel('Microphone', { exact: true })).toHaveValue(micId!)
  await expect(mike.getByLabel('Speaker', { exact: true })).toHaveValue(speakerId!)
  await expect(mike.getByLabel('Video calls')).toBeChecked()
})

test('several accounts are kept; switching registers the other; the web build keeps passwords in memory only', async ({
  browser,
  lab,
}) => {
  const page = await phone(browser, lab, 'olga', 'olga-secret')
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
  await openScreen(page, 'Settings', 'Accounts')
  await expect(page.getByTestId('sip-password-note')).toHaveText(
    'In the web build passwords are kept in memory only and forgotten on reload.',
  )
  await page.getByLabel('Account', { exact: true }).selectOption('')
  await expect(page.getByLabel('SIP address', { exact: true })).toHaveValue('')
  await page.getByLabel('SIP address', { exact: true }).fill(`sip:pete@${address}`)
  await page.getByLabel('Password', { exact: true }).fill('pete-secret')
  await page.getByLabel('Registrar', { exact: true }).fill(registrar.uri)
  await moreAccountSettings(page)
  await page.getByLabel('Transport').selectOption('udp')
  const peteBefore = registrar.registers('pete')
  await page.getByRole('button', { name: 'Register' }).click()
  await expect.poll(() => registrar.registers('pete')).toBeGreaterThan(peteBefore)
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')

  // Back to the first account: its password is still known in this page.
  await page.getByLabel('Account', { exact: true }).selectOption(`sip:olga@${address}`)
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('olga-secret')
  const olgaBefore = registrar.registers('olga')
  await page.getByRole('button', { name: 'Register' }).click()
  await expect.poll(() => registrar.registers('olga')).toBeGreaterThan(olgaBefore)
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')

  // After a reload both accounts are listed, the active one shown, and no password kept.
  await page.reload()
  await openScreen(page, 'Settings', 'Accounts')
  await expect(page.getByLabel('Account', { exact: true }).locator('option')).toHaveText([
    'New account…',
    `sip:olga@${address}`,
    `sip:pete@${address}`,
  ])
  await expect(page.getByLabel('SIP address', { exact: true })).toHaveValue(`sip:olga@${address}`)
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('')
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }))
  expect(stored).not.toContain('olga-secret')
  expect(stored).not.toContain('pete-secret')
})

test('a registrar that cannot be reached is tried again by itself until the phone is registered', async ({
  browser,
  lab,
}) => {
  // A registrar of its own, stopped before the phone first tries it.
  const users = { quin: 'quin-secret' }
  const flaky = await startRegistrar(address, users)
  await flaky.stop()
  const page = await openPhone(browser, lab, flaky, 'quin', 'quin-secret')
  await expect(page.getByTestId('sip-registration')).toHaveText(
    /^Registration failed: the registrar could not be reached \(\d+\); trying again$/,
    { timeout: 45_000 },
  )
  const back = await startRegistrar(address, users, [], address, flaky.port)
  try {
    await expect(page.getByTestId('sip-registration')).toHaveText('Registered', {
      timeout: 45_000,
    })
    expect(back.registers('quin')).toBeGreaterThan(0)
  } finally {
    await back.stop()
  }
})

test('a tel: link opens the dialer with the number filled in', async ({ page, lab }) => {
  await page.goto(`${lab.appUrl}&dial=${encodeURIComponent('tel:+1-555-010-0199')}`)
  await skipSetupIfShown(page)
  await expect(page.getByLabel('Number or SIP address')).toHaveValue('+15550100199')
})

test('a malformed tel: link is refused with a message, and the page keeps working', async ({
  page,
  lab,
}) => {
  await page.goto(`${lab.appUrl}&dial=${encodeURIComponent('tel:%')}`)
  await skipSetupIfShown(page)
  await expect(page.getByTestId('sip-error')).toHaveText(
    'Cannot dial the link "tel:%": it is not properly encoded.',
  )
  await expect(page.getByLabel('Number or SIP address')).toHaveValue('')
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
})

test('Disconnect during a phone call ends it with the reason, hangs it up on the far end and unregisters', async ({
  browser,
  lab,
}) => {
  const rosa = await phone(browser, lab, 'rosa', 'rosa-secret')
  const sam = await phone(browser, lab, 'sam', 'sam-secret')
  await expect(rosa.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(sam.getByTestId('sip-registration')).toHaveText('Registered')
  const sessionId = await shownSessionId(rosa)
  await call(rosa, 'sam')
  await sam.getByRole('button', { name: 'Answer' }).click()
  await expect(rosa.getByTestId('sip-call-status')).toHaveText(`In call with sip:sam@${address}`)
  const registersBefore = registrar.registers('rosa')

  await disconnect(rosa)
  await expect(rosa.getByTestId('connection-status')).toHaveText('Disconnected')
  await openScreen(rosa, 'Phone')
  await expect(rosa.getByTestId('sip-call-status')).toHaveText('Call ended: you disconnected')
  await expect(rosa.getByTestId('sip-registration')).toHaveText('Not registered')
  await expect(sam.getByTestId('sip-call-status')).toHaveText('The other side hung up')
  // The unregister (a REGISTER with Expires: 0) reached the registrar.
  expect(registrar.registers('rosa')).toBeGreaterThan(registersBefore)
  expect(await lab.sessions()).not.toContain(sessionId)
})

test('a caller in the address book is named on the call screen and in the history, and the dial pad finds them by name', async ({
  browser,
  lab,
}) => {
  const tina = await phone(browser, lab, 'tina', 'tina-secret')
  const uma = await phone(browser, lab, 'uma', 'uma-secret')
  await openScreen(tina, 'Contacts')
  await tina.getByRole('button', { name: 'Add contact' }).click()
  await tina.getByLabel('Name').fill('Uma Reyes')
  await tina.getByLabel('SIP addresses (one per line)').fill(`uma@${address}`)
  await tina.getByRole('button', { name: 'Save contact' }).click()
  await expect(tina.getByTestId('contacts-notice')).toHaveText('Saved Uma Reyes.')

  await call(uma, 'tina')
  await expect(tina.getByTestId('sip-peer-name')).toHaveText('Uma Reyes')
  await callScreen(tina).getByRole('button', { name: 'Decline' }).click()
  await expect(uma.getByTestId('sip-call-status')).toHaveText('Call declined')
  await openScreen(tina, 'History')
  await expect(tina.getByTestId('call-history').locator('li').first()).toContainText(
    `Uma Reyes (sip:uma@${address})`,
  )

  await openScreen(tina, 'Phone')
  await tina.getByLabel('Number or SIP address').fill('rey')
  await tina
    .getByTestId('suggestions')
    .getByRole('button', { name: `Call Uma Reyes (sip:uma@${address})` })
    .click()
  await expect(uma.getByTestId('sip-call-status')).toHaveText(
    `Incoming call from sip:tina@${address}`,
  )
})

test('do not disturb: the caller hears busy, nothing rings, the call is kept as missed; off, calls ring again', async ({
  browser,
  lab,
}) => {
  const vera = await phone(browser, lab, 'vera', 'vera-secret')
  const walt = await phone(browser, lab, 'walt', 'walt-secret')
  await expect(vera.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(walt.getByTestId('sip-registration')).toHaveText('Registered')
  await openScreen(vera, 'Phone')
  await vera.getByRole('checkbox', { name: 'Do not disturb' }).check()
  await expect(vera.getByTestId('do-not-disturb-note')).toBeVisible()

  await call(walt, 'vera')
  await expect(walt.getByTestId('sip-call-status')).toHaveText('Busy')
  await expect(appShell(vera)).toHaveAttribute('data-sound', 'none')
  await expect(vera.getByTestId('sip-call-status')).not.toContainText('Incoming call')
  await openScreen(vera, 'History')
  await expect(vera.getByTestId('call-history').locator('li').first()).toContainText(
    'Missed call (do not disturb was on)',
  )

  // Turned off, the phone rings again.
  await openScreen(vera, 'Phone')
  await vera.getByRole('checkbox', { name: 'Do not disturb' }).uncheck()
  await expect(vera.getByTestId('do-not-disturb-note')).toBeHidden()
  await call(walt, 'vera')
  await expect(vera.getByTestId('sip-call-status')).toHaveText(
    `Incoming call from sip:walt@${address}`,
  )
})

test('text messages both ways: unread counted, delivered, kept after a reload, and one to nobody says why', async ({
  browser,
  lab,
}) => {
  const xena = await phone(browser, lab, 'xena', 'xena-secret')
  const yuri = await phone(browser, lab, 'yuri', 'yuri-secret')
  await expect(xena.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(yuri.getByTestId('sip-registration')).toHaveText('Registered')
  const send = async (page: typeof xena, text: string) => {
    await page.getByTestId('message-draft').fill(text)
    await page.getByTestId('message-send').click()
  }
  const lastMessage = (page: typeof xena) =>
    page.getByTestId('thread-messages').locator('li').last()

  await openScreen(xena, 'Messages')
  await xena.getByTestId('message-to').fill('yuri')
  await xena.getByRole('button', { name: 'New conversation' }).click()
  await send(xena, 'Lunch at noon?')
  await expect(lastMessage(xena)).toContainText('Lunch at noon?')
  await expect(lastMessage(xena).getByTestId('message-status')).toContainText('Delivered')

  await expect(yuri.getByTestId('unread-badge')).toHaveText('1')
  await openScreen(yuri, 'Messages')
  const conversation = yuri.getByTestId('conversations').locator('li').first()
  await expect(conversation).toContainText('Lunch at noon?')
  await conversation.getByRole('button').click()
  await expect(yuri.getByTestId('unread-badge')).toBeHidden()
  await send(yuri, 'Yes, see you there')
  await expect(lastMessage(yuri).getByTestId('message-status')).toContainText('Delivered')
  await expect(lastMessage(xena)).toContainText('Yes, see you there')

  // The conversation outlives the page.
  await yuri.reload()
  await openScreen(yuri, 'Messages')
  await expect(yuri.getByTestId('conversations')).toContainText('Yes, see you there')

  // Nobody is registered as "nobody": the message says so instead of looking sent.
  await xena.getByTestId('message-to').fill('nobody')
  await xena.getByRole('button', { name: 'New conversation' }).click()
  await send(xena, 'hello?')
  await expect(lastMessage(xena).getByTestId('message-status')).toContainText(
    'Not delivered: nobody is registered at that address (404)',
  )
})

test('voicemail waiting: the count the server notifies, kept up to date, and Call voicemail dials it', async ({
  browser,
  lab,
}) => {
  voicemail.setMessages(2, 5)
  const zack = await phone(browser, lab, 'zack', 'zack-secret')
  await expect(zack.getByTestId('sip-registration')).toHaveText('Registered')
  await expect(zack.getByTestId('voicemail')).toBeHidden()
  await openScreen(zack, 'Settings', 'Accounts')
  await moreAccountSettings(zack)
  await zack.getByLabel('Voicemail number (optional)').fill('voicemail')
  await zack.getByRole('button', { name: 'Register' }).click()
  await openScreen(zack, 'Phone')
  await expect(zack.getByTestId('voicemail')).toHaveText('Voicemail: 2 new messages')
  voicemail.setMessages(3, 5)
  await expect(zack.getByTestId('voicemail')).toHaveText('Voicemail: 3 new messages')
  voicemail.setMessages(0, 8)
  await expect(zack.getByTestId('voicemail')).toHaveText('Voicemail: no new messages')

  await zack.getByRole('button', { name: 'Call voicemail' }).click()
  await expect(zack.getByTestId('sip-call-status')).toContainText(`sip:voicemail@${address}`)
  await hangUpButton(zack).click()
})
