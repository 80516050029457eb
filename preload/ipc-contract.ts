/**
 * The one IPC contract between main and preload: every channel with its argument and result
 * types, and the validators main runs on whatever arrives. Imports nothing runtime-bound.
 */
import type { SystemEvent } from '../renderer/core/host'
import { parseSessionRecord, type SessionRecord } from '../renderer/core/session-record'

/** Requests the renderer makes (invoke/handle). */
export interface InvokeChannels {
  'session:load': { args: []; result: unknown }
  'session:save': { args: [SessionRecord]; result: void }
  'session:clear': { args: []; result: void }
}

/** Events main sends to the renderer. */
export interface EventChannels {
  'system:event': SystemEvent
}

export type InvokeChannel = keyof InvokeChannels

/** Validates the arguments of each invoke channel; returns them typed or undefined. */
export const validators: {
  [K in InvokeChannel]: (args: unknown[]) => InvokeChannels[K]['args'] | undefined
} = {
  'session:load': (args) => (args.length === 0 ? [] : undefined),
  'session:clear': (args) => (args.length === 0 ? [] : undefined),
  'session:save': (args) => {
    if (args.length !== 1) return undefined
    const record = parseSessionRecord(args[0])
    return record ? [record] : undefined
  },
}

/** Whether a string names an invoke channel. */
export function isInvokeChannel(channel: string): channel is InvokeChannel {
  return Object.hasOwn(validators, channel)
}
