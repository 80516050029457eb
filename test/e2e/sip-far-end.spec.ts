/**
 * The softphone against a real SIP far end (baresip, watched and driven through ctrl_tcp):
 * calls both ways with audio, tones in the media (RFC 2833), hold, hang-up from either side,
 * busy, and blind transfer in both directions.
 */
import type { Browser, Page } from '@playwright/test'
import { startFarEnd, type FarEnd } from '../lab/baresip'
import { startRegistrar, type Registrar } from '../lab/sip-registrar'
import { expect, openScreen, test, type Lab } from './fixtures'

import {
  call,
  closePhones,
  hangUpButton,
  keypad,
  openPhone,
  returnToCall,
  shownNumber,
} from './sip-world'

test.afterEach(closePhones)

const address = process.env.HOLDFAST_E2E_ADDR!
const iface = process.env.HOLDFAST_E2E_IFACE!
let registrar: Registrar
const farEnds: FarEnd[] = []

const users = ['mia', 'nina', 'oscar', 'pat', 'quinn', 'rita', 'sam', 'tom', 'ursula', 'vic']
const farUsers = ['zoe', 'yuri', 'xena', 'walt', 'vera', 'umar', 'tara']

test.beforeAll(async () => {
  registrar = await startRegistrar(
    address,
    Object.fromEntries([...users, ...farUsers].map((user) => [user, `${user}-secret`])),
  )
})
test.afterAll(async () => registrar?.stop())
test.afterEach(async () => {
  for (const farEnd of farEnds.splice(0)) await farEnd.stop()
})

/** A Holdfast page registered as `user`. */
async function phone(browser: Browser, lab: Lab, user: string): Promise<Page> {
  const page = await openPhone(browser, lab, registrar, user, `${user}-secret`)
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
  return page
}

async function farEnd(user: string, answer?: 'auto' | 'early'): Promise<FarEnd> {
  const started = await startFarEnd({
    host: address,
    iface,
    user,
    password: `${user}-secret`,
    registrar: registrar.uri,
    ...(answer ? { answer } : {}),
  })
  farEnds.push(started)
  return started
}

const uri = (user: string) => `sip:${user}@${address}`

test('an outgoing call answered by the far end: audio both ways, tones in the media, hold, hung up by the far end', async ({
  browser,
  lab,
}) => {
  const zoe = await farEnd('zoe')
  const mia = await phone(browser, lab, 'mia')

  await call(mia, 'zoe')
  await expect(mia.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('zoe')}`)
  await zoe.waitFor('the call', (e) => e.type === 'CALL_ESTABLISHED' && e.peeruri === uri('mia'))
  await expect(mia.getByTestId('sip-call-timer')).toHaveText(/^\d+:\d\d$/)
  // Our audio reaches the far end (baresip reports the first RTP it receives) ...
  await zoe.waitFor('our audio', (e) => e.type === 'CALL_RTPESTAB')
  // ... and its tone reaches us, rising.
  await expect.poll(() => shownNumber(mia, 'sip-audio-in'), { timeout: 20_000 }).toBeGreaterThan(50)
  const heard = await shownNumber(mia, 'sip-audio-in')
  await expect.poll(() => shownNumber(mia, 'sip-audio-in')).toBeGreaterThan(heard)

  const pad = await keypad(mia)
  let sent = ''
  for (const digit of ['1', '2', '#']) {
    await pad.getByRole('button', { name: digit, exact: true }).click()
    sent += digit
    // One tone at a time: the far end reads each from the audio stream.
    await expect.poll(() => zoe.tones()).toBe(sent)
  }
  // The keyboard's digits are tones too, when not typing into a field.
  await mia.getByTestId('sip-call-status').click()
  await mia.keyboard.press('4')
  await expect.poll(() => zoe.tones()).toBe('12#4')

  const offers = () => zoe.events.filter((e) => e.type === 'CALL_REMOTE_SDP').length
  const before = offers()
  await mia.getByRole('button', { name: 'Hold' }).click()
  await expect(mia.getByTestId('sip-call-status')).toHaveText(`On hold with ${uri('zoe')}`)
  await mia.getByRole('button', { name: 'Resume' }).click()
  await expect(mia.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('zoe')}`)
  // Hold and resume each reached the far end as a re-INVITE.
  expect(offers()).toBeGreaterThanOrEqual(before + 2)

  await zoe.command('hangup')
  await expect(mia.getByTestId('sip-call-status')).toHaveText('The other side hung up')
  const last = mia.getByTestId('recent-calls').locator('li').first()
  await expect(last).toContainText(uri('zoe'))
  await expect(last).toContainText('The other side hung up')
})

test('an incoming call from the far end, answered in Holdfast, audio both ways, hung up by Holdfast', async ({
  browser,
  lab,
}) => {
  const yuri = await farEnd('yuri')
  const nina = await phone(browser, lab, 'nina')

  await yuri.command('dial', uri('nina'))
  await expect(nina.getByTestId('sip-call-status')).toHaveText(`Incoming call from ${uri('yuri')}`)
  await nina.getByRole('button', { name: 'Answer' }).click()
  await expect(nina.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('yuri')}`)
  await yuri.waitFor('the call', (e) => e.type === 'CALL_ESTABLISHED')
  await yuri.waitFor('our audio', (e) => e.type === 'CALL_RTPESTAB')
  await expect
    .poll(() => shownNumber(nina, 'sip-audio-in'), { timeout: 20_000 })
    .toBeGreaterThan(50)

  await hangUpButton(nina).click()
  await expect(nina.getByTestId('sip-call-status')).toHaveText('Call ended')
  await yuri.waitFor('the hang-up', (e) => e.type === 'CALL_CLOSED')
  await expect(nina.getByTestId('recent-calls').locator('li').first()).toContainText(
    `← ${uri('yuri')}`,
  )
})

test('a caller who gives up while the callee is in a call waited there, and is kept as a missed call; the first call goes on', async ({
  browser,
  lab,
}) => {
  const xena = await farEnd('xena')
  const oscar = await phone(browser, lab, 'oscar')
  const pat = await phone(browser, lab, 'pat')
  await call(oscar, 'xena')
  await expect(oscar.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('xena')}`)

  // Oscar's phone takes the second caller on a helper line (call waiting), not busy.
  await call(pat, 'oscar')
  await expect(pat.getByTestId('sip-call-status')).toHaveText(`Ringing ${uri('oscar')}…`)
  await expect(oscar.getByTestId('call-waiting')).toContainText(uri('pat'))
  await hangUpButton(pat).click()
  await expect(oscar.getByTestId('call-waiting')).toBeHidden()
  // Oscar, still on the call screen, sees the missed call counted on History.
  await expect(oscar.getByTestId('missed-badge')).toHaveText('1')
  await openScreen(oscar, 'History')
  await expect(oscar.getByTestId('missed-badge')).toHaveCount(0)
  await expect(oscar.getByTestId('call-history').locator('li').first()).toContainText(
    `${uri('pat')}`,
  )
  await expect(oscar.getByTestId('call-history').locator('li').first()).toContainText('Missed call')
  await returnToCall(oscar)
  await expect(oscar.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('xena')}`)
  expect(xena.events.some((e) => e.type === 'CALL_CLOSED')).toBe(false)
})

test('blind transfer from Holdfast: the far end is sent on to another phone, and our call ends as transferred', async ({
  browser,
  lab,
}) => {
  const walt = await farEnd('walt')
  const quinn = await phone(browser, lab, 'quinn')
  const rita = await phone(browser, lab, 'rita')
  await call(quinn, 'walt')
  await expect(quinn.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('walt')}`)

  await quinn.getByLabel('Transfer to').fill('rita')
  await quinn.getByRole('button', { name: 'Transfer', exact: true }).click()
  await expect(rita.getByTestId('sip-call-status')).toHaveText(`Incoming call from ${uri('walt')}`)
  await rita.getByRole('button', { name: 'Answer' }).click()
  await expect(rita.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('walt')}`)
  await expect(quinn.getByTestId('sip-call-status')).toHaveText('Call transferred')
  await expect(quinn.getByTestId('recent-calls').locator('li').first()).toContainText(
    'Call transferred',
  )
  await walt.waitFor(
    'the transfer',
    (e) => e.type === 'TRANSFER' && String(e.param).includes(uri('rita')),
  )
})

test('transferred by the far end: Holdfast follows the transfer and calls the new number', async ({
  browser,
  lab,
}) => {
  const vera = await farEnd('vera')
  const sam = await phone(browser, lab, 'sam')
  const tom = await phone(browser, lab, 'tom')
  await vera.command('dial', uri('sam'))
  await sam.getByRole('button', { name: 'Answer' }).click()
  await expect(sam.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('vera')}`)

  await vera.command('transfer', uri('tom'))
  await expect(sam.getByTestId('sip-notice')).toContainText(`calling ${uri('tom')}`)
  await expect(tom.getByTestId('sip-call-status')).toHaveText(`Incoming call from ${uri('sam')}`)
  await tom.getByRole('button', { name: 'Answer' }).click()
  await expect(sam.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('tom')}`)
  await expect(tom.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('sam')}`)
  await openScreen(sam, 'History')
  const history = sam.getByTestId('call-history').locator('li')
  await expect(history.first()).toContainText('Call transferred')
  await vera.waitFor('the end of its call', (e) => e.type === 'CALL_CLOSED')
})

test('calling a phone that is registered but gone reads unreachable', async ({ browser, lab }) => {
  const umar = await farEnd('umar')
  const ursula = await phone(browser, lab, 'ursula')
  // Killed without unregistering: the registrar still routes to it, and nothing answers.
  await umar.stop()
  await call(ursula, 'umar')
  await expect(ursula.getByTestId('sip-call-status')).toHaveText('Unreachable')
  await expect(ursula.getByTestId('recent-calls').locator('li').first()).toContainText(
    'Unreachable',
  )
})

test('early media: the call shows the far end is ringing with early media, then it answers', async ({
  browser,
  lab,
}) => {
  const tara = await farEnd('tara', 'early')
  const vic = await phone(browser, lab, 'vic')
  await call(vic, 'tara')
  // A 183 with its SDP: the media path is set up before the answer (baresip sends no tone yet).
  await expect(vic.getByTestId('sip-call-status')).toHaveText(
    `Ringing ${uri('tara')} (early media)`,
  )
  await tara.waitFor('our audio, before answering', (e) => e.type === 'CALL_RTPESTAB')
  await expect(vic.getByTestId('sip-call-timer')).toHaveCount(0)
  await tara.command('accept')
  await expect(vic.getByTestId('sip-call-status')).toHaveText(`In call with ${uri('tara')}`)
  await expect(vic.getByTestId('sip-call-timer')).toHaveText(/^\d+:\d\d$/)
  await expect.poll(() => shownNumber(vic, 'sip-audio-in'), { timeout: 20_000 }).toBeGreaterThan(10)
})
