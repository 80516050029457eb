/**
 * The renderer's Electron host, in Chromium: a stand-in for the preload's bridge (the same
 * verbs, backed by a fake "main" in the page) proves the renderer's half of the desktop
 * coordination without an Electron binary: the session stored through main, a resume from
 * main reclaiming at once, state reported for the tray, and quitting ending the call and
 * the session before main is told it may quit.
 */
import type { Page } from '@playwright/test'
import type { HoldfastBridge } from '../../preload/index'
import { startRegistrar } from '../lab/sip-registrar'
import {
  expect,
  incidents,
  openApp,
  openCameraTest,
  openScreen,
  shownSessionId,
  startEchoCall,
  test,
} from './fixtures'

import { call, closePhones, hangUpButton, openPhone } from './sip-world'

test.afterEach(closePhones)

/** Installed before the app loads: window.holdfast (the bridge) and window.fakeMain (for the test). */
function installFakeMain(): void {
  const KEY = 'fake-main-store'
  const store = (): Record<string, unknown> =>
    JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Record<string, unknown>
  const put = (patch: Record<string, unknown>): void =>
    sessionStorage.setItem(KEY, JSON.stringify({ ...store(), ...patch }))
  const listeners = {
    system: [] as ((e: unknown) => void)[],
    quit: [] as (() => Promise<void>)[],
    callAction: [] as ((action: 'answer' | 'decline') => void)[],
    screen: [] as ((choice: unknown) => void)[],
  }
  const calls: { verb: string; args: unknown[] }[] = []
  const record = (verb: string, ...args: unknown[]) =>
    calls.push({ verb, args: JSON.parse(JSON.stringify(args)) as unknown[] })
  const fakeMain = {
    calls,
    quitReady: false,
    emit: (event: unknown) => listeners.system.forEach((l) => l(event)),
    /** The user chose a button on the incoming-call notification. */
    callAction: (action: 'answer' | 'decline') => listeners.callAction.forEach((l) => l(action)),
    /** Main's display-media handler asks which screen or window to share. */
    askScreen: (choice: unknown) => listeners.screen.forEach((l) => l(choice)),
    prepareQuit: () =>
      listeners.quit.forEach(
        (prepare) => void prepare().finally(() => (fakeMain.quitReady = true)),
      ),
  }
  ;(window as unknown as { fakeMain: typeof fakeMain }).fakeMain = fakeMain
  ;(window as unknown as { holdfast: unknown }).holdfast = {
    loadSession: async () => (record('loadSession'), store().session),
    saveSession: async (r: unknown) => (record('saveSession', r), put({ session: r })),
    clearSession: async () => (record('clearSession'), put({ session: undefined })),
    secretsStatus: async () => ({
      persistent: false,
      reason: 'No keyring (GNOME Keyring or KWallet) is running; secrets are kept in memory only.',
    }),
    getSecret: async () => undefined,
    setSecret: async (name: string, value: string) => (record('setSecret', name, value), false),
    getSettings: async () => ({ updateChannel: 'latest', startAtLogin: false, closeToTray: true }),
    setSettings: async (p: object) => ({
      updateChannel: 'latest',
      startAtLogin: false,
      closeToTray: true,
      ...p,
    }),
    report: async (state: unknown) => void record('report', state),
    exportLogs: async (report: string) => (
      record('exportLogs', report),
      '/home/me/holdfast-logs.log'
    ),
    checkForUpdates: async () => ({ kind: 'up-to-date', version: '0.1.0' }),
    restartToUpdate: async () => false,
    allowServer: async (url: string) => (
      record('allowServer', url),
      sessionStorage.getItem('fake-main-refuses') === null
    ),
    fetchToken: async (url: string) => (record('fetchToken', url), { status: 503, body: '' }),
    onSystemEvent: (l: (e: unknown) => void) => (listeners.system.push(l), () => undefined),
    onUpdateStatus: () => () => undefined,
    onDial: () => () => undefined,
    notifyIncomingCall: async (peer: string) => void record('notifyIncomingCall', peer),
    dismissIncomingCall: async () => void record('dismissIncomingCall'),
    onCallAction: (l: (action: 'answer' | 'decline') => void) => (
      listeners.callAction.push(l),
      () => undefined
    ),
    onScreenChoice: (l: (choice: unknown) => void) => (listeners.screen.push(l), () => undefined),
    chooseScreen: async (requestId: number, sourceId: string | null) => (
      record('chooseScreen', requestId, sourceId),
      true
    ),
    onPrepareQuit: (prepare: () => Promise<void>) => (
      listeners.quit.push(prepare),
      () => undefined
    ),
  } satisfies Record<keyof HoldfastBridge, unknown>
}

const calls = (page: Page, verb: string) =>
  page.evaluate(
    (v) =>
      (
        window as unknown as { fakeMain: { calls: { verb: string; args: unknown[] }[] } }
      ).fakeMain.calls.filter((c) => c.verb === v),
    verb,
  )

test.beforeEach(async ({ page }) => {
  await page.addInitScript(installFakeMain)
})

test('the session lives in main, and a resume from main reclaims it at once', async ({
  page,
  lab,
}) => {
  const sessionId = await openApp(page, lab)
  await expect
    .poll(async () => (await calls(page, 'saveSession')).at(-1)?.args[0])
    .toMatchObject({ sessionId })
  expect(await page.evaluate(() => sessionStorage.getItem('holdfast.session'))).toBeNull()
  await openScreen(page, 'Settings', 'Server')
  await expect(page.getByTestId('secrets-note')).toContainText('No keyring')
  await openScreen(page, 'Settings', 'Updates')
  await expect(page.getByRole('heading', { name: 'Desktop' })).toBeVisible()

  await startEchoCall(page)
  await expect
    .poll(async () => (await calls(page, 'report')).at(-1)?.args[0])
    .toEqual({ connection: 'connected', inCall: true })

  const timeline = await incidents(page)
  const claimsBefore = await timeline.locator('[data-kind="claimed"]').count()
  await page.evaluate(() =>
    (window as unknown as { fakeMain: { emit: (e: unknown) => void } }).fakeMain.emit({
      type: 'resume',
      sleptMs: 20_000,
    }),
  )
  await expect(timeline.locator('[data-kind="claimed"]')).toHaveCount(claimsBefore + 1)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  expect(await shownSessionId(page)).toBe(sessionId)
  expect(await lab.sessions()).toEqual([sessionId])
  await openCameraTest(page)
  await expect(page.getByTestId('call-status')).toHaveText('In call')
})

test('no socket opens before main allowed its server, and a refused server is said to be so', async ({
  page,
  lab,
}) => {
  const sessionId = await openApp(page, lab)
  const asked = (await calls(page, 'allowServer')).map((c) => c.args[0])
  expect(asked.length).toBeGreaterThan(0)
  expect(new Set(asked)).toEqual(new Set([lab.relay.url]))
  expect(sessionId).toBeGreaterThan(0)

  const refused = await page.context().newPage()
  await refused.addInitScript(installFakeMain)
  await refused.addInitScript(() => sessionStorage.setItem('fake-main-refuses', '1'))
  await refused.goto(lab.appUrl)
  await expect(await incidents(refused)).toContainText('refused a connection to this address')
  await expect(refused.getByTestId('connection-status')).not.toHaveText('Connected')
  await refused.close()
})

test('Export logs hands main the renderer’s report: its own lines and the incident timeline', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  await openScreen(page, 'Settings', 'Advanced')
  await page.getByRole('button', { name: 'Export logs' }).click()
  await expect(page.getByTestId('report-said')).toHaveText(
    'Logs saved to /home/me/holdfast-logs.log',
  )
  const [report] = (await calls(page, 'exportLogs')).at(-1)!.args as [string]
  expect(report).toMatch(/## Incidents \(\d+\)\n.* created: /)
  expect(report).toMatch(/## Log \(\d+ lines\)\n.* info /)
})

test('a renderer reloaded by main (after a crash) reclaims the session main kept', async ({
  page,
  lab,
}) => {
  const sessionId = await openApp(page, lab)
  await page.reload()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  expect(await shownSessionId(page)).toBe(sessionId)
  expect((await calls(page, 'loadSession')).length).toBeGreaterThan(0)
  expect(await lab.sessions()).toEqual([sessionId])
})

test('quitting ends the call and destroys the session before main is told it may quit', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  await startEchoCall(page)
  await page.evaluate(() =>
    (window as unknown as { fakeMain: { prepareQuit: () => void } }).fakeMain.prepareQuit(),
  )
  await expect
    .poll(() =>
      page.evaluate(
        () => (window as unknown as { fakeMain: { quitReady: boolean } }).fakeMain.quitReady,
      ),
    )
    .toBe(true)
  expect(await lab.sessions()).toEqual([])
  await openCameraTest(page)
  await expect(page.getByTestId('call-status')).toHaveText('Call ended: Holdfast is closing')
  expect((await calls(page, 'clearSession')).length).toBeGreaterThan(0)
})

test('the SIP password goes to the desktop vault, never to localStorage', async ({ page, lab }) => {
  await openApp(page, lab)
  await openScreen(page, 'Settings', 'Accounts')
  await page.getByLabel('SIP address', { exact: true }).fill('sip:alice@example.invalid')
  await page.getByLabel('Password', { exact: true }).fill('sip-password-123')
  await page.getByLabel('Registrar', { exact: true }).fill('sip:127.0.0.1:9')
  await page.getByRole('button', { name: 'Register' }).click()
  await expect
    .poll(async () => (await calls(page, 'setSecret')).map((c) => c.args))
    .toContainEqual([
      'sipPasswords',
      JSON.stringify({ 'sip:alice@example.invalid': 'sip-password-123' }),
    ])
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }))
  expect(stored).not.toContain('sip-password-123')
})

test('an incoming call shows the desktop notification; Answer on it answers, it goes away, and main knows a call is up', async ({
  page,
  lab,
  browser,
}) => {
  const address = process.env.HOLDFAST_E2E_ADDR!
  const registrar = await startRegistrar(address, { desk: 'desk-secret', caller: 'caller-secret' })
  try {
    await openApp(page, lab)
    await openScreen(page, 'Settings', 'Accounts')
    await page.getByLabel('SIP address', { exact: true }).fill(`sip:desk@${address}`)
    await page.getByLabel('Password', { exact: true }).fill('desk-secret')
    await page.getByLabel('Registrar', { exact: true }).fill(registrar.uri)
    await page.getByRole('button', { name: 'Register' }).click()
    await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
    const caller = await openPhone(browser, lab, registrar, 'caller', 'caller-secret')
    await expect(caller.getByTestId('sip-registration')).toHaveText('Registered')
    await call(caller, 'desk')

    await expect
      .poll(async () => (await calls(page, 'notifyIncomingCall')).map((c) => c.args[0]))
      .toEqual([`sip:caller@${address}`])
    await page.evaluate(() =>
      (
        window as unknown as { fakeMain: { callAction: (a: 'answer' | 'decline') => void } }
      ).fakeMain.callAction('answer'),
    )
    await expect(page.getByTestId('sip-call-status')).toHaveText(
      `In call with sip:caller@${address}`,
    )
    await expect(caller.getByTestId('sip-call-status')).toHaveText(
      `In call with sip:desk@${address}`,
    )
    await expect.poll(async () => (await calls(page, 'dismissIncomingCall')).length).toBe(1)
    // Main hears a phone call is up (no update downloads or restarts meanwhile), and when it ends.
    await expect
      .poll(async () => (await calls(page, 'report')).at(-1)?.args[0])
      .toEqual({ connection: 'connected', inCall: true })
    await hangUpButton(page).click()
    await expect
      .poll(async () => (await calls(page, 'report')).at(-1)?.args[0])
      .toEqual({ connection: 'connected', inCall: false })
  } finally {
    await registrar.stop()
  }
})

test('sharing the screen in the desktop app: main’s sources are offered, and the choice goes back to main', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  const askScreen = (requestId: number) =>
    page.evaluate(
      (id) =>
        (window as unknown as { fakeMain: { askScreen: (c: unknown) => void } }).fakeMain.askScreen(
          {
            requestId: id,
            sources: [
              { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: '' },
              { id: 'window:42:0', name: 'Notes', kind: 'window', thumbnail: '' },
            ],
          },
        ),
      requestId,
    )
  await askScreen(1)
  const picker = page.getByRole('dialog', { name: 'Choose what to share' })
  await expect(picker.getByRole('button')).toHaveText([
    'Screen: Entire screen',
    'Window: Notes',
    'Cancel',
  ])
  await picker.getByRole('button', { name: 'Window: Notes' }).click()
  await expect(picker).toHaveCount(0)
  expect((await calls(page, 'chooseScreen')).map((c) => c.args)).toEqual([[1, 'window:42:0']])

  await askScreen(2)
  await picker.getByRole('button', { name: 'Cancel' }).click()
  await expect(picker).toHaveCount(0)
  expect((await calls(page, 'chooseScreen')).map((c) => c.args).at(-1)).toEqual([2, null])
})
