/**
 * Moving around the app as a person does (issue 11): the navigation rail, the Settings tabs,
 * and first-run setup. Every browser suite reaches the screens through these.
 */
import { expect, type Locator, type Page } from '@playwright/test'

export type Screen = 'Phone' | 'Meetings' | 'History' | 'Messages' | 'Contacts' | 'Settings'
export type SettingsSection = 'Server' | 'Accounts' | 'Audio and video' | 'Updates' | 'Advanced'

/** Clicks a screen in the navigation (and a Settings tab), and waits for its heading. */
export async function openScreen(
  page: Page,
  screen: Screen,
  section?: SettingsSection,
): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('link', { name: new RegExp(`^${screen}`) })
    .click()
  await expect(page.getByRole('heading', { level: 2, name: screen, exact: true })).toBeVisible()
  if (!section) return
  await page
    .getByRole('navigation', { name: 'Settings sections' })
    .getByRole('link', { name: section, exact: true })
    .click()
  await expect(page.getByRole('heading', { level: 3, name: section, exact: true })).toBeVisible()
}

/** First run asks for a server and an account; the suites configure their own, so skip it. */
export async function skipSetupIfShown(page: Page): Promise<void> {
  const skip = page.getByRole('button', { name: 'Skip setup' })
  if (await skip.isVisible()) {
    await skip.click()
    await expect(page.getByRole('heading', { level: 2, name: 'Phone' })).toBeVisible()
  }
}

/** The incident timeline (Settings → Advanced). */
export async function incidents(page: Page): Promise<Locator> {
  await openScreen(page, 'Settings', 'Advanced')
  return page.getByTestId('incidents')
}

/** The session id diagnostics show (Settings → Advanced). */
export async function shownSessionId(page: Page): Promise<number> {
  await openScreen(page, 'Settings', 'Advanced')
  const text = await page.getByTestId('session-id').textContent()
  const id = Number(text)
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`no session id shown: ${text}`)
  return id
}

/** The camera and microphone test (the echo call), in Settings → Audio and video. */
export async function openCameraTest(page: Page): Promise<void> {
  await openScreen(page, 'Settings', 'Audio and video')
}

/** Disconnects from the server (Settings → Server). */
export async function disconnect(page: Page): Promise<void> {
  await openScreen(page, 'Settings', 'Server')
  await page.getByRole('button', { name: 'Disconnect' }).click()
}

/** The call screen, shown while a phone call is up. */
export const callScreen = (page: Page): Locator => page.getByRole('region', { name: 'Call' })

/** The call screen's Hang up button. */
export const hangUpButton = (page: Page): Locator =>
  callScreen(page).getByRole('button', { name: 'Hang up', exact: true })

/** The whole app (it carries what the phone is sounding: data-sound, data-cues). */
export const appShell = (page: Page): Locator => page.getByTestId('holdfast')

/** The call screen's dial pad (opened with Keypad). */
export async function keypad(page: Page): Promise<Locator> {
  const pad = callScreen(page).getByRole('group', { name: 'Dial pad' })
  if (!(await pad.isVisible()))
    await callScreen(page).getByRole('button', { name: 'Keypad' }).click()
  await expect(pad).toBeVisible()
  return pad
}

/** Back to the call screen from another screen (a no-op when it is shown). */
export async function returnToCall(page: Page): Promise<void> {
  const back = page.getByRole('button', { name: 'Return to the call' })
  if (await back.isVisible()) await back.click()
  await expect(callScreen(page)).toBeVisible()
}

/** Opens the account form's "More account settings" (transport, tones, voicemail...). */
export async function moreAccountSettings(page: Page): Promise<void> {
  const more = page.getByText('More account settings')
  if ((await more.locator('..').getAttribute('open')) === null) await more.click()
}
