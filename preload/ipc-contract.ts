/**
 * The one IPC contract between main and preload: every channel with its argument and result
 * types, and the validators main runs on whatever arrives. Imports nothing runtime-bound, so
 * main, preload and tests share it.
 */
import type { SystemEvent } from '../renderer/core/host'
import {
  parseSessionRecord,
  sessionRecordLimits,
  type SessionRecord,
} from '../renderer/core/session-record'

/** Update channels, most stable first. */
export const updateChannels = ['latest', 'beta', 'alpha'] as const
export type UpdateChannel = (typeof updateChannels)[number]

/** Settings the desktop app keeps in main. */
export interface DesktopSettings {
  updateChannel: UpdateChannel
  startAtLogin: boolean
  closeToTray: boolean
}

/** What the renderer tells main about itself (tray, updates, quitting). */
export interface RendererReport {
  connection:
    'idle' | 'connecting' | 'connected' | 'reconnecting' | 'recovering' | 'failed' | 'closed'
  inCall: boolean
  /** Incoming calls are answered busy (shown in the tray). */
  doNotDisturb?: boolean
}

/** Where updates are, for the UI. */
export type UpdateStatus =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'up-to-date'; version: string }
  | { kind: 'available'; version: string }
  | { kind: 'deferred'; version: string; reason: string }
  | { kind: 'downloading'; version: string; percent: number }
  | { kind: 'ready'; version: string }
  | { kind: 'error'; message: string }

/** Names of secrets the vault keeps. */
/** `sipPasswords` holds one JSON map from SIP address to password. */
export const secretNames = ['apiSecret', 'token', 'sipPasswords'] as const
export type SecretName = (typeof secretNames)[number]

/** Requests the renderer makes (invoke/handle). */
export interface InvokeChannels {
  'session:load': { args: []; result: unknown }
  'session:save': { args: [SessionRecord]; result: void }
  'session:clear': { args: []; result: void }
  'secrets:status': {
    args: []
    result: { persistent: boolean; reason?: string; unreadable?: SecretName[] }
  }
  'secrets:get': { args: [SecretName]; result: string | undefined }
  'secrets:set': { args: [SecretName, string]; result: boolean }
  'settings:get': { args: []; result: DesktopSettings }
  'settings:set': { args: [Partial<DesktopSettings>]; result: DesktopSettings }
  'app:report': { args: [RendererReport]; result: void }
  'app:quit-ready': { args: []; result: void }
  /** Saves main's log with the renderer's report (its own lines and the incident timeline). */
  'logs:export': { args: [{ renderer: string }]; result: string | undefined }
  'updates:check': { args: []; result: UpdateStatus }
  'updates:restart': { args: []; result: boolean }
  /** A call is ringing: show the desktop notification for it. */
  'call:incoming': { args: [{ peer: string }]; result: void }
  /** The call stopped ringing: remove the notification. */
  'call:dismiss': { args: []; result: void }
  /** The source chosen to share (null: cancelled); false if it was not asked for. */
  'screen:chosen': { args: [{ requestId: number; sourceId: string | null }]; result: boolean }
  /**
   * The page is about to open a socket to this Janus server (ws:/wss:): main lets sockets to
   * it through; false when it is not such an address.
   */
  'servers:allow': { args: [string]; result: boolean }
  /** Main fetches the token service (https, or http to this computer): status and body. */
  'tokens:fetch': { args: [string]; result: { status: number; body: string } }
}

/** A screen or window the desktop app offers to share. */
export interface ScreenSource {
  id: string
  name: string
  kind: 'screen' | 'window'
  /** A small picture of it (a data: URL), or '' when there is none. */
  thumbnail: string
}

/** The page is asked to choose what to share for a `getDisplayMedia`. */
export interface ScreenChoice {
  requestId: number
  sources: ScreenSource[]
}

/** A tel:/sip: link opened with the app: what to dial, or why it cannot be dialled. */
export type DialOutcome = { target: string } | { refused: string }

/** Events main sends to the renderer. */
export interface EventChannels {
  'system:event': SystemEvent
  'app:prepare-quit': { reason: 'quit' | 'shutdown' }
  'updates:status': UpdateStatus
  /** A tel:/sip: link was opened with the app: its target for the dialer, or why it was refused. */
  'app:dial': DialOutcome
  /** Answer or Decline was chosen on the incoming-call notification. */
  'call:action': { action: 'answer' | 'decline' }
  /** The page asked to share its screen: choose one of these. */
  'screen:choose': ScreenChoice
}

export type InvokeChannel = keyof InvokeChannels
export type EventChannel = keyof EventChannels

const none = (args: unknown[]): [] | undefined => (args.length === 0 ? [] : undefined)
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isSecretName = (value: unknown): value is SecretName =>
  secretNames.includes(value as SecretName)
const connectionKinds: RendererReport['connection'][] = [
  'idle',
  'connecting',
  'connected',
  'reconnecting',
  'recovering',
  'failed',
  'closed',
]

/** Validates the arguments of each invoke channel; returns them typed, or undefined. */
export const validators: {
  [K in InvokeChannel]: (args: unknown[]) => InvokeChannels[K]['args'] | undefined
} = {
  'session:load': none,
  'session:clear': none,
  'session:save': (args) => {
    if (args.length !== 1) return undefined
    const record = parseSessionRecord(args[0])
    return record ? [record] : undefined
  },
  'secrets:status': none,
  'secrets:get': (args) => (args.length === 1 && isSecretName(args[0]) ? [args[0]] : undefined),
  'secrets:set': (args) =>
    args.length === 2 &&
    isSecretName(args[0]) &&
    typeof args[1] === 'string' &&
    args[1].length <= 8192
      ? [args[0], args[1]]
      : undefined,
  'settings:get': none,
  'settings:set': (args) => {
    if (args.length !== 1 || !isObject(args[0])) return undefined
    const input = args[0]
    const out: Partial<DesktopSettings> = {}
    for (const key of Object.keys(input)) {
      const value = input[key]
      if (key === 'updateChannel' && updateChannels.includes(value as UpdateChannel))
        out.updateChannel = value as UpdateChannel
      else if ((key === 'startAtLogin' || key === 'closeToTray') && typeof value === 'boolean')
        out[key] = value
      else return undefined
    }
    return [out]
  },
  'app:report': (args) => {
    if (args.length !== 1 || !isObject(args[0])) return undefined
    const { connection, inCall, doNotDisturb } = args[0]
    if (
      !connectionKinds.includes(connection as RendererReport['connection']) ||
      typeof inCall !== 'boolean' ||
      (doNotDisturb !== undefined && typeof doNotDisturb !== 'boolean')
    )
      return undefined
    return [
      {
        connection: connection as RendererReport['connection'],
        inCall,
        ...(doNotDisturb ? { doNotDisturb } : {}),
      },
    ]
  },
  'app:quit-ready': none,
  'logs:export': (args) => {
    if (args.length !== 1 || !isObject(args[0])) return undefined
    const { renderer } = args[0]
    // The renderer's book holds at most 500 lines; a report beyond 2 MB is not one.
    return typeof renderer === 'string' && renderer.length <= 2_000_000 ? [{ renderer }] : undefined
  },
  'updates:check': none,
  'updates:restart': none,
  'call:incoming': (args) => {
    if (args.length !== 1 || !isObject(args[0])) return undefined
    const { peer } = args[0]
    return typeof peer === 'string' && peer.length > 0 && peer.length <= 512
      ? [{ peer }]
      : undefined
  },
  'call:dismiss': none,
  'screen:chosen': (args) => {
    if (args.length !== 1 || !isObject(args[0])) return undefined
    const { requestId, sourceId } = args[0]
    if (typeof requestId !== 'number' || !Number.isSafeInteger(requestId)) return undefined
    if (sourceId !== null && (typeof sourceId !== 'string' || sourceId.length > 256))
      return undefined
    return [{ requestId, sourceId }]
  },
  'servers:allow': (args) =>
    args.length === 1 &&
    typeof args[0] === 'string' &&
    args[0].length <= sessionRecordLimits.serverUrlChars &&
    /^wss?:\/\//i.test(args[0])
      ? [args[0]]
      : undefined,
  'tokens:fetch': (args) =>
    args.length === 1 &&
    typeof args[0] === 'string' &&
    args[0].length <= 2048 &&
    /^https?:\/\//i.test(args[0])
      ? [args[0]]
      : undefined,
}

/** Whether a string names an invoke channel of the contract. */
export function isInvokeChannel(channel: string): channel is InvokeChannel {
  return Object.hasOwn(validators, channel)
}
