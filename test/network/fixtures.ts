/** Each network scenario gets a fresh lab and a Chromium running inside its client namespace. */
import { test as base, chromium, expect, type Page } from '@playwright/test'
import { chromiumArgs } from '../lab/chromium'
import { startNetLab, type NetLab } from '../lab/netlab'

/** Windows used by the lab's Janus: short, so a long sleep can outlast them in a test. */
export const labWindows = { sessionTimeoutS: 15, reclaimSessionTimeoutS: 10 }

export { chromiumArgs }

export const test = base.extend<{ lab: NetLab; page: Page }>({
  lab: async ({}, use) => {
    const lab = await startNetLab(labWindows)
    try {
      await use(lab)
    } finally {
      await lab.close()
    }
  },
  page: async ({ lab }, use) => {
    const browser = await chromium.launch({
      executablePath: lab.chromiumLauncher,
      args: chromiumArgs,
    })
    try {
      const page = await browser.newPage()
      await use(page)
    } finally {
      await browser.close().catch(() => undefined)
    }
  },
})

export { expect }

/** The number the UI shows for a test id. */
export async function shownNumber(page: Page, testId: string): Promise<number> {
  return Number(
    (await page
      .getByTestId(testId)
      .textContent({ timeout: 2000 })
      .catch(() => '0')) ?? 0,
  )
}

/** Opens the app in the lab, waits for Connected, starts the echo call and waits for video. */
export async function callInLab(
  page: Page,
  lab: NetLab,
): Promise<{ sessionId: number; frames: number }> {
  await page.goto(lab.pageUrl())
  await expect(page.getByTestId('connection-status')).toHaveText('Connected')
  const sessionId = await shownNumber(page, 'session-id')
  await page.getByRole('button', { name: 'Start echo call' }).click()
  const frames = await framesAfter(page, 0)
  return { sessionId, frames }
}

/** Waits until more than `after` frames were decoded; returns the count. */
export async function framesAfter(page: Page, after: number, timeout = 45_000): Promise<number> {
  let now = 0
  await expect
    .poll(async () => (now = await shownNumber(page, 'frames-decoded')), { timeout })
    .toBeGreaterThan(after)
  return now
}

/**
 * The same call came back: Connected on the same session (the only one on the server), the
 * call in progress and video flowing past `frames`.
 */
export async function expectSameCallBack(
  page: Page,
  lab: NetLab,
  sessionId: number,
  frames: number,
  timeout = 30_000,
): Promise<void> {
  await expect(page.getByTestId('connection-status')).toHaveText('Connected', { timeout })
  expect(await shownNumber(page, 'session-id')).toBe(sessionId)
  expect(await lab.sessions()).toEqual([sessionId])
  await expect(page.getByTestId('call-status')).toHaveText('In call')
  await framesAfter(page, frames)
}
