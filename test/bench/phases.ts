/**
 * A recovery split into phases (issue 13), from what a client recorded itself and what its
 * PeerConnections did; pure, so the split is unit-tested.
 */
import type { PcEvent } from '../lab/media-probe'

/** The clients a phase table compares. */
export type PhaseClient = 'holdfast' | 'careful' | 'naive'

/** The phases, in the order a recovery goes through them. */
export const phases = [
  'toldMs',
  'networkUpMs',
  'networkKnownMs',
  'sessionBackMs',
  'offerMs',
  'answerMs',
  'iceConnectedMs',
  'firstPacketMs',
  'firstFrameMs',
] as const
export type Phase = (typeof phases)[number]
/** One run: each phase in ms (missing: it did not happen), and the pair ICE connected on. */
export type RunResult = Partial<Record<Phase, number>> & { pair?: string }

/** An event the client recorded itself (Holdfast's incidents, a baseline's log). */
export interface ClientEvent {
  at: number
  kind: string
  detail: string
}

/** The client's own signs of trouble, by client. */
const toldKinds: Record<PhaseClient, string[]> = {
  holdfast: ['signal', 'loss-detected', 'media-restart'],
  careful: ['loss', 'online', 'ice-restart'],
  naive: ['loss', 'ice-restart'],
}
const sessionKinds: Record<PhaseClient, string[]> = {
  holdfast: ['claimed', 'recreated'],
  careful: ['reconnected', 'rejoined'],
  naive: ['reconnected'],
}

/** Splits one recovery into its phases. */
export function phasesOf(
  client: PhaseClient,
  own: ClientEvent[],
  pc: PcEvent[],
  broke: number,
  back: number,
  media: { packet: number | undefined; frame: number | undefined },
): RunResult {
  // The earliest matching event: the lists may come newest first (Holdfast's timeline does).
  const after = <E extends { at: number }>(list: E[], from: number, test: (e: E) => boolean) =>
    [...list].sort((a, b) => a.at - b.at).find((e) => e.at >= from && test(e))
  const told = [
    after(own, broke, (e) => toldKinds[client].includes(e.kind))?.at,
    after(pc, broke, (e) => e.kind === 'ice-disconnected' || e.kind === 'ice-failed')?.at,
  ].filter((at): at is number => at !== undefined)
  const session = after(own, back - 50, (e) => sessionKinds[client].includes(e.kind))
  // The restart offer, from either side: the client's own (an echo call, a phone call, a
  // room's publisher) or the server's (a room's subscriber after `configure restart`).
  const offer = after(pc, broke, (e) => e.kind === 'local-offer' || e.kind === 'remote-offer')
  const answerKind = offer?.kind === 'remote-offer' ? 'local-answer' : 'remote-answer'
  const answer = offer && after(pc, offer.at, (e) => e.kind === answerKind)
  const ice = after(
    pc,
    offer?.at ?? broke,
    (e) => e.kind === 'ice-connected' || e.kind === 'ice-completed',
  )
  // When the browser could gather on an address it could not before the break (a switch's new
  // link): no restart can use the new network sooner. Read from the page's own trace (known)
  // and from a fresh frame's (up: what the OS offered, before Chromium told the page).
  const newAddress = (kind: string) => {
    const gatherable = pc.filter((e) => e.kind === kind).sort((a, b) => a.at - b.at)
    const before = new Set(
      gatherable
        .filter((e) => e.at < broke)
        .at(-1)
        ?.detail.split(',') ?? [],
    )
    return gatherable.find(
      (e) =>
        e.at >= broke &&
        e.detail.split(',').some((host) => !['none', 'error'].includes(host) && !before.has(host)),
    )
  }
  const since = (at: number | undefined) => (at === undefined ? undefined : Math.max(0, at - back))
  const result: RunResult = {}
  const put = (phase: Phase, value: number | undefined) => {
    if (value !== undefined) result[phase] = Math.round(value)
  }
  put('toldMs', told.length ? Math.max(0, Math.min(...told) - broke) : undefined)
  put('networkUpMs', since(newAddress('gatherable-fresh')?.at))
  put('networkKnownMs', since(newAddress('gatherable')?.at))
  put('sessionBackMs', since(session?.at))
  put('offerMs', since(offer?.at))
  put('answerMs', since(answer?.at))
  put('iceConnectedMs', since(ice?.at))
  put('firstPacketMs', media.packet)
  put('firstFrameMs', media.frame)
  if (ice?.detail) result.pair = ice.detail
  return result
}
