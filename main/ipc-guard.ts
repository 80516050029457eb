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

/** The origin of an app page: the dev server's origin, or `file://` for the built app. */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'file:' ? 'file://' : parsed.origin
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
