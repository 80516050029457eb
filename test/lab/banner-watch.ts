/**
 * Every text the connection banner showed, in order (issue 11). A recovery can take tens of
 * milliseconds, quicker than a test can look, so the page records each change itself.
 */
import type { Page } from '@playwright/test'

/** An init script: records the banner's texts into `window.bannerTexts` ('' when it hides). */
export function watchBanner(): void {
  const texts: string[] = []
  ;(window as unknown as { bannerTexts: string[] }).bannerTexts = texts
  const read = (): void => {
    const banner = document.querySelector('[data-testid="connection-banner"]')
    const text = banner?.firstChild?.textContent?.trim() ?? ''
    if (texts.at(-1) !== text) texts.push(text)
  }
  new MutationObserver(read).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
  })
}

/** What the banner has said so far (consecutive repeats folded; '' is "no banner"). */
export const bannerTexts = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { bannerTexts: string[] }).bannerTexts)
