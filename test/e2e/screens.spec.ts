/**
 * The app's screens as a new user meets them (issue 11): first run, the Phone, Meetings,
 * History and Settings screens, the call screen, the keyboard, both themes, a narrow and a
 * wide window, and an accessibility check of each screen with axe.
 */
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page, TestInfo } from '@playwright/test'
import { startRegistrar, type Registrar } from '../lab/sip-registrar'
import { freePort } from '../lab/ports'
import { expect, openApp, openScreen, skipSetupIfShown, test, type Lab } from './fixtures'
import { appShell, call, callScreen, closePhones, openPhone } from './sip-world'

test.afterEach(closePhones)

const address = process.env.HOLDFAST_E2E_ADDR!
let registrar: Registrar

test.beforeAll(async () => {
  registrar = await startRegistrar(address, {
    una: 'una-secret',
    val: 'val-secret',
    wes: 'wes-secret',
    xia: 'xia-secret',
    yan: 'yan-secret',
    zed: 'zed-secret',
    amy: 'amy-secret',
    bo: 'bo-secret',
  })
})
test.afterAll(async () => registrar?.stop())

/** Every WCAG A and AA rule axe can test. */
async function expectAccessible(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze()
  const found = violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
  }))
  expect(found, `axe found violations on ${where}`).toEqual([])
}

/** Elements that reach past the window's right edge (nothing may scroll sideways). */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const out: string[] = []
    if (document.documentElement.scrollWidth > width)
      out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`)
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect()
      const style = getComputedStyle(el)
      if (box.width === 0 || style.visibility === 'hidden' || style.position === 'fixed') continue
      if (box.right > width + 1)
        out.push(`${el.tagName.toLowerCase()}.${el.className}: right ${Math.round(box.right)}`)
    }
    return out.slice(0, 10)
  })
}

/** Saves a screenshot into the test's results (and attaches it to the report). */
async function shoot(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = info.outputPath(`${name}.png`)
  await page.screenshot({ path, fullPage: true })
  await info.attach(name, { path, contentType: 'image/png' })
}

test('first run: setup tests the server and the account, then opens on the Phone screen, and is not asked again', async ({
  page,
  lab,
}) => {
  await page.goto(lab.appUrl)
  await expect(page.getByRole('heading', { name: 'Set up Holdfast' })).toBeVisible()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await expectAccessible(page, 'setup, the server')
  const check = page.getByTestId('setup-server-check')

  // A port nothing listens on: setup says what failed and where.
  const nowhere = `ws://127.0.0.1:${await freePort()}`
  await page.getByLabel('Server URL').fill(nowhere)
  await page.getByRole('button', { name: 'Test connection' }).click()
  await expect(check).toHaveText(
    `Could not reach a Janus server at ${nowhere}: check the address and port, and that the server is running.`,
    { timeout: 30_000 },
  )
  // Not a WebSocket address at all.
  await page.getByLabel('Server URL').fill('http://127.0.0.1:8088/janus')
  await page.getByRole('button', { name: 'Test connection' }).click()
  await expect(check).toContainText('The address is not usable')
  // The lab's server: connected, and how long a call survives without a connection.
  await page.getByLabel('Server URL').fill(lab.relay.url)
  await page.getByRole('button', { name: 'Test connection' }).click()
  await expect(check).toHaveText(
    /^Connected to Janus [\d.]+\. Calls survive up to 10 s without a connection\.$/,
  )
  await page.getByRole('button', { name: 'Next' }).click()
  await expectAccessible(page, 'setup, the account')

  await page.getByLabel('SIP address').fill(`sip:una@${address}`)
  await page.getByLabel('Password').fill('una-secret')
  await page.getByLabel('Registrar').fill(registrar.uri)
  await page.getByRole('button', { name: 'Test registration' }).click()
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
  await page.getByRole('button', { name: 'Finish', exact: true }).click()
  await expect(page.getByRole('heading', { level: 2, name: 'Phone' })).toBeVisible()
  await expect(page.getByTestId('no-account')).toHaveCount(0)

  // Opened again, it goes straight to the Phone screen, on the server chosen in setup.
  await page.goto(lab.appUrl.replace(/\?.*$/, ''))
  await expect(page.getByRole('heading', { level: 2, name: 'Phone' })).toBeVisible()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
})

test('setup can be skipped, and the page loads with no console error and no failed request', async ({
  page,
  lab,
}) => {
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`)
  })
  page.on('requestfailed', (r) => problems.push(`failed ${r.url()}`))
  await page.goto(lab.appUrl)
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  await page.getByRole('button', { name: 'Skip setup' }).click()
  await expect(page.getByRole('heading', { level: 2, name: 'Phone' })).toBeVisible()
  await expect(page.getByTestId('no-account')).toContainText('No phone account yet')
  for (const screen of ['Meetings', 'History', 'Settings'] as const) await openScreen(page, screen)
  expect(problems).toEqual([])
})

/** A phone page registered as `user`, with axe and the overflow check run on `screens`. */
async function phone(browser: Browser, lab: Lab, user: string): Promise<Page> {
  const page = await openPhone(browser, lab, registrar, user, `${user}-secret`)
  await expect(page.getByTestId('sip-registration')).toHaveText('Registered')
  return page
}

for (const [label, viewport, scheme] of [
  ['wide, light', { width: 1440, height: 900 }, 'light'],
  ['narrow, dark', { width: 360, height: 740 }, 'dark'],
] as const) {
  test(`every screen on a ${label} window: accessible, nothing sideways, screenshots kept`, async ({
    browser,
    lab,
  }, info) => {
    const callee = user(label, 0)
    const caller = user(label, 1)
    const page = await phone(browser, lab, callee)
    await page.setViewportSize(viewport)
    await page.emulateMedia({ colorScheme: scheme })
    const other = await phone(browser, lab, caller)
    const tag = label.replace(/\W+/g, '-')

    const visit = async (name: string): Promise<void> => {
      await expect.poll(() => overflowing(page), { message: `overflow on ${name}` }).toEqual([])
      await expectAccessible(page, `${name} (${label})`)
      await shoot(page, info, `${tag}-${name}`)
    }
    await visit('phone')
    await openScreen(page, 'Meetings')
    await visit('meetings')
    // Contacts with a long name in the book, then its form open.
    await openScreen(page, 'Contacts')
    await page.getByRole('button', { name: 'Add contact' }).click()
    await page.getByLabel('Name').fill('Rosalind Featherstonehaugh-Montgomery')
    await page.getByLabel('Numbers (one per line)').fill('+44 20 7946 0958')
    await page.getByRole('button', { name: 'Save contact' }).click()
    await visit('contacts')
    await page.getByRole('button', { name: 'Add contact' }).click()
    await visit('contact-form')
    await page.getByRole('button', { name: 'Cancel' }).click()
    for (const section of [
      'Server',
      'Accounts',
      'Audio and video',
      'Updates',
      'Advanced',
    ] as const) {
      await openScreen(page, 'Settings', section)
      await visit(`settings-${section.toLowerCase().replace(/ /g, '-')}`)
    }

    // A missed call: it rings, the caller gives up; History says so with a badge.
    // (Missed first: Janus answers 488 to a call that arrives while the callee's last call is
    // still tearing its media down.)
    await call(other, callee)
    await expect(callScreen(page).getByRole('button', { name: 'Answer' })).toBeVisible()
    await callScreen(other).getByRole('button', { name: 'Hang up' }).click()
    await expect(callScreen(page)).toHaveCount(0)
    await expect(other.getByTestId('sip-call-status')).toHaveText('Call cancelled')
    await expect(page.getByTestId('missed-badge')).toHaveText('1')
    await openScreen(page, 'History')
    await expect(page.getByTestId('missed-badge')).toHaveCount(0)
    await page.getByRole('button', { name: 'Missed' }).click()
    await expect(page.getByTestId('call-history').locator('li')).toHaveCount(1)
    await expect(page.getByTestId('call-history')).toContainText('Missed call')
    await visit('history-missed')
    await openScreen(page, 'Phone')

    // A call: the incoming screen, then the call screen.
    await call(other, callee)
    await expect(callScreen(page).getByRole('button', { name: 'Answer' })).toBeVisible()
    await visit('incoming-call')
    await callScreen(page).getByRole('button', { name: 'Answer' }).click()
    await expect(page.getByTestId('sip-call-timer')).toBeVisible()
    await callScreen(page).getByRole('button', { name: 'Keypad' }).click()
    await visit('in-call')
    await callScreen(page).getByRole('button', { name: 'Hang up' }).click()
    await expect(callScreen(page)).toHaveCount(0)

    // A meeting: in the room, with the camera on.
    await openScreen(page, 'Meetings')
    const meetings = page.getByRole('region', { name: 'Meetings' })
    await meetings.getByLabel('Room', { exact: true }).fill('1234')
    await meetings.getByLabel('Your name').fill(callee)
    await meetings.getByRole('button', { name: 'Join room' }).click()
    await expect(page.getByTestId('room-status')).toHaveText('In the room')
    await expect(page.getByTestId('room-self')).toBeVisible()
    await visit('meeting-in-room')
    await meetings.getByRole('button', { name: 'Leave room' }).click()
    await expect(page.getByTestId('room-status')).toHaveText('Left the room: you left')

    // History cleared, after a confirmation.
    await openScreen(page, 'History')
    await page.getByRole('button', { name: 'Clear history' }).click()
    await page.getByRole('button', { name: 'Clear', exact: true }).click()
    await expect(page.getByTestId('history-empty')).toHaveText('No calls yet.')

    // The shortcuts sheet.
    await page.keyboard.press('?')
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible()
    await visit('shortcuts')
    await page.keyboard.press('Escape')
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0)
  })
}

/** Two users per window size. */
function user(label: string, i: number): string {
  return label.startsWith('wide') ? ['una', 'val'][i]! : ['wes', 'xia'][i]!
}

test('contacts: added with the reason a bad one cannot be saved, found, starred, edited, deleted, and round-tripped through vCard', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  await openScreen(page, 'Contacts')
  await expect(page.getByTestId('contacts-empty')).toHaveText('No contacts yet.')
  await page.getByRole('button', { name: 'Add contact' }).click()
  await page.getByLabel('Name').fill('Ann Lee')
  await page.getByLabel('Numbers (one per line)').fill('call me maybe')
  await page.getByRole('button', { name: 'Save contact' }).click()
  await expect(page.getByTestId('contact-problem')).toHaveText(
    '“call me maybe” is not a telephone number',
  )
  await page.getByLabel('Numbers (one per line)').fill('+44 20 7946 0958')
  await page.getByLabel('SIP addresses (one per line)').fill('ann@example.com')
  await page.getByRole('button', { name: 'Save contact' }).click()
  await expect(page.getByTestId('contacts-notice')).toHaveText('Saved Ann Lee.')
  const list = page.getByTestId('contact-list')
  await expect(list.locator('li')).toHaveCount(1)
  await expect(list).toContainText('Call sip:ann@example.com')

  // Import: two good cards (one 3.0 with a folded number) and one with nothing to dial.
  await page.getByLabel('Import a vCard file').setInputFiles({
    name: 'people.vcf',
    mimeType: 'text/vcard',
    buffer: Buffer.from(
      [
        'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Okafor;Ben;;;\r\nTEL;TYPE=CELL:+44 161\r\n  496 0000\r\nEND:VCARD',
        'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Cy Annand\r\nIMPP:sip:cy@pbx.example.com\r\nEND:VCARD',
        'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Nobody\r\nEND:VCARD',
      ].join('\r\n'),
    ),
  })
  await expect(page.getByTestId('contacts-notice')).toHaveText(
    'Imported 2 new contacts, skipped 1 (“Nobody” has no number or SIP address).',
  )
  await expect(list.locator('li')).toHaveCount(3)
  await expect(list).toContainText('Call +44 161 496 0000')

  // Search by a word of the name; star; edit; the book survives a reload.
  await page.getByLabel('Search contacts').fill('ann')
  await expect(list.locator('li')).toHaveText([/Ann Lee/, /Cy Annand/])
  await page.getByRole('button', { name: 'Favourite: Cy Annand' }).click()
  await page.getByLabel('Search contacts').fill('')
  await expect(list.locator('li').first()).toContainText('★ Cy Annand')
  await page.getByRole('button', { name: 'Edit Ben Okafor' }).click()
  await page.getByLabel('Name').fill('Ben Okafor-Reyes')
  await page.getByRole('button', { name: 'Save contact' }).click()
  await page.reload()
  await openScreen(page, 'Contacts')
  await expect(list.locator('li')).toHaveText([/Cy Annand/, /Ann Lee/, /Ben Okafor-Reyes/])

  // Delete asks first.
  await page.getByRole('button', { name: 'Delete Ann Lee' }).click()
  await page.getByRole('alert').getByRole('button', { name: 'Delete' }).click()
  await expect(page.getByTestId('contacts-notice')).toHaveText('Deleted Ann Lee.')
  await expect(list.locator('li')).toHaveCount(2)

  // Export, then import the export into an empty book: the same contacts come back.
  await page.getByRole('button', { name: 'Export as vCard' }).click()
  const download = page.waitForEvent('download')
  await page.getByTestId('export-link').click()
  const exported = await (await download).path()
  await page.evaluate(() => localStorage.removeItem('holdfast.contacts'))
  await page.reload()
  await openScreen(page, 'Contacts')
  await expect(page.getByTestId('contacts-empty')).toBeVisible()
  await page.getByLabel('Import a vCard file').setInputFiles(exported)
  await expect(page.getByTestId('contacts-notice')).toHaveText('Imported 2 new contacts.')
  await expect(list.locator('li')).toHaveText([/★ Cy Annand/, /Ben Okafor-Reyes/])
})

test('the keyboard: dial by typing, Enter calls, shortcuts answer, mute and hang up', async ({
  browser,
  lab,
}) => {
  const yan = await phone(browser, lab, 'yan')
  const zed = await phone(browser, lab, 'zed')
  // Typed anywhere on the Phone screen, digits and letters of a number land in the dialler.
  await zed.getByRole('heading', { level: 2, name: 'Phone' }).click()
  await zed.keyboard.type('1234')
  const dialler = zed.getByLabel('Number or SIP address')
  await expect(dialler).toHaveValue('1234')
  await expect(dialler).toBeFocused()
  await dialler.fill('yan')
  await dialler.press('Enter')
  await expect(yan.getByTestId('sip-call-status')).toHaveText(
    `Incoming call from sip:zed@${address}`,
  )
  await yan.keyboard.press('Control+Shift+A')
  await expect(yan.getByTestId('sip-call-status')).toHaveText(`In call with sip:zed@${address}`)
  await yan.keyboard.press('Control+Shift+M')
  await expect(callScreen(yan).getByRole('button', { name: 'Unmute' })).toHaveAttribute(
    'aria-pressed',
    'true',
  )
  await yan.keyboard.press('Control+Shift+E')
  await expect(zed.getByTestId('sip-call-status')).toHaveText('The other side hung up')
  await expect(yan.getByTestId('sip-call-status')).toHaveText('Call ended')
  // Ctrl+3 goes to History, where both calls are.
  await yan.keyboard.press('Control+3')
  await expect(yan.getByTestId('call-history').locator('li')).toHaveCount(1)
  await expect(appShell(yan)).toHaveAttribute('data-sound', 'none')
})

test('a call takes the screen from anywhere; other screens stay reachable and lead back to it', async ({
  browser,
  lab,
}) => {
  const amy = await phone(browser, lab, 'amy')
  const bo = await phone(browser, lab, 'bo')
  await openScreen(amy, 'Settings', 'Advanced')
  await call(bo, 'amy')
  await expect(callScreen(amy)).toBeVisible()
  await callScreen(amy).getByRole('button', { name: 'Answer' }).click()
  await expect(callScreen(amy).getByTestId('call-quality')).toHaveAttribute(
    'title',
    /^Call quality: /,
  )
  await openScreen(amy, 'History')
  await expect(callScreen(amy)).toHaveCount(0)
  await expect(amy.getByRole('list', { name: 'Going on now' })).toContainText(
    `In call with sip:bo@${address}`,
  )
  await amy.getByRole('button', { name: 'Return to the call' }).click()
  await expect(amy.getByTestId('sip-call-status')).toHaveText(`In call with sip:bo@${address}`)
  await callScreen(amy).getByRole('button', { name: 'Hang up' }).click()
  await expect(amy.getByRole('heading', { level: 2, name: 'Phone' })).toBeVisible()
  await expect(amy.getByTestId('sip-call-status')).toHaveText('Call ended')
})

test('the diagnostic report holds the incident timeline and the renderer’s own lines, and no secret', async ({
  page,
  lab,
}) => {
  // What "Copy report" puts on the clipboard (headless Chromium's own clipboard can block).
  await page.addInitScript(() => {
    const copied: string[] = []
    ;(window as unknown as { copied: string[] }).copied = copied
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: (text: string) => (copied.push(text), Promise.resolve()) },
    })
  })
  await openApp(page, lab)
  await skipSetupIfShown(page)
  // A secret typed in (the fields are editable once disconnected) stays out of the report.
  await openScreen(page, 'Settings', 'Server')
  await page.getByRole('button', { name: 'Disconnect' }).click()
  await page.getByLabel('API secret (optional)').fill('not-for-the-report')
  await openScreen(page, 'Settings', 'Advanced')
  await page.getByRole('button', { name: 'Copy report' }).click()
  await expect(page.getByTestId('report-said')).toHaveText('The report is on the clipboard.')
  const report = await page.evaluate(() => (window as unknown as { copied: string[] }).copied[0]!)
  expect(report).toContain('# Holdfast diagnostic report')
  expect(report).toMatch(/## Incidents \(\d+\)\n.* created: /)
  expect(report).toMatch(/## Log \(\d+ lines\)\n(.*\n)*.* info connection connected\n/)
  expect(report).not.toContain('not-for-the-report')
})

test('credentials bound for a ws:// server on another computer: warned first, refused when asked', async ({
  page,
  lab,
}) => {
  await openApp(page, lab)
  await openScreen(page, 'Settings', 'Server')
  await expect(page.getByTestId('cleartext-warning')).toHaveCount(0)
  await expect(page.getByTestId('cleartext-badge')).toHaveCount(0)
  await page.getByRole('button', { name: 'Disconnect' }).click()
  await page.getByLabel('Server URL').fill('ws://janus.example.invalid:8188')
  await expect(page.getByTestId('cleartext-warning')).toContainText(
    'would cross the network in clear text',
  )
  await openScreen(page, 'Settings', 'Accounts')
  await expect(page.getByTestId('cleartext-warning')).toBeVisible()
  await openScreen(page, 'Settings', 'Server')
  await page.getByLabel('Refuse unencrypted (ws://) connections to other computers').check()
  await page.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByTestId('settings-error')).toHaveText(
    'Unencrypted connections to other computers are refused (Settings → Server): use wss://janus.example.invalid:8188.',
  )
  await expect(page.getByTestId('connection-status')).toHaveText('Disconnected')
  // This computer's own server is still fine.
  await page.getByLabel('Server URL').fill(lab.relay.url)
  await page.getByRole('button', { name: 'Connect', exact: true }).click()
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
})
