/**
 * Who may talk to main and what they may say: only the app's own page, in its main frame,
 * on a channel of the contract, with arguments that pass its validator. Pure, so every
 * refusal is unit-tested.
 */
import {
  isInvokeChannel,
  validators,
  type InvokeChannel,
  type InvokeChannels,
} from '../preload/ipc-contract'

/**
 * The exact origin of a page: scheme and host (and port). `file:` pages have none: every local
 * file would otherwise share one origin with the app (issue 12). Custom schemes such as the
 * app's own `app://holdfast`, which URL reports as the opaque "null", keep scheme and host.
 */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    if (parsed.protocol === 'file:') return undefined
    if (parsed.origin !== 'null') return parsed.origin
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : undefined
  } catch {
    return undefined
  }
}

/** The sender of an IPC message as main sees it. */
export interface SenderInfo {
  frameUrl: string | undefined
  isMainFrame: boolean
}

export type InvokeCheck<K extends InvokeChannel> =
  | { ok: true; args: InvokeChannels[K]['args'] }
  | { ok: false; reason: 'unknown channel' | 'untrusted sender' | 'malformed arguments' }

/** Checks one invoke: channel, sender, arguments. */
export function checkInvoke<K extends InvokeChannel>(
  channel: string,
  sender: SenderInfo,
  args: unknown[],
  appOrigin: string,
): InvokeCheck<K> {
  if (!isInvokeChannel(channel)) return { ok: false, reason: 'unknown channel' }
  if (!sender.isMainFrame || !sender.frameUrl || originOf(sender.frameUrl) !== appOrigin) {
    return { ok: false, reason: 'untrusted sender' }
  }
  const checked = validators[channel](args)
  if (!checked) return { ok: false, reason: 'malformed arguments' }
  return { ok: true, args: checked as InvokeChannels[K]['args'] }
}
