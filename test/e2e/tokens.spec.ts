/**
 * Tokens from a token service (issue 14): Janus takes only signed tokens that live a few
 * seconds; the app fetches a new one each time Janus refuses the old, and the call goes on.
 */
import { listSessions } from '../lab/admin'
import { startJanus, type RunningJanus } from '../lab/janus-process'
import { serveStatic, type IssuedToken, type StaticServer } from '../lab/static-server'
import {
  expect,
  framesDecoded,
  shownSessionId,
  skipSetupIfShown,
  startEchoCall,
  test,
} from './fixtures'

const secret = 'holdfast-e2e-token-secret'
let janus: RunningJanus
let web: StaticServer

test.beforeAll(async () => {
  janus = await startJanus({
    iceInterface: process.env.HOLDFAST_E2E_IFACE!,
    iceAddress: process.env.HOLDFAST_E2E_ADDR!,
    tokenAuthSecret: secret,
    plugins: ['echotest'],
  })
  web = await serveStatic('out/renderer', '127.0.0.1', 0, {
    secret,
    lifeS: 3,
    plugins: ['janus.plugin.echotest'],
  })
})

test.afterAll(async () => {
  await web?.close()
  await janus?.stop()
})

const issued = async (): Promise<IssuedToken[]> =>
  (await (await fetch(`${web.url}/token-log`)).json()) as IssuedToken[]

test('tokens that expire every few seconds: each is replaced from the token service, and the echo call goes on in the same session', async ({
  page,
}) => {
  const query = new URLSearchParams({ server: janus.url, tokenUrl: '/token?who=e2e' })
  await page.goto(`${web.url}/?${query.toString()}`)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await skipSetupIfShown(page)
  const sessionId = await shownSessionId(page)
  const frames = await startEchoCall(page)
  const first = (await issued()).length
  expect(first).toBeGreaterThan(0)
  // Three more expiries, each answered by a new token.
  await expect
    .poll(async () => (await issued()).length, { timeout: 30_000 })
    .toBeGreaterThan(first + 2)
  await expect.poll(() => framesDecoded(page), { timeout: 15_000 }).toBeGreaterThan(frames)
  expect(await shownSessionId(page)).toBe(sessionId)
  expect(await listSessions(janus.adminUrl, janus.config.adminSecret)).toEqual([sessionId])
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
})
