/** What a benchmarked client recorded itself, read from its page for the phase split. */
import type { Page } from '@playwright/test'
import { openScreen } from '../lab/screens'
import type { ClientEvent, PhaseClient } from './phases'

/** Holdfast's incident timeline (Settings → Advanced), or a baseline's own log. */
export async function clientEvents(page: Page, client: PhaseClient): Promise<ClientEvent[]> {
  if (client !== 'holdfast')
    return (await page.evaluate('window.__baseline.events')) as ClientEvent[]
  await openScreen(page, 'Settings', 'Advanced')
  return page.locator('[data-testid="incidents"] li').evaluateAll((items) =>
    items.map((li) => ({
      at: Number(li.getAttribute('data-at')),
      kind: li.getAttribute('data-kind') ?? '',
      detail: li.textContent ?? '',
    })),
  )
}
