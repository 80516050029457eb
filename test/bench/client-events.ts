/** What a benchmarked client recorded itself, read from its page for the phase split. */
import type { Page } from '@playwright/test'
import { gatherTrace, pairTrace, probe, socketTrace, videoTrace } from '../lab/media-probe'
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

/** With HOLDFAST_BENCH_DEBUG set, prints a run's own timeline and PeerConnection events. */
export function printTimeline(
  events: readonly { at: number; kind: string; detail: string }[],
  broke: number,
  back: number,
): void {
  if (!process.env.HOLDFAST_BENCH_DEBUG) return
  const lines = [...events]
    .filter((e) => e.at >= broke - 100)
    .sort((a, b) => a.at - b.at)
    .map((e) => `${Math.round(e.at - back)} ${e.kind} ${e.detail}`)
  console.log(lines.join('\n'))
}

/**
 * Injects the media probe and the gathering trace (when the browser learnt of a new network)
 * into a benchmarked page, and with HOLDFAST_BENCH_DEBUG the pair, socket and video traces.
 */
export async function probeBenchPage(page: Page): Promise<void> {
  await page.addInitScript(probe)
  await page.addInitScript(gatherTrace)
  if (process.env.HOLDFAST_BENCH_DEBUG) {
    await page.addInitScript(pairTrace)
    await page.addInitScript(socketTrace)
    await page.addInitScript(videoTrace)
  }
}
