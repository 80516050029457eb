/**
 * The only place main touches ipcMain. Every handler is registered through `createIpc`, and
 * every message passes `checkInvoke` (known channel, the app's own origin, main frame, valid
 * arguments) before a handler sees it.
 */
import { ipcMain, type IpcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import type {
  EventChannel,
  EventChannels,
  InvokeChannel,
  InvokeChannels,
} from '../preload/ipc-contract'
import { checkInvoke } from './ipc-guard'
import type { MainLogger } from './file-log'

export type Handler<K extends InvokeChannel> = (
  ...args: InvokeChannels[K]['args']
) => InvokeChannels[K]['result'] | Promise<InvokeChannels[K]['result']>

/** Typed, validated registration and sending. */
export interface TypedIpc {
  handle<K extends InvokeChannel>(channel: K, handler: Handler<K>): void
  send<K extends EventChannel>(contents: WebContents, channel: K, payload: EventChannels[K]): void
}

/** Wraps Electron's ipcMain (or a stand-in, in tests) for one app origin. */
export function createIpc(
  appOrigin: () => string,
  log: MainLogger,
  target: Pick<IpcMain, 'handle'> = ipcMain,
): TypedIpc {
  return {
    handle(channel, handler) {
      target.handle(channel, (event: IpcMainInvokeEvent, ...raw: unknown[]) => {
        const frame = event.senderFrame
        const check = checkInvoke<typeof channel>(
          channel,
          { frameUrl: frame?.url, isMainFrame: frame !== null && frame === event.sender.mainFrame },
          raw,
          appOrigin(),
        )
        if (!check.ok) {
          log.warn(`ipc: refused ${channel}: ${check.reason}`)
          throw new Error(`refused ${channel}: ${check.reason}`)
        }
        return handler(...check.args)
      })
    },
    send(contents, channel, payload) {
      if (!contents.isDestroyed()) contents.send(channel, payload)
    },
  }
}
