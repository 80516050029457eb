/**
 * `npm run bench:footprint` (issue 13's footprint): what Holdfast costs on this machine.
 * - renderer JavaScript, gzipped;
 * - the page connected and idle (no call): main-thread CPU and the keepalive traffic per minute;
 * - main-thread CPU in an echo call (what watching the media costs: stats read every 100 ms);
 * - the JS heap (after a forced GC) at the start of an echo call, after HOLDFAST_FOOTPRINT_CALL_MIN
 *   minutes in it (default 2; the issue asks for 30), and after HOLDFAST_FOOTPRINT_RECONNECTS
 *   socket cuts and reclaims during the call (default 100).
 * Prints the figures and writes test-results/footprint-bench.json and .md. Figures, not verdicts.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { CDPSession, Page } from '@playwright/test'
import { expect, openApp, openScreen, startEchoCall, test } from '../e2e/fixtures'
import { publishFigures } from './results'

const callMinutes = Number(process.env.HOLDFAST_FOOTPRINT_CALL_MIN ?? 2)
const reconnects = Number(process.env.HOLDFAST_FOOTPRINT_RECONNECTS ?? 100)
const idleSeconds = Number(process.env.HOLDFAST_FOOTPRINT_IDLE_S ?? 60)

/** Chromium's own counters for the page. */
async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = await cdp.send('Performance.getMetrics')
  return Object.fromEntries(list.map((m) => [m.name, m.value]))
}

/** The JS heap in use after a full garbage collection, in MB. */
async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  return (await metrics(cdp)).JSHeapUsedSize! / 1_048_576
}

/** The page's main-thread CPU since `from` (a TaskDuration reading and when), in percent. */
async function cpuPercentSince(
  cdp: CDPSession,
  from: { at: number; task: number },
): Promise<number> {
  const task = (await metrics(cdp)).TaskDuration!
  return ((task - from.task) / ((Date.now() - from.at) / 1000)) * 100
}

/** Waits `ms` of wall time: the thing measured here is what happens while time passes. */
const during = (page: Page, ms: number) => page.waitForTimeout(ms)

function rendererGzippedKb(): number {
  const dir = 'out/renderer/assets'
  return (
    readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .reduce((sum, f) => sum + gzipSync(readFileSync(join(dir, f))).length, 0) / 1024
  )
}

test('footprint: bundle, idle CPU and keepalive traffic, heap over a call and many reconnections', async ({
  page,
  lab,
}) => {
  test.setTimeout((callMinutes * 60 + idleSeconds + reconnects * 5 + 300) * 1000)
  const frames = { sent: 0, received: 0, bytes: 0 }
  page.on('websocket', (socket) => {
    socket.on('framesent', (f) => ((frames.sent += 1), (frames.bytes += String(f.payload).length)))
    socket.on('framereceived', (f) => {
      frames.received += 1
      frames.bytes += String(f.payload).length
    })
  })
  await openApp(page, lab)
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')

  // Connected and idle: no call, the Phone screen shown.
  await openScreen(page, 'Phone')
  const idleFrom = { ...frames, at: Date.now(), task: (await metrics(cdp)).TaskDuration! }
  await during(page, idleSeconds * 1000)
  const idleMinutes = (Date.now() - idleFrom.at) / 60_000
  const idleCpuPercent = await cpuPercentSince(cdp, idleFrom)
  const perMinute = (n: number) => Math.round(n / idleMinutes)
  const idleTraffic = {
    sent: perMinute(frames.sent - idleFrom.sent),
    received: perMinute(frames.received - idleFrom.received),
    bytes: perMinute(frames.bytes - idleFrom.bytes),
  }

  await openScreen(page, 'Settings', 'Advanced')
  const keepalive = ((await page.getByTestId('keepalive').textContent()) ?? '–').replace(
    /^every /,
    '',
  )

  // In a call: the heap at its start, after the call has run, and after many reclaims.
  await startEchoCall(page)
  const heapCallStart = await heapAfterGc(cdp)
  const callFrom = { at: Date.now(), task: (await metrics(cdp)).TaskDuration! }
  await during(page, callMinutes * 60_000)
  const callCpuPercent = await cpuPercentSince(cdp, callFrom)
  const heapCallEnd = await heapAfterGc(cdp)
  await openScreen(page, 'Settings', 'Advanced')
  const shown = page.getByTestId('reconnects')
  for (let i = 0; i < reconnects; i++) {
    const before = Number(await shown.textContent())
    lab.relay.cut()
    await expect.poll(async () => Number(await shown.textContent())).toBeGreaterThan(before)
  }
  const heapAfterReconnects = await heapAfterGc(cdp)
  await openScreen(page, 'Settings', 'Audio and video')
  await expect(page.getByTestId('call-status')).toHaveText('In call')

  const mb = (v: number) => `${v.toFixed(1)} MB`
  const rows = [
    ['renderer JavaScript, gzipped', `${rendererGzippedKb().toFixed(1)} KB`],
    ['idle (connected, no call): main-thread CPU', `${idleCpuPercent.toFixed(2)} %`],
    [
      'idle: WebSocket traffic per minute',
      `${idleTraffic.sent} frames sent, ${idleTraffic.received} received, ${idleTraffic.bytes} bytes (keepalive every ${keepalive})`,
    ],
    ['in an echo call: main-thread CPU', `${callCpuPercent.toFixed(2)} %`],
    ['JS heap at the start of an echo call', mb(heapCallStart)],
    [`JS heap after ${callMinutes} min in the call`, mb(heapCallEnd)],
    [`JS heap after ${reconnects} socket cuts and reclaims`, mb(heapAfterReconnects)],
  ]
  const table = ['| what | figure |', '| --- | --- |', ...rows.map(([w, f]) => `| ${w} | ${f} |`)]
  publishFigures('footprint-bench', table.join('\n'), {
    callMinutes,
    reconnects,
    idleSeconds,
    idleCpuPercent,
    idleTraffic,
    callCpuPercent,
    heapMb: {
      callStart: heapCallStart,
      callEnd: heapCallEnd,
      afterReconnects: heapAfterReconnects,
    },
  })
  expect(heapAfterReconnects).toBeGreaterThan(0)
})
