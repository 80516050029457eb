/**
 * What a page that stopped answering was doing (the soak's rare "the page does not answer",
 * seen twice on the echo page): its JavaScript stack if V8 can be interrupted (a loop in our
 * code), and every renderer's threads with the CPU they burn and, through gdb, their native
 * stacks (a renderer blocked inside Chromium). Evidence for the step log, never a verdict.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import type { Page } from '@playwright/test'

/** Resolves with `promise`'s value, or undefined once `ms` pass. */
function before<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  return Promise.race([
    promise.catch(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms)),
  ])
}

/**
 * A DevTools session on `page` with the debugger on, opened while the page is well: a page
 * already spinning answers `Debugger.pause` (V8 interrupts the loop for it) but never
 * `Debugger.enable`.
 */
export async function watchForHang(page: Page): Promise<() => Promise<string>> {
  const cdp = await page.context().newCDPSession(page)
  let waiting: ((stack: string) => void) | undefined
  // Every pause is let go at once, one that comes after its report gave up included (a page
  // blocked outside JavaScript pauses at its next script).
  cdp.on('Debugger.paused', (event) => {
    waiting?.(
      event.callFrames
        .map(
          (f) =>
            `${f.functionName || '(anonymous)'} ${f.url}:${f.location.lineNumber + 1}:${(f.location.columnNumber ?? 0) + 1}`,
        )
        .join('\n    ') || '(no frame)',
    )
    waiting = undefined
    cdp.send('Debugger.resume').catch(() => undefined)
  })
  await cdp.send('Debugger.enable')
  return async () => {
    const stack = new Promise<string>((resolve) => (waiting = resolve))
    await before(5000, cdp.send('Debugger.pause'))
    const got = await before(5000, stack)
    waiting = undefined
    return got ?? 'no pause within 5 s (not running JavaScript: blocked or idle)'
  }
}

/** One thread's name, state and CPU ticks (user + system), from /proc. */
function threads(pid: string): Map<string, { name: string; state: string; ticks: number }> {
  const out = new Map<string, { name: string; state: string; ticks: number }>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      const fields = stat.slice(close + 2).split(' ')
      out.set(tid, {
        name: stat.slice(stat.indexOf('(') + 1, close),
        state: fields[0]!,
        ticks: Number(fields[11]) + Number(fields[12]),
      })
    } catch {
      /* the thread ended */
    }
  }
  return out
}

/** The renderers among `pids`, with their thread tables over a second and their native stacks. */
async function renderers(pids: string[]): Promise<string> {
  const ours = pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')
    } catch {
      return false
    }
  })
  const first = new Map(ours.map((pid) => [pid, threads(pid)]))
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const lines: string[] = []
  for (const pid of ours) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    lines.push(`renderer ${pid} ${cmdline.find((a) => a.startsWith('--renderer-client-id')) ?? ''}`)
    for (const [tid, now] of threads(pid)) {
      const burnt = now.ticks - (first.get(pid)?.get(tid)?.ticks ?? now.ticks)
      // The pool's idle workers say nothing; the main thread and WebRTC's always do.
      if (burnt > 0 || now.state !== 'S' || tid === pid || /WebRTC|Media|Audio/i.test(now.name))
        lines.push(`  ${tid} ${now.name} ${now.state} +${burnt} ticks in 1 s`)
    }
    try {
      lines.push(
        execFileSync(
          'gdb',
          [
            '-p',
            pid,
            '-batch',
            '-nx',
            '-ex',
            'set pagination off',
            '-ex',
            'thread apply all bt 12',
          ],
          { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
        )
          .split(/\n(?=Thread )/)
          // The main thread and WebRTC's: Debian's Chromium has no symbols, so a stack says
          // little more than "waiting" or "running", and only these threads' say that usefully.
          .filter((t) => /^Thread 1 |^Thread .*"WebRTC/.test(t))
          .map((t) =>
            t
              .split('\n')
              .filter((l) => /^Thread|^#/.test(l))
              .join('\n'),
          )
          .join('\n'),
      )
    } catch (error) {
      lines.push(`  gdb: ${(error as Error).message.split('\n')[0]}`)
    }
  }
  return lines.join('\n') || 'no renderer among the laptop processes'
}

/** Whether the page runs a trivial script within `ms`. */
export async function answers(page: Page, ms: number): Promise<boolean> {
  return (
    (await before(
      ms,
      page.evaluate(() => true),
    )) === true
  )
}

/**
 * The report on a page that does not answer: its JavaScript stack (`pause`, from
 * `watchForHang`), then the renderers' threads.
 */
export async function hangReport(
  pause: () => Promise<string>,
  laptopPids: string[],
): Promise<string> {
  const stack = await pause().catch((error: Error) => `failed: ${error.message}`)
  return `JavaScript stack:\n    ${stack}\n${await renderers(laptopPids)}`
}

/**
 * What a page that runs scripts shows, for a violation that names it (seed 4204: the echo page
 * answered a script while its status could not be read for 120 s): its address, the headings
 * and status lines on screen, the start of its text, and a screenshot at `screenshotPath`.
 */
export async function pageShows(page: Page, screenshotPath: string): Promise<string> {
  const seen = await before(
    5000,
    page.evaluate(() => {
      const ids = [...document.querySelectorAll('[data-testid]')].map(
        (e) => e.getAttribute('data-testid') ?? '',
      )
      const headings = [...document.querySelectorAll('h1, h2, h3')].map((h) => h.textContent)
      return {
        url: location.href,
        visibility: document.visibilityState,
        headings: headings.join(' | '),
        statusShown: ids.includes('connection-status'),
        testIds: ids.length,
        text: (document.body?.innerText ?? '').replace(/\s+/g, ' ').slice(0, 400),
      }
    }),
  )
  const shot = await before(5000, page.screenshot({ path: screenshotPath }))
  return [
    seen ? JSON.stringify(seen) : 'the page did not say within 5 s',
    shot ? `screenshot: ${screenshotPath}` : 'no screenshot within 5 s',
  ].join('\n')
}
