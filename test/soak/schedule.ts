/**
 * The soak's fault schedule (issue 14): a seeded, replayable sequence of what laptops and
 * servers do, one after another and sometimes one on top of another. Pure: the same seed
 * always gives the same schedule, so a violation names the seed that replays it.
 */

/** What the soak can do to the world. */
export type FaultKind =
  | 'wifi-to-cell'
  | 'wifi-to-cell-abrupt'
  | 'wifi-to-cell-orderly'
  | 'flap'
  | 'dead-path'
  | 'socket-cut'
  | 'short-sleep'
  | 'long-sleep'
  | 'janus-restart'
  | 'registrar-restart'
  | 'janus-restart-registrar-down'
  | 'page-reload'
  | 'renderer-crash'
  /** Every token the pages hold expires (Janus answers 403 until a new one comes). */
  | 'token-expiry'

/** Which page a page fault hits. */
export type PageRole = 'echo' | 'phone' | 'room'

/** One step of the schedule. */
export interface Fault {
  kind: FaultKind
  /** How long the fault lasts, where it has a length (a dead path, a sleep). */
  ms?: number
  /** The page a reload or a crash hits. */
  page?: PageRole
  /** A second fault applied `afterMs` into this one's recovery, before it settles. */
  onTop?: { afterMs: number; fault: Fault }
}

/** A small, fast seeded generator (mulberry32): numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * How often each fault is drawn. The everyday ones (network changes, short sleeps) most; the
 * expensive ones (a long sleep outlasts the lab's windows) least.
 */
const weights: Record<FaultKind, number> = {
  'wifi-to-cell': 3,
  'wifi-to-cell-abrupt': 3,
  'wifi-to-cell-orderly': 2,
  flap: 3,
  'dead-path': 2,
  'socket-cut': 2,
  'short-sleep': 2,
  'long-sleep': 1,
  'janus-restart': 1,
  'registrar-restart': 1,
  'janus-restart-registrar-down': 1,
  'page-reload': 1,
  'renderer-crash': 1,
  'token-expiry': 2,
}

/** Every kind of fault the soak applies. */
export const faultKinds = Object.keys(weights) as FaultKind[]

/** Faults that may land on top of another one's recovery (short, and with nothing to restore). */
const onTopKinds: FaultKind[] = ['flap', 'socket-cut', 'short-sleep', 'wifi-to-cell']

const roles: PageRole[] = ['echo', 'phone', 'room']

/** The lab's windows the lengths are drawn against (a long sleep must outlast both). */
export interface SoakWindows {
  sessionTimeoutS: number
  reclaimSessionTimeoutS: number
}

/** Draws one fault (with its length or page) from `random`. */
function drawFault(random: () => number, kinds: FaultKind[], windows: SoakWindows): Fault {
  const total = kinds.reduce((sum, k) => sum + weights[k], 0)
  let pick = random() * total
  const kind = kinds.find((k) => (pick -= weights[k]) < 0) ?? kinds[kinds.length - 1]!
  const between = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo))
  switch (kind) {
    case 'dead-path':
      return { kind, ms: between(2000, 8000) }
    case 'short-sleep':
      return { kind, ms: between(1000, 6000) }
    case 'long-sleep': {
      // Past the session's timeout and its reclaim window: the session is surely gone.
      const gone = (windows.sessionTimeoutS + windows.reclaimSessionTimeoutS) * 1000
      return { kind, ms: between(gone + 3000, gone + 8000) }
    }
    case 'page-reload':
    case 'renderer-crash':
      return { kind, page: roles[Math.floor(random() * roles.length)]! }
    default:
      return { kind }
  }
}

/**
 * The first `count` faults of the schedule of `seed`. About one in four carries a second
 * fault on top (a flap during the claim, a sleep during the ICE restart). `only` narrows the
 * draw to some kinds (a soak aimed at one rare failure); what lands on top is narrowed too,
 * and nothing lands on top when none of `only` may.
 */
export function faultSchedule(
  seed: number,
  count: number,
  windows: SoakWindows,
  only: readonly FaultKind[] = faultKinds,
): Fault[] {
  const random = seededRandom(seed)
  const kinds = faultKinds.filter((k) => only.includes(k))
  if (kinds.length === 0) throw new Error(`no fault kind among ${only.join(', ')}`)
  const onTop = onTopKinds.filter((k) => only.includes(k))
  const faults: Fault[] = []
  for (let i = 0; i < count; i++) {
    const fault = drawFault(random, kinds, windows)
    if (random() < 0.25 && onTop.length > 0)
      fault.onTop = {
        afterMs: Math.round(50 + random() * 1500),
        fault: drawFault(random, onTop, windows),
      }
    faults.push(fault)
  }
  return faults
}

/** A fault in a line: `flap`, `dead-path 3400 ms`, `page-reload (phone) + socket-cut after 300 ms`. */
export function describeFault(fault: Fault): string {
  const own = `${fault.kind}${fault.ms !== undefined ? ` ${fault.ms} ms` : ''}${fault.page ? ` (${fault.page})` : ''}`
  return fault.onTop
    ? `${own} + ${describeFault(fault.onTop.fault)} after ${fault.onTop.afterMs} ms`
    : own
}
