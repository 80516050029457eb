/**
 * Attended transfer with a phone that is not Holdfast (issue 15): linphone (liblinphone 5.1,
 * `test/lab/linphone.ts`) beside Holdfast pages, all registered with kamailio. baresip, the
 * lab's usual far end, has no Replaces, so linphone plays the two roles Holdfast's own pages
 * played in `sip-lines.spec.ts`: the consulted target that takes the call over, and the
 * transferor that puts one Holdfast phone through to another.
 */
import type { Browser, Page } from '@playwright/test'
import { startLinphone, type LinphoneFarEnd } from '../lab/linphone'
import { startRegistrar, type Registrar } from '../lab/sip-registrar'
import { expect, test, type Lab } from './fixtures'
import { audioFlows, call, callScreen, closePhones, openPhone } from './sip-world'

test.afterEach(closePhones)

const address = process.env.HOLDFAST_E2E_ADDR!
let registrar: Registrar
let linphone: LinphoneFarEnd | undefined

test.beforeAll(async () => {
  registrar = await startRegistrar(address, {
    jon: 'jon-secret',
    kim: 'kim-secret',
    kay: 'kay-secret',
    lee: 'lee-secret',
    lin: 'lin-secret',
  })
})
test.afterEach(async () => {
  await linphone?.stop()
  linphone = undefined
})
test.afterAll(async () => {
  await registrar?.stop()
})

const phone = async (browser: Browser, lab: Lab, user: string): Promise<Page> => {
  const page = await openPhone(browser, lab, registrar, user, `${user}-secret`)
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
  return page
}
const startLin = async (): Promise<LinphoneFarEnd> => {
  linphone = await startLinphone({
    host: address,
    user: 'lin',
    password: 'lin-secret',
    registrar: registrar.uri,
  })
  return linphone
}
const status = (page: Page) => page.getByTestId('sip-call-status')
const uri = (user: string) => `sip:${user}@${address}`
/** linphone's call `id` reached `state` (e.g. `StreamsRunning`, `End`). */
const callState = (id: string, state: string) => (e: Record<string, string>) =>
  e.Id === id && e.Event === `LinphoneCall${state}`

test('linphone as the consulted target: Holdfast puts its held caller through, and linphone takes the call over', async ({
  browser,
  lab,
}) => {
  const lin = await startLin()
  const jon = await phone(browser, lab, 'jon')
  const kim = await phone(browser, lab, 'kim')

  await call(kim, 'jon')
  await callScreen(jon).getByRole('button', { name: 'Answer', exact: true }).click()
  await expect(status(jon)).toHaveText(`In call with ${uri('kim')}`)

  // Jon consults linphone on a second line; Kim waits on hold.
  await callScreen(jon).getByRole('button', { name: 'Add call' }).click()
  await call(jon, 'lin')
  const consulted = await lin.waitFor(
    'Jon’s call',
    (e) => e.Event === 'LinphoneCallIncomingReceived',
  )
  await lin.command(`answer ${consulted.Id}`)
  await expect(status(jon)).toHaveText(`In call with ${uri('lin')}`)
  await lin.waitFor('the consultation', callState(consulted.Id!, 'StreamsRunning'))

  await callScreen(jon).getByTestId('attended-transfer').click()
  // Kim calls linphone with Replaces naming the consultation: liblinphone answers it at once
  // and ends its call with Jon; Jon's two calls end as transferred.
  const replacing = await lin.waitFor(
    'Kim’s call replacing the consultation',
    (e) => e.Event === 'LinphoneCallIncomingReceived' && e.Id !== consulted.Id,
  )
  expect(replacing.From).toBe(uri('kim'))
  await lin.waitFor('Kim’s call running', callState(replacing.Id!, 'StreamsRunning'))
  await lin.waitFor('the consultation replaced', callState(consulted.Id!, 'End'))
  await expect(status(kim)).toHaveText(`In call with ${uri('lin')}`)
  await expect(status(jon)).toHaveText('Call transferred')
  await lin.playTone(replacing.Id!)
  await audioFlows(kim)
})

test('linphone as the transferor: it consults a second Holdfast phone and puts the first through to it', async ({
  browser,
  lab,
}) => {
  const lin = await startLin()
  const kay = await phone(browser, lab, 'kay')
  const lee = await phone(browser, lab, 'lee')

  const first = await lin.command(`call ${uri('kay')}`)
  await callScreen(kay).getByRole('button', { name: 'Answer', exact: true }).click()
  await expect(status(kay)).toHaveText(`In call with ${uri('lin')}`)
  await lin.waitFor('the call with Kay', callState(first.Id!, 'StreamsRunning'))

  // linphone holds Kay and consults Lee.
  await lin.command(`call-pause ${first.Id}`)
  const second = await lin.command(`call ${uri('lee')}`)
  await callScreen(lee).getByRole('button', { name: 'Answer', exact: true }).click()
  await expect(status(lee)).toHaveText(`In call with ${uri('lin')}`)
  await lin.waitFor('the consultation', callState(second.Id!, 'StreamsRunning'))

  // REFER with Replaces to Kay: she calls Lee, whose call with linphone she takes over.
  await lin.command(`call-transfer ${first.Id} ${second.Id}`)
  await expect(status(kay)).toHaveText(`In call with ${uri('lee')}`)
  await expect(status(lee)).toHaveText(`In call with ${uri('kay')}`)
  await expect(lee.getByTestId('sip-notice')).toHaveText(
    `${uri('lin')} put ${uri('kay')} through to you`,
  )
  await lin.waitFor('the consultation replaced', callState(second.Id!, 'End'))
  await audioFlows(kay)
  await audioFlows(lee)
})
